#include "highlight/step_plan.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace hd {

int StepPlan::full_steps() const {
  return static_cast<int>(std::count(modes.begin(), modes.end(), StepMode::kFull));
}

int StepPlan::partial_steps() const { return static_cast<int>(modes.size()) - full_steps(); }

StepPlan make_step_plan(int steps, const HighlightOptions& o) {
  if (o.interval < 1) fail("highlight interval must be at least 1, got ", o.interval);
  if (!(o.collect_at >= 0.0f && o.collect_at <= 1.0f)) {
    fail("highlight collection fraction must be in [0, 1], got ", o.collect_at);
  }
  StepPlan plan;
  plan.modes.assign(steps, StepMode::kFull);
  plan.capture.assign(steps, false);
  plan.keeps_cache.assign(steps, false);
  if (!o.enabled || steps < 3) return plan;
  const int c = std::min(steps - 1, static_cast<int>(std::lround(o.collect_at * steps)));
  if (c >= steps - 1) return plan;  // nothing left to accelerate
  plan.collect_step = c;
  plan.capture[c] = true;
  for (int i = c + 1; i < steps; ++i) {
    const bool full = (i - c) % o.interval == 0 || i == steps - 1;
    plan.modes[i] = full ? StepMode::kFull : StepMode::kPartial;
    if (full && o.refresh_mask && i != steps - 1) plan.capture[i] = true;
  }
  for (int i = 0, last_full = -1; i < steps; ++i) {
    if (plan.modes[i] == StepMode::kFull) {
      last_full = i;
    } else {
      plan.keeps_cache[last_full] = true;
    }
  }
  return plan;
}

}  // namespace hd
