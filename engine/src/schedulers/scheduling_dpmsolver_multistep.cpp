#include "schedulers/scheduling_dpmsolver_multistep.h"

#include <algorithm>
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

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(const DDIMSchedulerConfig& config,
                                                         bool karras_sigmas)
    : config_(config), karras_(karras_sigmas) {
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
  step_index_ = 0;
  x0_ = previous_x0_ = torch::Tensor();
  if (karras_) {
    set_karras_sigmas(n);
    return;
  }
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
}

void DPMSolverMultistepScheduler::set_karras_sigmas(int64_t n) {
  // As diffusers (numpy): the ramp in float64 from the float32 training sigmas, each level's
  // timestep interpolated linearly in log sigma between its two neighbouring training
  // timesteps and rounded half to even, the levels then stored as float32.
  const size_t T = train_sigmas_.size();
  std::vector<double> log_sigmas(T);
  for (size_t i = 0; i < T; ++i) log_sigmas[i] = std::log(static_cast<double>(train_sigmas_[i]));
  const double rho = 7.0;
  const double max_inv_rho = std::pow(static_cast<double>(train_sigmas_.back()), 1.0 / rho);
  const double min_inv_rho = std::pow(static_cast<double>(train_sigmas_.front()), 1.0 / rho);
  timesteps_.assign(n, 0);
  sigmas_.assign(n + 1, 0.0f);  // the last stays 0: final_sigmas_type "zero"
  for (int64_t i = 0; i < n; ++i) {
    // numpy's linspace(0, 1, n): i * step, its last point exactly 1.
    const double ramp = i + 1 == n ? (n > 1 ? 1.0 : 0.0)
                                   : static_cast<double>(i) * (1.0 / static_cast<double>(n - 1));
    const double sigma = std::pow(max_inv_rho + ramp * (min_inv_rho - max_inv_rho), rho);
    const double log_sigma = std::log(std::max(sigma, 1e-10));
    // low: the last training timestep whose sigma is at most this one (sigmas grow with t),
    // kept below T - 1 so that low + 1 exists.
    size_t low = 0;
    for (size_t j = 0; j < T; ++j) {
      if (log_sigma - log_sigmas[j] >= 0) low = j;
    }
    low = std::min(low, T - 2);
    const double w = std::clamp(
        (log_sigmas[low] - log_sigma) / (log_sigmas[low] - log_sigmas[low + 1]), 0.0, 1.0);
    timesteps_[i] = static_cast<int64_t>(
        std::nearbyint((1 - w) * static_cast<double>(low) + w * static_cast<double>(low + 1)));
    sigmas_[i] = static_cast<float>(sigma);
  }
}

double DPMSolverMultistepScheduler::sample_alpha_bar(size_t step) const {
  if (step >= timesteps_.size())
    fail("scheduler: step ", step, " of ", timesteps_.size(), " steps");
  const double s = sigmas_[step];
  return 1.0 / (1.0 + s * s);
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
