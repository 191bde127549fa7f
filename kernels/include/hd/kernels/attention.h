// Scaled dot-product attention on CPUs with AVX-512 over raw pointers: float32 arithmetic on
// float32 or bfloat16 tensors.
//
// softmax(q k^T * scale) v for every (batch, head), in one pass over the keys per block of
// queries (an online softmax, as flash attention computes it): six query rows are scored
// against 64 keys at a time in registers, exponentiated with a base-2 polynomial, and
// multiplied into the values while both blocks are in cache. libtorch's CPU flash kernel
// calls a general GEMM per 64- or 256-query block, whose packing and call overhead dominate
// at head sizes of 40-160 (Stable Diffusion's); measured on this project's 2-core CPU
// (AMD EPYC with AVX-512, torch 2.15): see engine/src/models/cpu_attention.h.
//
// Layout: each tensor is [B, H, L, d] with d contiguous and any strides for B, H and L (so
// that views of [B, L, H * d] projections are read and written in place).
#pragma once

#include <cstdint>

#include "hd/kernels/gather_scatter.h"  // ParallelFor

namespace hd::kernels {

struct AttentionTensor {
  void* data = nullptr;  // float, or BFloat16 when AttentionParams::bfloat16
  int64_t stride_b = 0, stride_h = 0, stride_l = 0;  // in elements; d has stride 1
};

struct AttentionParams {
  AttentionTensor q, k, v, out;  // q, out [B, H, Lq, d]; k, v [B, H, Lk, d]
  int64_t batch = 0, heads = 0, q_len = 0, kv_len = 0, head_dim = 0;
  float scale = 1.0f;
  bool bfloat16 = false;  // element type of all four tensors (float32 otherwise)
  // bfloat16: use the CPU's bfloat16 dot products where it has them (AVX512_BF16; the
  // probabilities are then rounded to bfloat16 before they weight the values); otherwise,
  // or when false, float32 arithmetic on the widened values.
  bool bfloat16_dot_products = true;
};

// Whether this CPU can run attention_avx512 (checked at run time, once).
bool attention_avx512_available();

// out = softmax(q k^T * scale) v. Requires attention_avx512_available(), kv_len >= 1 and
// head_dim <= 256. `parallel` splits the (batch, head, query block) work; nullptr runs serially.
void attention_avx512(const AttentionParams& p, const ParallelFor& parallel);

}  // namespace hd::kernels
