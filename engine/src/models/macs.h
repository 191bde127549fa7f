// Multiply-accumulate counting for `hd inspect` and benchmarks.
//
// Modules report the MACs of their convolutions, linear layers and attention matmuls
// through the helpers below while a MacScope is active on the calling thread. A dry-run
// scope also skips that arithmetic (the helpers return uninitialised tensors of the right
// shape), so counting a model's MACs costs only its cheap elementwise work.
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

// Counts MACs on this thread while alive. An inner scope counts on its own and restores the
// outer one when it ends.
class MacScope {
 public:
  explicit MacScope(bool dry_run = false);
  ~MacScope();
  MacScope(const MacScope&) = delete;
  MacScope& operator=(const MacScope&) = delete;
  const MacCount& count() const { return count_; }
  bool dry_run() const { return dry_run_; }

 private:
  MacCount count_;
  bool dry_run_;
  MacCount* outer_count_;
  bool outer_dry_run_;
};

// conv(x) / linear(x) plus counting.
torch::Tensor conv_forward(torch::nn::Conv2d& conv, const torch::Tensor& x);
torch::Tensor linear_forward(torch::nn::Linear& linear, const torch::Tensor& x);
// A 1x1 convolution on tokens [B, L, Cin] -> [B, L, Cout], as a matrix product (a
// transformer's proj_in / proj_out on a channels-last map's tokens), counted as linear MACs.
torch::Tensor conv1x1_tokens(torch::nn::Conv2d& conv, const torch::Tensor& tokens);
// Attention over [batch*heads] pairs of (Lq x d) queries and (Lk x d) keys: QK^T and PV
// are 2 matmuls; computing the probabilities alone is 1.
// Adds MACs computed by the caller (sparse tile convolutions, token matmuls).
void add_conv_macs(int64_t macs);
void add_linear_macs(int64_t macs);
// Adds a whole count (e.g. of work replayed without running its C++ code).
void add_macs(const MacCount& count);

// The innermost active scope's count so far (zero when none is active).
MacCount current_mac_count();

// True inside a dry-run MacScope: callers may skip arithmetic whose MACs they counted.
bool mac_dry_run();

void count_attention_macs(int64_t batch_heads, int64_t lq, int64_t lk, int64_t head_dim,
                          int matmuls = 2);

}  // namespace hd
