#include "training/diffusion_target.h"

#include <algorithm>
#include <cmath>

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

torch::Tensor object_loss_weights(const torch::Tensor& masks, double w, double edge) {
  if (masks.dim() != 4) fail("object_loss_weights: masks must be [B, K, h, w], got ", masks.sizes());
  if (w < 0) fail("object_loss_weights: weight ", w, " must be >= 0");
  if (edge < 0) fail("object_loss_weights: edge weight ", edge, " must be >= 0");
  torch::Tensor cover = std::get<0>(masks.max(1, /*keepdim=*/true)).clamp(0, 1);  // [B, 1, h, w]
  torch::Tensor weights = 1 + w * cover;
  if (edge > 0) {
    namespace F = torch::nn::functional;
    const auto pool = F::MaxPool2dFuncOptions(3).stride(1).padding(1);
    torch::Tensor dilated = F::max_pool2d(cover, pool);   // [B, 1, h, w]
    torch::Tensor eroded = -F::max_pool2d(-cover, pool);  // [B, 1, h, w]
    weights = weights + edge * (dilated - eroded);
  }
  return weights / weights.mean({1, 2, 3}, /*keepdim=*/true);
}

namespace {

// How many of the T timesteps a `portion` of them is (at least one), checking both.
int64_t portion_count(const char* what, int64_t num_timesteps, double portion) {
  if (num_timesteps < 1) fail(what, ": ", num_timesteps, " timesteps");
  if (!(portion > 0 && portion <= 1)) fail(what, ": portion ", portion, " must be in (0, 1]");
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(portion * num_timesteps)));
}

}  // namespace

torch::Tensor timestep_weights(int64_t num_timesteps, const std::string& strategy, double multiplier,
                               double portion) {
  const int64_t n = portion_count("timestep bias", num_timesteps, portion);
  if (strategy != "none" && strategy != "later" && strategy != "earlier") {
    fail("timestep bias: strategy '", strategy, "' is none, later or earlier");
  }
  if (!(multiplier > 0)) fail("timestep bias: multiplier ", multiplier, " must be > 0");
  torch::Tensor w = torch::ones({num_timesteps}, torch::kDouble);  // [T]
  if (strategy == "later") w.slice(0, num_timesteps - n).fill_(multiplier);
  if (strategy == "earlier") w.slice(0, 0, n).fill_(multiplier);
  return w / w.sum();
}

torch::Tensor noisiest_timesteps(int64_t num_timesteps, double portion, int64_t count,
                                 const torch::Generator& generator) {
  const int64_t n = portion_count("noisiest timesteps", num_timesteps, portion);
  return torch::randint(num_timesteps - n, num_timesteps, {count}, generator,
                        torch::kLong);  // [count]
}

torch::Tensor timestep_band(int64_t num_timesteps, double from, double to, int64_t count,
                            const torch::Generator& generator) {
  if (num_timesteps < 1) fail("timestep band: ", num_timesteps, " timesteps");
  if (!(from >= 0 && from < to && to <= 1)) {
    fail("timestep band: ", from, "..", to, " is not a band within 0..1");
  }
  const int64_t lo = std::min<int64_t>(std::llround(from * num_timesteps), num_timesteps - 1);
  const int64_t hi = std::clamp<int64_t>(std::llround(to * num_timesteps), lo + 1, num_timesteps);
  return torch::randint(lo, hi, {count}, generator, torch::kLong);  // [count]
}

}  // namespace hd::train
