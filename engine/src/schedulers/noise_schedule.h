// The training noise schedule that diffusers' schedulers share: the scheduler_config.json
// settings (betas, prediction type, timestep spacing) and the cumulative alphas they define.
#pragma once

#include <cstdint>
#include <string>

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
  std::string prediction_type = "epsilon";   // epsilon | v_prediction | sample
  std::string timestep_spacing = "leading";  // leading | trailing | linspace
  // Whether scheduler_config.json names timestep_spacing; where it does not (SD v1.x's PNDM
  // config), each scheduler takes its own diffusers default (DDIM leading, DPM-Solver linspace).
  bool timestep_spacing_given = false;
  bool rescale_betas_zero_snr = false;

  // Reads scheduler_config.json; accepts configs of other diffusers schedulers (PNDM,
  // LMSDiscrete, ...) since SD releases ship PNDM's, and keeps the betas they define.
  static DDIMSchedulerConfig from_json(const JsonConfig& config);
  // SD v1.x settings: scaled_linear 0.00085..0.012, steps_offset 1, no clipping.
  static DDIMSchedulerConfig stable_diffusion();
};

// alphas_cumprod of the config's betas (zero terminal SNR rescaled where it says so): [T]
// float32, as diffusers keeps them.
torch::Tensor make_alphas_cumprod(const DDIMSchedulerConfig& config);

}  // namespace hd
