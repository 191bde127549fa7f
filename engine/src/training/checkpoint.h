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
  void update();                      // shadow = decay * shadow + (1 - decay) * param
  void copy_to_params() const;        // params <- shadow (for evaluation and export)
  std::vector<torch::Tensor>& shadow() { return shadow_; }
  bool empty() const { return params_.empty(); }

 private:
  std::vector<torch::Tensor> params_, shadow_;
  double decay_ = 0.999;
};

using NamedModules = std::vector<std::pair<std::string, torch::nn::Module*>>;

void save_checkpoint(const std::filesystem::path& file, const NamedModules& modules,
                     torch::optim::Optimizer& optimizer, Ema* ema, int64_t step);
// Returns the step stored in `file`, or -1 when the file does not exist.
int64_t load_checkpoint(const std::filesystem::path& file, const NamedModules& modules,
                        torch::optim::Optimizer* optimizer, Ema* ema);

}  // namespace hd::train
