#include "schedulers/scheduler.h"

#include "common/error.h"
#include "schedulers/scheduling_ddim.h"
#include "schedulers/scheduling_dpmsolver_multistep.h"

namespace hd {

std::unique_ptr<Scheduler> make_scheduler(const std::string& name,
                                          const DDIMSchedulerConfig& config, double eta) {
  if (name == "ddim") return std::make_unique<DDIMScheduler>(config, eta);
  if (name == "dpm++2m" || name == "dpm++2m-karras") {
    if (eta != 0)
      fail("eta ", eta, " applies to the ddim scheduler only (", name, " is deterministic)");
    return std::make_unique<DPMSolverMultistepScheduler>(config, name == "dpm++2m-karras");
  }
  fail("scheduler '", name, "' does not exist (expected ddim, dpm++2m or dpm++2m-karras)");
}

}  // namespace hd
