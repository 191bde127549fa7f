#include "schedulers/scheduler.h"

#include "common/error.h"
#include "schedulers/scheduling_ddim.h"
#include "schedulers/scheduling_dpmsolver_multistep.h"

namespace hd {

std::unique_ptr<Scheduler> make_scheduler(const std::string& name,
                                          const DDIMSchedulerConfig& config, double eta) {
  if (name == "ddim") return std::make_unique<DDIMScheduler>(config, eta);
  if (name == "dpm++2m") {
    if (eta != 0)
      fail("eta ", eta, " applies to the ddim scheduler only (dpm++2m is deterministic)");
    return std::make_unique<DPMSolverMultistepScheduler>(config);
  }
  fail("scheduler '", name, "' does not exist (expected ddim or dpm++2m)");
}

}  // namespace hd
