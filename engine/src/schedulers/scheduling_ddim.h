// DDIMScheduler (diffusers schedulers/scheduling_ddim.py), deterministic (eta = 0) and
// stochastic (eta > 0) sampling, epsilon / v_prediction / sample parameterisations.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "schedulers/scheduler.h"

namespace hd {

class DDIMScheduler : public Scheduler {
 public:
  // eta: the stochasticity of step() (0: deterministic).
  explicit DDIMScheduler(const DDIMSchedulerConfig& config, double eta = 0.0);

  void set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }
  double init_noise_sigma() const { return 1.0; }
  bool needs_noise() const override { return eta_ > 0; }
  // One reverse step x_t -> x_{t-1}. model_output and sample: [B, C, h, w].
  // `noise` is only used when eta > 0 (same shape as sample).
  torch::Tensor step(const torch::Tensor& model_output, int64_t timestep,
                     const torch::Tensor& sample, const torch::Tensor& noise = {}) override;

  // The clean-sample estimate x_0 of the last step() (for previews).
  const torch::Tensor& pred_original_sample() const override { return pred_original_sample_; }
  double sample_alpha_bar(size_t step) const override;
  // The clean-sample estimate x_0 of a noisy `sample` at training timestep `timestep` from
  // the model's output, by the config's prediction_type (not clipped). [B, C, h, w].
  torch::Tensor predict_original_sample(const torch::Tensor& model_output, int64_t timestep,
                                        const torch::Tensor& sample) const;

  const DDIMSchedulerConfig& config() const { return config_; }
  const torch::Tensor& alphas_cumprod() const { return alphas_cumprod_; }  // [T] float32

 private:
  DDIMSchedulerConfig config_;
  double eta_ = 0.0;
  torch::Tensor alphas_cumprod_;
  double final_alpha_cumprod_;
  int64_t num_inference_steps_ = 0;
  std::vector<int64_t> timesteps_;
  torch::Tensor pred_original_sample_;

  struct Estimate {
    torch::Tensor x0, eps;
  };
  // x_0 and epsilon from the model's output at a timestep with alphas_cumprod a_t.
  Estimate estimate(const torch::Tensor& model_output, float a_t,
                    const torch::Tensor& sample) const;
};

}  // namespace hd
