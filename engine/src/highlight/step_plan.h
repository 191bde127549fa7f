// Which steps are full (dense, refresh the caches) and which are partial (masked blocks only).
#pragma once

#include <vector>

#include "hd/highlight.h"

namespace hd {

struct StepPlan {
  std::vector<StepMode> modes;  // one per step
  int collect_step = -1;        // the step whose cross-attention maps make the mask; -1: none
  std::vector<bool> capture;    // steps that capture maps (collection, and refreshes)
  std::vector<bool>
      keeps_cache;  // full steps whose caches a partial step reads (the others run dense)
  int full_steps() const;
  int partial_steps() const;
};

// Dense up to and including the collection step round(collect_at * steps); then a full step
// every `interval` steps and at the last step, partial steps otherwise. Disabled options,
// or a collection step at the end, give an all-dense plan.
StepPlan make_step_plan(int steps, const HighlightOptions& options);

}  // namespace hd
