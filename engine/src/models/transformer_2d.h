// Transformer2DModel for continuous inputs (diffusers models/transformers/transformer_2d.py).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/attention.h"

namespace hd {

struct Transformer2DModelOptions {
  int64_t num_attention_heads = 16;
  int64_t attention_head_dim = 88;
  int64_t in_channels = 0;
  int64_t num_layers = 1;
  int64_t cross_attention_dim = 0;
  int64_t norm_num_groups = 32;
  bool use_linear_projection = false;  // SD 2.x: Linear proj_in/out instead of 1x1 convs
  bool only_cross_attention = false;
};

// GroupNorm -> proj_in -> transformer_blocks -> proj_out, plus the input as residual.
class Transformer2DModelImpl : public torch::nn::Module {
 public:
  explicit Transformer2DModelImpl(const Transformer2DModelOptions& options);
  // x: [B, C, H, W], context: [B, S, D] -> [B, C, H, W]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

  const Transformer2DModelOptions& options() const { return options_; }

  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Conv2d proj_in_conv{nullptr}, proj_out_conv{nullptr};
  torch::nn::Linear proj_in_linear{nullptr}, proj_out_linear{nullptr};
  torch::nn::ModuleList transformer_blocks{nullptr};
  std::vector<BasicTransformerBlock> blocks;

 private:
  Transformer2DModelOptions options_;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace hd
