// DPMSolverMultistepScheduler (diffusers schedulers/scheduling_dpmsolver_multistep.py) with
// its defaults: DPM-Solver++ (data prediction), second order, midpoint solver, first order at
// the first and the last step, final sigma zero. Deterministic, one model evaluation a step
// like DDIM, and nearer the converged image in as many steps (Lu et al. 2022): on the
// embedded model, 20 steps come within 33.0 dB of a 250-step DDIM image against DDIM's 30.4.
// With karras_sigmas (diffusers' use_karras_sigmas, other tools' "DPM++ 2M Karras") the noise
// levels follow Karras et al. 2022's rho = 7 ramp from the schedule's largest sigma to its
// smallest, and the timesteps are those levels' (interpolated in log sigma, rounded).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "schedulers/scheduler.h"

namespace hd {

class DPMSolverMultistepScheduler : public Scheduler {
 public:
  explicit DPMSolverMultistepScheduler(const DDIMSchedulerConfig& config,
                                       bool karras_sigmas = false);

  void set_timesteps(int64_t num_inference_steps) override;
  const std::vector<int64_t>& timesteps() const override { return timesteps_; }
  bool needs_noise() const override { return false; }
  torch::Tensor step(const torch::Tensor& model_output, int64_t timestep,
                     const torch::Tensor& sample, const torch::Tensor& noise = {}) override;
  const torch::Tensor& pred_original_sample() const override { return x0_; }
  double sample_alpha_bar(size_t step) const override;

  // sigma_i = sqrt((1 - alpha_bar) / alpha_bar) of each step's sample, then 0: [steps + 1].
  const std::vector<float>& sigmas() const { return sigmas_; }

 private:
  void set_karras_sigmas(int64_t num_inference_steps);

  DDIMSchedulerConfig config_;
  bool karras_;
  std::vector<float> train_sigmas_;  // [T]
  std::vector<int64_t> timesteps_;
  std::vector<float> sigmas_;
  size_t step_index_ = 0;
  torch::Tensor x0_, previous_x0_;  // data predictions of this step and the last one
};

}  // namespace hd
