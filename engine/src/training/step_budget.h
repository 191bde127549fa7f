// Sizes a training run to a wall-clock budget: after a few warm-up steps it measures the
// time per step and shortens the run so that it ends inside the budget. The learning-rate
// schedule follows the shortened total, so a budgeted run decays fully, as a run given
// that --steps would (the total is reported so the run can be repeated with --steps).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace hd::train {

class StepBudget {
 public:
  // `seconds` <= 0: no budget, the total stays `steps`.
  StepBudget(int64_t first_step, int64_t steps, double seconds)
      : total_(steps), first_(first_step), seconds_(seconds), start_(Clock::now()) {}

  // Call at the start of each step; returns the (possibly shortened) total.
  int64_t at(int64_t step) {
    if (seconds_ <= 0 || fixed_) return total_;
    if (step == first_ + kSkip) mark_ = Clock::now();  // after cuDNN autotuning and warm-up
    if (step == first_ + kSkip + kMeasure) {
      const double per_step =
          std::chrono::duration<double>(Clock::now() - mark_).count() / kMeasure;
      const double left = seconds_ - std::chrono::duration<double>(Clock::now() - start_).count();
      const auto more = static_cast<int64_t>(std::max(0.0, left) / per_step);
      total_ = std::min(total_, step + std::max<int64_t>(1, more));
      fixed_ = true;
    }
    return total_;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr int64_t kSkip = 10, kMeasure = 40;
  int64_t total_, first_;
  double seconds_;
  bool fixed_ = false;
  Clock::time_point start_, mark_;
};

}  // namespace hd::train
