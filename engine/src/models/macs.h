// Multiply-accumulate counting for `hd inspect` and benchmarks.
//
// Modules report the MACs of their convolutions, linear layers and attention matmuls
// through the helpers below while a MacScope is active on the calling thread. Running a
// forward pass on the meta device under a MacScope counts a model's MACs without doing
// the arithmetic.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace hd {

struct MacCount {
  int64_t conv = 0;       // convolutions
  int64_t linear = 0;     // linear layers
  int64_t attention = 0;  // QK^T and PV matmuls
  int64_t total() const { return conv + linear + attention; }
};

// Counts MACs on this thread while alive. Scopes do not nest.
class MacScope {
 public:
  MacScope();
  ~MacScope();
  MacScope(const MacScope&) = delete;
  MacScope& operator=(const MacScope&) = delete;
  const MacCount& count() const { return count_; }

 private:
  MacCount count_;
};

// conv(x) / linear(x) plus counting.
torch::Tensor conv_forward(torch::nn::Conv2d& conv, const torch::Tensor& x);
torch::Tensor linear_forward(torch::nn::Linear& linear, const torch::Tensor& x);
// Attention over [batch*heads] pairs of (Lq x d) queries and (Lk x d) keys: QK^T and PV
// are 2 matmuls; computing the probabilities alone is 1.
void count_attention_macs(int64_t batch_heads, int64_t lq, int64_t lk, int64_t head_dim,
                          int matmuls = 2);

}  // namespace hd
