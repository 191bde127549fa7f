// The sampling loop's view of a diffusers scheduler: its timesteps, and one reverse step at a
// time, called in order over timesteps(). make_scheduler picks the implementation by name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "schedulers/noise_schedule.h"

namespace hd {

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual void set_timesteps(int64_t num_inference_steps) = 0;
  virtual const std::vector<int64_t>& timesteps() const = 0;

  // Whether step() needs a noise tensor (stochastic sampling).
  virtual bool needs_noise() const = 0;
  // x_t -> x_{t-1} at `timestep`, the next of timesteps(). model_output, sample and noise:
  // [B, C, h, w] float32.
  virtual torch::Tensor step(const torch::Tensor& model_output, int64_t timestep,
                             const torch::Tensor& sample, const torch::Tensor& noise) = 0;
  // The clean-sample estimate x_0 of the last step (for previews).
  virtual const torch::Tensor& pred_original_sample() const = 0;
  // alpha_bar of the noise level the sampler takes step `step`'s sample to be at:
  // x = sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) eps. The training schedule's value at the
  // step's timestep, except where the levels are not the training ones (Karras sigmas).
  virtual double sample_alpha_bar(size_t step) const = 0;
};

// "ddim" (DDIMScheduler, with `eta`), "dpm++2m" (DPMSolverMultistepScheduler: dpmsolver++,
// second order, midpoint) or "dpm++2m-karras" (the same on Karras sigmas). A bad name, or
// eta > 0 for a deterministic solver, fails naming it.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name,
                                          const DDIMSchedulerConfig& config, double eta);

}  // namespace hd
