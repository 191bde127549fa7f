#include "models/macs.h"

#include <torch/torch.h>

#include "models/conv_gemm.h"
#include "models/packed_gemm.h"
#include "models/small_gemm.h"

namespace hd {
namespace {
thread_local MacCount* g_count = nullptr;
thread_local bool g_dry_run = false;
}  // namespace

MacScope::MacScope(bool dry_run)
    : dry_run_(dry_run), outer_count_(g_count), outer_dry_run_(g_dry_run) {
  g_count = &count_;
  g_dry_run = dry_run;
}

MacScope::~MacScope() {
  g_count = outer_count_;
  g_dry_run = outer_dry_run_;
}

bool mac_dry_run() { return g_dry_run; }

MacCount current_mac_count() { return g_count ? *g_count : MacCount{}; }

void add_conv_macs(int64_t macs) {
  if (g_count) g_count->conv += macs;
}

void add_linear_macs(int64_t macs) {
  if (g_count) g_count->linear += macs;
}

void add_macs(const MacCount& c) {
  if (!g_count) return;
  g_count->conv += c.conv;
  g_count->linear += c.linear;
  g_count->attention += c.attention;
}

namespace {

// The module's forward, through im2col + GEMM where that is faster (wide layers, small maps).
torch::Tensor forward_dense(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  const auto& o = conv->options;
  const auto* pad = std::get_if<torch::ExpandingArray<2>>(&o.padding());
  if (!pad || !std::holds_alternative<torch::enumtype::kZeros>(o.padding_mode())) return conv->forward(x);
  const int64_t k = (*o.kernel_size())[0], s = (*o.stride())[0], p = (**pad)[0];
  if ((**pad)[1] != p) return conv->forward(x);
  const int64_t oh = (x.size(2) + 2 * p - k) / s + 1, ow = (x.size(3) + 2 * p - k) / s + 1;
  if (!prefer_conv_gemm(conv, x, oh * ow)) return conv->forward(x);
  torch::Tensor padded = p > 0 ? torch::constant_pad_nd(x, {p, p, p, p}) : x;
  return conv2d_gemm(conv, padded);
}

}  // namespace

torch::Tensor conv_forward(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  torch::Tensor y;
  if (g_dry_run) {
    const auto& o = conv->options;
    std::vector<int64_t> shape = {x.size(0), o.out_channels(), 0, 0};
    const auto& pad = std::get<torch::ExpandingArray<2>>(o.padding());
    for (int d = 0; d < 2; ++d) {
      shape[2 + d] = (x.size(2 + d) + 2 * (*pad)[d] - (*o.dilation())[d] * ((*o.kernel_size())[d] - 1) - 1) /
                         (*o.stride())[d] + 1;
    }
    y = torch::empty(shape, x.options());
  } else {
    y = forward_dense(conv, x);  // [B, Cout, H', W']
  }
  if (g_count) {
    const auto& w = conv->weight;  // [Cout, Cin/groups, kh, kw]
    g_count->conv += y.numel() * w.size(1) * w.size(2) * w.size(3);
  }
  return y;
}

torch::Tensor linear_forward(torch::nn::Linear& linear, const torch::Tensor& x) {
  torch::Tensor y;
  if (g_dry_run) {
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = linear->weight.size(0);
    y = torch::empty(shape, x.options());
  } else if (const torch::Tensor rows = x.reshape({-1, linear->weight.size(1)});  // [M, in]
             small_gemm_applies(rows, linear->weight) || packed_gemm_applies(x, linear->weight)) {
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = linear->weight.size(0);
    y = gemm_nt(rows, linear->weight, linear->bias, linear->weight).view(shape);
  } else {
    y = linear->forward(x);  // [..., out]
  }
  if (g_count) g_count->linear += y.numel() * linear->weight.size(1);
  return y;
}

torch::Tensor conv1x1_tokens(torch::nn::Conv2d& conv, const torch::Tensor& tokens) {
  const auto& w = conv->weight;  // [Cout, Cin, 1, 1]
  const int64_t B = tokens.size(0), L = tokens.size(1), out = w.size(0), in = w.size(1);
  if (g_count) g_count->linear += B * L * out * in;
  if (g_dry_run) return torch::empty({B, L, out}, tokens.options());
  return gemm_nt(tokens.reshape({B * L, in}), w.view({out, in}),
                 conv->options.bias() ? conv->bias : torch::Tensor(), w)
      .view({B, L, out});  // [B, L, Cout]
}

void count_attention_macs(int64_t batch_heads, int64_t lq, int64_t lk, int64_t head_dim,
                          int matmuls) {
  if (g_count) g_count->attention += matmuls * batch_heads * lq * lk * head_dim;
}

}  // namespace hd
