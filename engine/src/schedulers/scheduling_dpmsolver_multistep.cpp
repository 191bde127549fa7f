#include "schedulers/scheduling_dpmsolver_multistep.h"

#include <cmath>
#include <limits>

#include <torch/torch.h>

#include "common/error.h"

namespace hd {
namespace {

// A noise level sigma as the pair (alpha_t, sigma_t) of x_t = alpha_t x_0 + sigma_t eps, and
// its half log-SNR lambda = log(alpha_t / sigma_t) (+inf at sigma 0). float32, as diffusers.
struct Level {
  float alpha, sigma, lambda;
  explicit Level(float s)
      : alpha(1.0f / std::sqrt(s * s + 1.0f)),
        sigma(s * alpha),
        lambda(std::log(alpha) - std::log(sigma)) {}
};

}  // namespace

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(const DDIMSchedulerConfig& config)
    : config_(config) {
  if (config_.prediction_type != "epsilon" && config_.prediction_type != "v_prediction" &&
      config_.prediction_type != "sample") {
    fail("scheduler: prediction_type '", config_.prediction_type,
         "' does not exist (expected epsilon, v_prediction or sample)");
  }
  torch::Tensor ac = make_alphas_cumprod(config_);  // [T] float32
  // A zero-terminal-SNR schedule's last alpha_bar is 0: an infinite sigma. diffusers keeps
  // it at 2^-24 (sigma 4096).
  if (config_.rescale_betas_zero_snr) ac[-1] = std::ldexp(1.0f, -24);
  torch::Tensor s = ((1 - ac) / ac).pow(0.5).contiguous();
  train_sigmas_.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
}

void DPMSolverMultistepScheduler::set_timesteps(int64_t n) {
  const int64_t T = config_.num_train_timesteps;
  if (n <= 0 || n > T) fail("steps must be between 1 and ", T, ", got ", n);
  const std::string spacing =
      config_.timestep_spacing_given ? config_.timestep_spacing : "linspace";
  timesteps_.assign(n, 0);
  if (spacing == "linspace") {
    // numpy: linspace(0, T - 1, n + 1) (its last point exactly T - 1), rounded half to even,
    // reversed, without the final 0.
    const double step = static_cast<double>(T - 1) / static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = n - i;
      const double v = k == n ? static_cast<double>(T - 1) : static_cast<double>(k) * step;
      timesteps_[i] = static_cast<int64_t>(std::nearbyint(v));
    }
  } else if (spacing == "leading") {
    const int64_t ratio = T / (n + 1);
    for (int64_t i = 0; i < n; ++i) timesteps_[i] = (n - i) * ratio + config_.steps_offset;
  } else if (spacing == "trailing") {
    const double ratio = static_cast<double>(T) / static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) {
      timesteps_[i] = static_cast<int64_t>(std::nearbyint(T - static_cast<double>(i) * ratio)) - 1;
    }
  } else {
    fail("scheduler: timestep_spacing '", spacing,
         "' does not exist (expected leading, trailing or linspace)");
  }
  sigmas_.clear();
  for (int64_t t : timesteps_) {
    if (t < 0 || t >= T) fail("scheduler: timestep ", t, " is out of range");
    sigmas_.push_back(train_sigmas_[static_cast<size_t>(t)]);
  }
  sigmas_.push_back(0.0f);  // final_sigmas_type "zero": the last step lands on x_0
  step_index_ = 0;
  x0_ = previous_x0_ = torch::Tensor();
}

torch::Tensor DPMSolverMultistepScheduler::step(const torch::Tensor& model_output, int64_t timestep,
                                                const torch::Tensor& sample,
                                                const torch::Tensor& /*noise*/) {
  if (timesteps_.empty()) fail("scheduler: set_timesteps() was not called");
  if (step_index_ >= timesteps_.size())
    fail("scheduler: all ", timesteps_.size(), " steps are done");
  if (timestep != timesteps_[step_index_]) {
    fail("scheduler: step ", step_index_, " is at timestep ", timesteps_[step_index_], ", got ",
         timestep);
  }
  const size_t k = step_index_;
  const Level s0(sigmas_[k]), t(sigmas_[k + 1]);
  // The model's output as a data prediction (dpmsolver++ works on x_0).
  torch::Tensor x0;
  if (config_.prediction_type == "epsilon") {
    x0 = (sample - s0.sigma * model_output) / s0.alpha;
  } else if (config_.prediction_type == "v_prediction") {
    x0 = s0.alpha * sample - s0.sigma * model_output;
  } else {
    x0 = model_output;
  }
  const float h = t.lambda - s0.lambda;  // +inf at the last step (sigma 0)
  const float phi = t.alpha * (std::exp(-h) - 1.0f);
  torch::Tensor prev;
  // First order at the first step (no history) and at the last (final sigma zero).
  if (k == 0 || k + 1 == timesteps_.size()) {
    prev = (t.sigma / s0.sigma) * sample - phi * x0;
  } else {
    const Level s1(sigmas_[k - 1]);
    const float r0 = (s0.lambda - s1.lambda) / h;
    const torch::Tensor d1 = (1.0f / r0) * (x0 - previous_x0_);
    prev = (t.sigma / s0.sigma) * sample - phi * x0 - 0.5f * phi * d1;
  }
  previous_x0_ = x0;
  x0_ = x0;
  ++step_index_;
  return prev;
}

}  // namespace hd
