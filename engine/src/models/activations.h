// Activation functions by diffusers name, and GEGLU (diffusers models/activations.py).
#pragma once

#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace hd {

enum class Activation { kSilu, kGelu, kQuickGelu, kRelu };

// "silu"/"swish", "gelu", "quick_gelu", "relu"; anything else is an error naming `where`.
Activation activation_from_name(const std::string& name, const std::string& where);
torch::Tensor apply_activation(Activation act, const torch::Tensor& x);

// GEGLU: proj(x) split in two halves along the last dim, h * gelu(gate).
class GEGLUImpl : public torch::nn::Module {
 public:
  GEGLUImpl(int64_t dim_in, int64_t dim_out, bool bias = true);
  torch::Tensor forward(const torch::Tensor& x);  // [B, L, dim_in] -> [B, L, dim_out]

  torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(GEGLU);

}  // namespace hd
