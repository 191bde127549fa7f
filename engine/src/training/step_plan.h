// Interleaved focus steps: besides the general steps (all object counts, all timesteps),
// every K-th training step may be a position step or a shape step.
//
// Position steps draw single-object scenes at the noisiest timesteps and weigh the grounding
// of their position words strongly. Where an object goes is decided in the first sampling
// steps, from near-pure noise, and a UNet without positional encoding has to learn "top" and
// "left" from its zero padding. Mixed into the general steps that supervision is too diluted
// to teach anything; concentrated, it teaches positions in about a thousand steps but, alone,
// costs colours and shapes. Interleaving keeps both.
//
// Shape steps draw single-object scenes at the middle timesteps, where an object's outline
// forms (its place and colour are set before, its edges after), and weigh the object's pixels
// strongly in the denoising loss. In general steps the outline that tells a circle from a
// square is a few percent of a few percent of the pixels, and of the timesteps.
#pragma once

#include <cstdint>
#include <numeric>

namespace hd::train {

enum class StepKind { kGeneral, kPosition, kShape };

struct StepPlan {
  StepKind kind = StepKind::kGeneral;
  int64_t batch = 0;  // index into this kind of step's own (resumable) batch stream

  constexpr bool position() const { return kind == StepKind::kPosition; }
  constexpr bool shape() const { return kind == StepKind::kShape; }
};

// Step `step` of a run with a position step every `position_every` steps and a shape step
// every `shape_every` steps (0: none); where both fall on one step, it is a position step.
// Each kind of step counts its own batches, so every data stream stays consecutive (and
// prefetched) and a resumed run sees the batches it would have seen. Steps count from 0:
// step s is a position step when (s + 1) is a multiple of position_every.
constexpr StepPlan plan_step(int64_t step, int position_every, int shape_every = 0) {
  const int64_t n = step + 1;  // steps up to and including this one
  const int64_t positions = position_every > 0 ? n / position_every : 0;
  int64_t shapes = 0;
  if (shape_every > 0) {
    shapes = n / shape_every;
    if (position_every > 0) {  // less the shape steps that are position steps
      shapes -= n / std::lcm<int64_t>(position_every, shape_every);
    }
  }
  if (position_every > 0 && n % position_every == 0) return {StepKind::kPosition, positions - 1};
  if (shape_every > 0 && n % shape_every == 0) return {StepKind::kShape, shapes - 1};
  return {StepKind::kGeneral, step - positions - shapes};
}

}  // namespace hd::train
