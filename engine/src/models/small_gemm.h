// Small matrix products on CPUs through hdkernels' AVX-512 GEMM (kernels/cpu/gemm.cpp), for
// inference in float32 and bfloat16, on the weights as stored.
//
// A oneDNN linear costs ~10-14 us per call before any arithmetic (primitive lookup, memory
// descriptors), which is most of the time of the embedded model's partial step: 118 linears
// of a few dozen to a few hundred rows and 32-256 channels. The kernel starts in ~1 us and
// reads the unpacked weight in place. Measured with torch 2.15 on this project's 2-core CPU
// (AMD EPYC, AVX-512, 2 threads), M x K x N, oneDNN on its packed weight -> this kernel:
// float32 32 x 128 x 128 13.7 -> 4.0 us; 77 x 128 x 128 16.0 -> 8.4 us; 32 x 1152 x 128
// 34.9 -> 24.9 us; 512 x 288 x 32 29.6 -> 25.3 us; 2 x 1280 x 320 22.6 -> 10.8 us; bfloat16
// 32 x 128 x 128 12.7 -> 3.8 us; 32 x 1152 x 128 23.8 -> 14.5 us. Larger products stay with
// oneDNN's packed GEMM (packed_gemm.h), which is faster from ~2^23 multiply-adds (e.g. 512 x
// 576 x 64: 85 against 101 us) and for short rows (k < 256) from ~2^21. The results agree
// with a float64 reference to 2e-7 in float32 (oneDNN: 6e-7); in bfloat16 both round the
// float32 sums once (tests/kernels/test_gemm.cpp).
//
// The embedded model, side by side with HD_SMALL_GEMM=0 (alternating runs): a 5% partial
// step 5.3-5.6 -> 4.0-4.1 ms (`hd bench masks --model resources/models/hd-shapes`); over 50
// prompts (`hd bench prompts`) the median partial step 7.5 -> 6.6 ms, end to end 1.74x ->
// 1.77-1.84x over dense. SD v1.4's steps are unchanged (their products are large).
//
// On CPUs with AMX, oneDNN's bfloat16 GEMM runs on the tiles and is faster from ~2^20
// multiply-adds, so bfloat16 products stop there (2-core Xeon, Emerald Rapids: 32 x 128 x 128
// 34.4 us in oneDNN against 17.2 here, 77 x 128 x 128 35.2 against 36.2, 32 x 1152 x 128 47.6
// against 77.0, 512 x 288 x 32 44.8 against 110). The embedded model's bfloat16 step on that
// CPU, with this limit and libtorch's attention (cpu_attention.h), against before: dense
// 65-78 -> 54 ms, a 5% partial step 14.1-15.2 -> 13.1-13.6 ms.
//
// Used where it applies: CPU with AVX-512 (AVX512_BF16 for bfloat16), float32 or bfloat16
// throughout, no autograd, rows of x and w contiguous along k. HD_SMALL_GEMM=0 turns it off.
#pragma once

#include <torch/types.h>

namespace hd {

// Whether small_gemm_nt() takes x [M, K] times w [N, K]^T.
bool small_gemm_applies(const torch::Tensor& x, const torch::Tensor& w);

// x w^T (+ bias [N]): [M, N], contiguous.
torch::Tensor small_gemm_nt(const torch::Tensor& x, const torch::Tensor& w,
                            const torch::Tensor& bias);

}  // namespace hd
