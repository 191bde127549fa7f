// What a partial step's cached region predicts, for models that do not predict noise.
//
// Outside the mask's tiles a partial step returns the UNet output of the last full step. For an
// epsilon-prediction model that output is the noise estimate, and keeping it means keeping the
// full step's estimates of the noise and of the clean sample. A v-prediction model outputs
// v = alpha_t * eps - sigma_t * x0, which depends on the timestep itself: kept unchanged over
// the interval's steps, it drifts from what the same estimates give at the later timestep (at
// 20 DDIM steps, alpha_t more than doubles between two full steps 5 steps apart). This class
// keeps the estimates instead: at a full step it remembers the sample and the (guided) output,
// and at a partial step it re-expresses them at the current timestep outside the recomputed
// region. For epsilon and sample prediction that is the cached output itself: nothing changes.
#pragma once

#include <string>

#include <torch/types.h>

namespace hd {

class CachedPrediction {
 public:
  explicit CachedPrediction(std::string prediction_type);

  // Whether partial steps' outputs need re-expressing (v-prediction).
  bool active() const { return prediction_type_ == "v_prediction"; }

  // At a full step: the sample x_t and the model's guided output [1, C, h, w], and alpha_bar_t.
  void remember(const torch::Tensor& sample, const torch::Tensor& output, double alpha_bar);

  // At a partial step at alpha_bar_t: `output` with its pixels outside `recomputed` ([h, w]
  // bool, the latent pixels of the partial step's active tiles) replaced by the remembered
  // estimates' v at this timestep. Returns `output` as is before any full step.
  torch::Tensor at(const torch::Tensor& output, const torch::Tensor& recomputed,
                   double alpha_bar) const;

 private:
  std::string prediction_type_;
  torch::Tensor x0_, eps_;  // the last full step's estimates, [1, C, h, w]
};

}  // namespace hd
