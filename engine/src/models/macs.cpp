#include "models/macs.h"

namespace hd {
namespace {
thread_local MacCount* g_count = nullptr;
}  // namespace

MacScope::MacScope() { g_count = &count_; }
MacScope::~MacScope() { g_count = nullptr; }

torch::Tensor conv_forward(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  torch::Tensor y = conv->forward(x);  // [B, Cout, H', W']
  if (g_count) {
    const auto& w = conv->weight;  // [Cout, Cin/groups, kh, kw]
    g_count->conv += y.numel() * w.size(1) * w.size(2) * w.size(3);
  }
  return y;
}

torch::Tensor linear_forward(torch::nn::Linear& linear, const torch::Tensor& x) {
  torch::Tensor y = linear->forward(x);  // [..., out]
  if (g_count) g_count->linear += y.numel() * linear->weight.size(1);
  return y;
}

void count_attention_macs(int64_t batch_heads, int64_t lq, int64_t lk, int64_t head_dim,
                          int matmuls) {
  if (g_count) g_count->attention += matmuls * batch_heads * lq * lk * head_dim;
}

}  // namespace hd
