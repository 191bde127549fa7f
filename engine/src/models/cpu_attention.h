// Scaled dot-product attention on CPUs through hdkernels' AVX-512 kernel (kernels/cpu/
// attention.cpp), for inference in float32 and bfloat16.
//
// libtorch's CPU flash attention runs a general GEMM per block of 64 or 256 queries; at
// Stable Diffusion's head sizes (40-160) packing and call overhead dominate. Measured with
// torch 2.15 on this project's 2-core CPU (AMD EPYC, AVX-512, 2 threads), [2, 8, Lq, d]
// queries, libtorch -> this kernel. float32: 4096 x 4096 keys, d = 40 (SD v1.4's level 0 at
// 512x512, a dense step) 267 -> 121 ms; 250 queries (a 5% partial step) 17.9 -> 8.7 ms;
// 1024 x 1024, d = 80: 28.9 -> 13.8 ms; 16 x 256, d = 160: 0.28 -> 0.22 ms; 4096 x 77 text
// tokens: 8.7 -> 5.4 ms. bfloat16 (bfloat16 dot products): 281 -> 78.5 ms, 18.7 -> 5.3 ms,
// 29.0 -> 8.2 ms, 0.31 -> 0.18 ms, 8.6 -> 4.1 ms. Agrees with a float64 reference to 2e-6 in
// float32, within bfloat16 rounding in bfloat16 (tests/kernels/test_attention.cpp).
//
// On CPUs with AMX (Intel Xeon since Sapphire Rapids) bfloat16 stays with libtorch, whose
// attention runs its products on the tiles while this kernel's bfloat16 dot products run no
// faster than float32 FMAs there. Measured on a 2-core Xeon (Emerald Rapids, AMX, torch 2.15,
// 2 threads), libtorch -> this kernel, bfloat16: 4096 x 4096, d = 40: 187 -> 496 ms; 250 x
// 4096: 17.1 -> 31.3 ms; 1024 x 1024, d = 80: 16.1 -> 53.7 ms; 4096 x 77: 14.4 -> 25.7 ms
// (float32 on the same CPU: 346 -> 354, 25.9 -> 26.4, 40.1 -> 38.6, 17.3 -> 14.8 ms; it keeps
// the kernel). SD v1.4's dense bfloat16 step at 512 took 5.2-6.5 s with the kernel and takes
// 3.4-3.7 s without it.
//
// Used where it applies: CPU with AVX-512, float32 or bfloat16 throughout, no autograd
// (training keeps torch's kernels), head size <= 256, the head dimension contiguous.
// HD_CPU_ATTENTION=0 turns it off (side-by-side measurements).
#pragma once

#include <torch/types.h>

namespace hd {

// Whether cpu_attention() takes q, k, v ([B, heads, L, d]).
bool cpu_attention_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// softmax(q k^T * scale) v: [B, heads, Lq, d], laid out as [B, Lq, heads, d] in memory so
// that merging the heads is a view. Counts no MACs.
torch::Tensor cpu_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                            double scale);

}  // namespace hd
