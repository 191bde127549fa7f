#include "schedulers/scheduler.h"

#include "common/error.h"
#include "hd/engine.h"
#include "schedulers/scheduling_ddim.h"
#include "schedulers/scheduling_dpmsolver_multistep.h"

namespace hd {

const std::vector<std::string>& scheduler_names() {
  static const std::vector<std::string> names = {"ddim", "dpm++2m", "dpm++2m-karras"};
  return names;
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& name,
                                          const DDIMSchedulerConfig& config, double eta) {
  if (name == "ddim") return std::make_unique<DDIMScheduler>(config, eta);
  if (name == "dpm++2m" || name == "dpm++2m-karras") {
    if (eta != 0)
      fail("eta ", eta, " applies to the ddim scheduler only (", name, " is deterministic)");
    return std::make_unique<DPMSolverMultistepScheduler>(config, name == "dpm++2m-karras");
  }
  std::string expected;  // "a, b or c"
  const auto& names = scheduler_names();
  for (size_t i = 0; i < names.size(); ++i)
    expected += (i == 0 ? "" : i + 1 < names.size() ? ", " : " or ") + names[i];
  fail("scheduler '", name, "' does not exist (expected ", expected, ")");
}

}  // namespace hd
