#include "schedulers/scheduling_ddim.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "common/error.h"

namespace hd {

DDIMScheduler::DDIMScheduler(const DDIMSchedulerConfig& config, double eta)
    : config_(config), eta_(eta) {
  alphas_cumprod_ = make_alphas_cumprod(config_);  // [T] float32
  final_alpha_cumprod_ = config_.set_alpha_to_one ? 1.0 : alphas_cumprod_[0].item<float>();
  if (config_.prediction_type != "epsilon" && config_.prediction_type != "v_prediction" &&
      config_.prediction_type != "sample") {
    fail("scheduler: prediction_type '", config_.prediction_type,
         "' does not exist (expected epsilon, v_prediction or sample)");
  }
}

void DDIMScheduler::set_timesteps(int64_t n) {
  const int64_t T = config_.num_train_timesteps;
  if (n <= 0 || n > T) fail("steps must be between 1 and ", T, ", got ", n);
  num_inference_steps_ = n;
  timesteps_.assign(n, 0);
  if (config_.timestep_spacing == "leading") {
    const int64_t ratio = T / n;
    for (int64_t i = 0; i < n; ++i) timesteps_[i] = (n - 1 - i) * ratio + config_.steps_offset;
  } else if (config_.timestep_spacing == "trailing") {
    const double ratio = static_cast<double>(T) / n;
    for (int64_t i = 0; i < n; ++i) {
      // numpy rounds halves to even, as nearbyint does in the default rounding mode.
      timesteps_[i] = static_cast<int64_t>(std::nearbyint(T - i * ratio)) - 1;
    }
  } else if (config_.timestep_spacing == "linspace") {
    const double step = n > 1 ? static_cast<double>(T - 1) / (n - 1) : 0.0;
    for (int64_t i = 0; i < n; ++i) {
      timesteps_[i] = static_cast<int64_t>(std::nearbyint((n - 1 - i) * step));
    }
  } else {
    fail("scheduler: timestep_spacing '", config_.timestep_spacing,
         "' does not exist (expected leading, trailing or linspace)");
  }
}

DDIMScheduler::Estimate DDIMScheduler::estimate(const torch::Tensor& model_output, float a_t,
                                                const torch::Tensor& sample) const {
  const float sqrt_a_t = std::sqrt(a_t), sqrt_b_t = std::sqrt(1.0f - a_t);
  if (config_.prediction_type == "epsilon")
    return {(sample - sqrt_b_t * model_output) / sqrt_a_t, model_output};
  if (config_.prediction_type == "sample")
    return {model_output, (sample - sqrt_a_t * model_output) / sqrt_b_t};
  // v_prediction
  return {sqrt_a_t * sample - sqrt_b_t * model_output, sqrt_a_t * model_output + sqrt_b_t * sample};
}

torch::Tensor DDIMScheduler::predict_original_sample(const torch::Tensor& model_output,
                                                     int64_t timestep,
                                                     const torch::Tensor& sample) const {
  if (timestep < 0 || timestep >= config_.num_train_timesteps)
    fail("scheduler: timestep ", timestep, " is out of range");
  return estimate(model_output, alphas_cumprod_[timestep].item<float>(), sample).x0;
}

double DDIMScheduler::sample_alpha_bar(size_t step) const {
  if (step >= timesteps_.size())
    fail("scheduler: step ", step, " of ", timesteps_.size(), " steps");
  return alphas_cumprod_[timesteps_[step]].item<double>();
}

torch::Tensor DDIMScheduler::step(const torch::Tensor& model_output, int64_t timestep,
                                  const torch::Tensor& sample, const torch::Tensor& noise) {
  const double eta = eta_;
  if (num_inference_steps_ == 0) fail("scheduler: set_timesteps() was not called");
  const int64_t T = config_.num_train_timesteps;
  if (timestep < 0 || timestep >= T) fail("scheduler: timestep ", timestep, " is out of range");
  const int64_t prev_t = timestep - T / num_inference_steps_;
  // Scalars in float32, as diffusers keeps alphas_cumprod.
  const float a_t = alphas_cumprod_[timestep].item<float>();
  const float a_prev = prev_t >= 0 ? alphas_cumprod_[prev_t].item<float>()
                                   : static_cast<float>(final_alpha_cumprod_);
  const float b_t = 1.0f - a_t;
  auto [x0, eps] = estimate(model_output, a_t, sample);
  if (config_.clip_sample) {
    x0 = x0.clamp(-config_.clip_sample_range, config_.clip_sample_range);
  }
  const float b_prev = 1.0f - a_prev;
  const float variance = (b_prev / b_t) * (1.0f - a_t / a_prev);
  const float std_dev = static_cast<float>(eta) * std::sqrt(variance);

  // Zero in exact arithmetic at the pure-noise step of a zero-terminal-SNR schedule with
  // eta = 1, where float32 can round it below zero (diffusers then returns NaN).
  torch::Tensor direction = std::sqrt(std::max(0.0f, 1.0f - a_prev - std_dev * std_dev)) * eps;
  torch::Tensor prev = std::sqrt(a_prev) * x0 + direction;
  if (eta > 0) {
    if (!noise.defined()) fail("scheduler: eta > 0 needs a noise tensor");
    prev = prev + std_dev * noise;
  }
  pred_original_sample_ = x0;
  return prev;
}

}  // namespace hd
