// BasicTransformerBlock and FeedForward (diffusers models/attention.py), layer_norm type.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/activations.h"
#include "models/attention_processor.h"

namespace hd {

// net.0 = GEGLU(dim, inner), net.1 = dropout (no weights), net.2 = Linear(inner, dim).
class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t dim, int64_t inner_dim);
  torch::Tensor forward(const torch::Tensor& x);  // [B, L, dim] -> [B, L, dim]

  torch::nn::ModuleList net{nullptr};
  GEGLU geglu{nullptr};
  torch::nn::Linear proj_out{nullptr};
};
TORCH_MODULE(FeedForward);

struct BasicTransformerBlockOptions {
  int64_t dim = 0;
  int64_t heads = 8;
  int64_t dim_head = 64;
  int64_t cross_attention_dim = 0;
  bool only_cross_attention = false;  // attn1 attends to the text too
  bool attention_bias = false;
  double norm_eps = 1e-5;
};

// norm1 -> attn1 (self) -> norm2 -> attn2 (cross) -> norm3 -> ff, each with a residual.
class BasicTransformerBlockImpl : public torch::nn::Module {
 public:
  explicit BasicTransformerBlockImpl(const BasicTransformerBlockOptions& options);
  // x: [B, L, dim], context: [B, S, cross_attention_dim]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Attention attn1{nullptr}, attn2{nullptr};
  FeedForward ff{nullptr};

 private:
  BasicTransformerBlockOptions options_;
};
TORCH_MODULE(BasicTransformerBlock);

}  // namespace hd
