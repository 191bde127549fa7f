#include "schedulers/noise_schedule.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <torch/torch.h>

#include "common/error.h"
#include "io/json_config.h"

namespace hd {

DDIMSchedulerConfig DDIMSchedulerConfig::from_json(const JsonConfig& c) {
  DDIMSchedulerConfig s;
  s.num_train_timesteps = c.get_int("num_train_timesteps", 1000);
  s.beta_start = c.get_double("beta_start", 0.0001);
  s.beta_end = c.get_double("beta_end", 0.02);
  s.beta_schedule = c.get_string("beta_schedule", "linear");
  s.clip_sample = c.get_bool("clip_sample", true);
  s.clip_sample_range = c.get_double("clip_sample_range", 1.0);
  s.set_alpha_to_one = c.get_bool("set_alpha_to_one", true);
  s.steps_offset = c.get_int("steps_offset", 0);
  s.prediction_type = c.get_string("prediction_type", "epsilon");
  s.timestep_spacing = c.get_string("timestep_spacing", "leading");
  s.timestep_spacing_given = c.has("timestep_spacing") && !c.is_null("timestep_spacing");
  s.rescale_betas_zero_snr = c.get_bool("rescale_betas_zero_snr", false);
  if (c.get_bool("thresholding", false)) fail(c.origin(), ": thresholding is not supported");
  if (c.has("trained_betas") && !c.is_null("trained_betas")) {
    fail(c.origin(), ": trained_betas is not supported");
  }
  if (s.num_train_timesteps <= 0) fail(c.origin(), ": num_train_timesteps must be positive");
  return s;
}

DDIMSchedulerConfig DDIMSchedulerConfig::stable_diffusion() {
  DDIMSchedulerConfig s;
  s.beta_start = 0.00085;
  s.beta_end = 0.012;
  s.beta_schedule = "scaled_linear";
  s.clip_sample = false;
  s.set_alpha_to_one = false;
  s.steps_offset = 1;
  return s;
}

namespace {

torch::Tensor make_betas(const DDIMSchedulerConfig& c) {
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  const int64_t T = c.num_train_timesteps;
  if (c.beta_schedule == "linear") return torch::linspace(c.beta_start, c.beta_end, T, f32);
  if (c.beta_schedule == "scaled_linear") {
    return torch::linspace(std::sqrt(c.beta_start), std::sqrt(c.beta_end), T, f32).pow(2);
  }
  if (c.beta_schedule == "squaredcos_cap_v2") {
    auto alpha_bar = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
    std::vector<float> betas(T);
    for (int64_t i = 0; i < T; ++i) {
      const double t1 = static_cast<double>(i) / T, t2 = static_cast<double>(i + 1) / T;
      betas[i] = static_cast<float>(std::min(1 - alpha_bar(t2) / alpha_bar(t1), 0.999));
    }
    return torch::tensor(betas, f32);
  }
  fail("scheduler: beta_schedule '", c.beta_schedule,
       "' does not exist (expected linear, scaled_linear or squaredcos_cap_v2)");
}

// Zero terminal SNR (Lin et al. 2023), as diffusers' rescale_zero_terminal_snr.
torch::Tensor rescale_zero_terminal_snr(const torch::Tensor& betas) {
  torch::Tensor alphas_bar_sqrt = torch::cumprod(1.0 - betas, 0).sqrt();
  torch::Tensor first = alphas_bar_sqrt[0].clone(), last = alphas_bar_sqrt[-1].clone();
  alphas_bar_sqrt = (alphas_bar_sqrt - last) * first / (first - last);
  torch::Tensor alphas_bar = alphas_bar_sqrt.pow(2);
  torch::Tensor alphas =
      torch::cat({alphas_bar.slice(0, 0, 1), alphas_bar.slice(0, 1) / alphas_bar.slice(0, 0, -1)});
  return 1 - alphas;
}

}  // namespace

torch::Tensor make_alphas_cumprod(const DDIMSchedulerConfig& config) {
  torch::Tensor betas = make_betas(config);
  if (config.rescale_betas_zero_snr) betas = rescale_zero_terminal_snr(betas);
  return torch::cumprod(1.0 - betas, 0);
}

}  // namespace hd
