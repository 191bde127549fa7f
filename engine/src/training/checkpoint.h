// Training checkpoints: module weights, optimizer state, EMA weights and the step, in one
// file written atomically, so that a killed run resumes where it stopped.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

namespace hd::train {

// Exponential moving average of a set of parameters (the weights that get exported).
class Ema {
 public:
  Ema() = default;
  Ema(std::vector<torch::Tensor> params, double decay);
  // shadow = d * shadow + (1 - d) * param with d = min(decay, (1 + n) / (10 + n)), n the
  // updates since the shadow was (re)set: early on the average follows the weights instead
  // of keeping the random initialisation (diffusers' EMAModel warm-up).
  void update();
  void reset();                       // shadow <- params, warm-up restarts
  void set_updates(int64_t n) { updates_ = n; }  // on resume: the updates already made
  void copy_to_params() const;        // params <- shadow (for evaluation and export)
  std::vector<torch::Tensor>& shadow() { return shadow_; }
  bool empty() const { return params_.empty(); }

 private:
  std::vector<torch::Tensor> params_, shadow_;
  double decay_ = 0.999;
  int64_t updates_ = 0;
};

using NamedModules = std::vector<std::pair<std::string, torch::nn::Module*>>;

// `optimizer` may be null: a weights-only checkpoint (resumes with fresh Adam moments).
void save_checkpoint(const std::filesystem::path& file, const NamedModules& modules,
                     torch::optim::Optimizer* optimizer, Ema* ema, int64_t step);
// Returns the step stored in `file`, or -1 when the file does not exist. Tensors are read
// onto `device` (a checkpoint written on a GPU loads on a CPU and the other way round);
// the modules must already live there.
int64_t load_checkpoint(const std::filesystem::path& file, const NamedModules& modules,
                        torch::optim::Optimizer* optimizer, Ema* ema,
                        torch::Device device = torch::kCPU);

}  // namespace hd::train
