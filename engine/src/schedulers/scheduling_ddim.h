// DDIMScheduler (diffusers schedulers/scheduling_ddim.py), deterministic (eta = 0) and
// stochastic (eta > 0) sampling, epsilon / v_prediction / sample parameterisations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace hd {

class JsonConfig;

struct DDIMSchedulerConfig {
  int64_t num_train_timesteps = 1000;
  double beta_start = 0.0001;
  double beta_end = 0.02;
  std::string beta_schedule = "linear";  // linear | scaled_linear | squaredcos_cap_v2
  bool clip_sample = true;
  double clip_sample_range = 1.0;
  bool set_alpha_to_one = true;
  int64_t steps_offset = 0;
  std::string prediction_type = "epsilon";    // epsilon | v_prediction | sample
  std::string timestep_spacing = "leading";   // leading | trailing | linspace
  bool rescale_betas_zero_snr = false;

  // Reads scheduler_config.json; accepts configs of other diffusers schedulers (PNDM,
  // LMSDiscrete, ...) since SD releases ship PNDM's, and keeps the betas they define.
  static DDIMSchedulerConfig from_json(const JsonConfig& config);
  // SD v1.x settings: scaled_linear 0.00085..0.012, steps_offset 1, no clipping.
  static DDIMSchedulerConfig stable_diffusion();
};

class DDIMScheduler {
 public:
  explicit DDIMScheduler(const DDIMSchedulerConfig& config);

  void set_timesteps(int64_t num_inference_steps);
  const std::vector<int64_t>& timesteps() const { return timesteps_; }
  double init_noise_sigma() const { return 1.0; }

  // One reverse step x_t -> x_{t-1}. model_output and sample: [B, C, h, w].
  // `noise` is only used when eta > 0 (same shape as sample).
  torch::Tensor step(const torch::Tensor& model_output, int64_t timestep,
                     const torch::Tensor& sample, double eta = 0.0,
                     const torch::Tensor& noise = {}) const;

  // The clean-sample estimate x_0 of the last step() (for previews).
  const torch::Tensor& pred_original_sample() const { return pred_original_sample_; }
  // The clean-sample estimate x_0 of a noisy `sample` at training timestep `timestep` from
  // the model's output, by the config's prediction_type (not clipped). [B, C, h, w].
  torch::Tensor predict_original_sample(const torch::Tensor& model_output, int64_t timestep,
                                        const torch::Tensor& sample) const;

  const DDIMSchedulerConfig& config() const { return config_; }
  const torch::Tensor& alphas_cumprod() const { return alphas_cumprod_; }  // [T] float32

 private:
  DDIMSchedulerConfig config_;
  torch::Tensor alphas_cumprod_;
  double final_alpha_cumprod_;
  int64_t num_inference_steps_ = 0;
  std::vector<int64_t> timesteps_;
  mutable torch::Tensor pred_original_sample_;

  struct Estimate {
    torch::Tensor x0, eps;
  };
  // x_0 and epsilon from the model's output at a timestep with alphas_cumprod a_t.
  Estimate estimate(const torch::Tensor& model_output, float a_t,
                    const torch::Tensor& sample) const;
};

}  // namespace hd
