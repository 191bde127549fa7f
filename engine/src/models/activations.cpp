#include "models/activations.h"

#include "common/error.h"
#include "models/macs.h"

namespace hd {

Activation activation_from_name(const std::string& name, const std::string& where) {
  if (name == "silu" || name == "swish") return Activation::kSilu;
  if (name == "gelu") return Activation::kGelu;
  if (name == "quick_gelu") return Activation::kQuickGelu;
  if (name == "relu") return Activation::kRelu;
  fail(where, ": activation '", name, "' does not exist (expected silu, gelu, quick_gelu or relu)");
}

torch::Tensor apply_activation(Activation act, const torch::Tensor& x) {
  switch (act) {
    case Activation::kSilu:
      return torch::silu(x);
    case Activation::kGelu:
      return torch::gelu(x);
    case Activation::kQuickGelu:
      return x * torch::sigmoid(1.702 * x);
    case Activation::kRelu:
      return torch::relu(x);
  }
  return x;
}

GEGLUImpl::GEGLUImpl(int64_t dim_in, int64_t dim_out, bool bias) {
  proj = register_module("proj",
                         torch::nn::Linear(torch::nn::LinearOptions(dim_in, dim_out * 2).bias(bias)));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = linear_forward(proj, x);  // [B, L, 2*dim_out]
  auto halves = h.chunk(2, -1);
  return halves[0] * torch::gelu(halves[1]);
}

}  // namespace hd
