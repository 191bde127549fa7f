// Interleaved position steps: every K-th training step draws single-object scenes at the
// noisiest timesteps and weighs the grounding of their position words strongly.
//
// Where an object goes is decided in the first sampling steps, from near-pure noise, and a
// UNet without positional encoding has to learn "top" and "left" from its zero padding.
// Mixed into the general steps (all object counts, all timesteps, a light grounding weight)
// that supervision is too diluted to teach anything; concentrated, it teaches positions in
// about a thousand steps but, alone, costs colours and shapes. Interleaving keeps both.
#pragma once

#include <cstdint>

namespace hd::train {

struct StepPlan {
  bool position = false;  // a position step
  int64_t batch = 0;      // index into this kind of step's own (resumable) batch stream
};

// Step `step` of a run with a position step every `every` steps (0: none). Each kind of step
// counts its own batches, so both data streams stay consecutive (and prefetched) and a
// resumed run sees the batches it would have seen.
constexpr StepPlan plan_step(int64_t step, int every) {
  if (every <= 0) return {false, step};
  // Steps every-1, 2 every-1, ... are position steps: (step + 1) / every of them up to and
  // including `step`.
  const int64_t positions = (step + 1) / every;
  if ((step + 1) % every == 0) return {true, positions - 1};
  return {false, step - positions};
}

}  // namespace hd::train
