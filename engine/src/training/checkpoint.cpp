#include "training/checkpoint.h"

#include <algorithm>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "common/error.h"

namespace hd::train {
namespace fs = std::filesystem;

Ema::Ema(std::vector<torch::Tensor> params, double decay) : params_(std::move(params)), decay_(decay) {
  torch::NoGradGuard no_grad;
  for (const auto& p : params_) shadow_.push_back(p.detach().clone());
}

void Ema::update() {
  torch::NoGradGuard no_grad;
  const double n = static_cast<double>(updates_++);
  const double d = std::min(decay_, (1.0 + n) / (10.0 + n));
  for (size_t i = 0; i < params_.size(); ++i) shadow_[i].mul_(d).add_(params_[i], 1.0 - d);
}

void Ema::reset() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) shadow_[i].copy_(params_[i]);
  updates_ = 0;
}

void Ema::copy_to_params() const {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) params_[i].copy_(shadow_[i]);
}

void save_checkpoint(const fs::path& file, const NamedModules& modules,
                     torch::optim::Optimizer* optimizer, Ema* ema, int64_t step) {
  torch::serialize::OutputArchive archive;
  archive.write("step", torch::tensor(step));
  for (const auto& [name, module] : modules) {
    torch::serialize::OutputArchive sub;
    module->save(sub);
    archive.write(name, sub);
  }
  if (optimizer) {
    torch::serialize::OutputArchive opt;
    optimizer->save(opt);
    archive.write("optimizer", opt);
  }
  if (ema && !ema->empty()) {
    for (size_t i = 0; i < ema->shadow().size(); ++i) archive.write("ema." + std::to_string(i), ema->shadow()[i]);
  }
  fs::create_directories(file.parent_path());
  const fs::path tmp = file.string() + ".tmp";
  archive.save_to(tmp.string());
  fs::rename(tmp, file);
}

int64_t load_checkpoint(const fs::path& file, const NamedModules& modules,
                        torch::optim::Optimizer* optimizer, Ema* ema, torch::Device device) {
  if (!fs::exists(file)) return -1;
  torch::serialize::InputArchive archive;
  archive.load_from(file.string(), device);
  torch::Tensor step;
  archive.read("step", step);
  for (const auto& [name, module] : modules) {
    torch::serialize::InputArchive sub;
    if (!archive.try_read(name, sub)) fail(file.string(), ": checkpoint has no module '", name, "'");
    module->load(sub);
  }
  if (optimizer) {
    torch::serialize::InputArchive opt;
    if (archive.try_read("optimizer", opt)) optimizer->load(opt);
  }
  if (ema && !ema->empty()) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < ema->shadow().size(); ++i) {
      torch::Tensor t;
      if (archive.try_read("ema." + std::to_string(i), t)) ema->shadow()[i].copy_(t);
    }
  }
  return step.item<int64_t>();
}

}  // namespace hd::train
