#include "pipeline/cached_prediction.h"

#include <cmath>

#include <torch/torch.h>

namespace hd {

CachedPrediction::CachedPrediction(std::string prediction_type)
    : prediction_type_(std::move(prediction_type)) {}

void CachedPrediction::remember(const torch::Tensor& sample, const torch::Tensor& output,
                                double alpha_bar) {
  if (!active()) return;
  const double a = std::sqrt(alpha_bar), s = std::sqrt(1.0 - alpha_bar);
  x0_ = a * sample - s * output;   // [1, C, h, w]
  eps_ = s * sample + a * output;  // [1, C, h, w]
}

torch::Tensor CachedPrediction::at(const torch::Tensor& output, const torch::Tensor& recomputed,
                                   double alpha_bar) const {
  if (!active() || !x0_.defined()) return output;
  const double a = std::sqrt(alpha_bar), s = std::sqrt(1.0 - alpha_bar);
  const torch::Tensor kept = a * eps_ - s * x0_;  // [1, C, h, w]
  return torch::where(recomputed.view({1, 1, recomputed.size(0), recomputed.size(1)}), output,
                      kept);
}

}  // namespace hd
