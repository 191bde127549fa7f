#include "training/diffusion_target.h"

#include <torch/torch.h>

#include "common/error.h"

namespace hd::train {

torch::Tensor diffusion_target(const std::string& prediction, const torch::Tensor& x0,
                               const torch::Tensor& noise, const torch::Tensor& alphas_cumprod) {
  if (prediction == "epsilon") return noise;
  if (prediction == "v_prediction")
    return alphas_cumprod.sqrt() * noise - (1 - alphas_cumprod).sqrt() * x0;
  fail("training: prediction_type '", prediction, "' is neither epsilon nor v_prediction");
}

torch::Tensor min_snr_weight(const std::string& prediction, const torch::Tensor& alphas_cumprod,
                             double gamma) {
  torch::Tensor snr = alphas_cumprod / (1 - alphas_cumprod);  // [B]
  if (prediction == "v_prediction") return torch::clamp_max(snr + 1, gamma) / (snr + 1);
  if (prediction == "epsilon") return torch::clamp_max(snr, gamma) / snr;
  fail("training: prediction_type '", prediction, "' is neither epsilon nor v_prediction");
}

}  // namespace hd::train
