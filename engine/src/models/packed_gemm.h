// GEMMs against pre-packed weights on CPUs (inference in float32 and bfloat16).
//
// MKL and oneDNN re-pack the weight matrix of every linear layer and im2col convolution into
// their blocked layout on every call. Against the few dozen rows of a partial step's
// 1280-channel layers that packing costs as much as the arithmetic. This keeps each weight
// packed once (oneDNN's mkldnn::_reorder_linear_weight, the layout torch's CPU inference
// freezing uses) and runs mkldnn::_linear_pointwise on it. Measured with torch 2.15 on this
// project's 2-core CPU, the shapes of an SD v1.4 partial step at a 5% mask (M x K x N):
// float32 32 x 11520 x 1280 10.4 -> 5.3 ms, 32 x 1280 x 10240 11.2 -> 4.3 ms, 512 x 320 x 320
// 0.57 -> 0.49 ms, and 8192 x 320 x 1280 (a dense step) 47.9 -> 43.3 ms; bfloat16 32 x 11520 x
// 1280 3.21 -> 2.45 ms. Results agree with addmm to rounding (6e-7 relative in float32).
//
// Used only where it is safe: CPU, float32 or bfloat16 input and weight of the same type, no
// autograd (training keeps torch's own GEMMs), and a libtorch that has the two operators
// (torch 2.x with oneDNN; Debian's 1.13 falls back). HD_PACKED_GEMM=0 turns it off, for
// side-by-side measurements or to save memory: a packed copy is kept per weight tensor while
// the weight lives and is unchanged (its storage and version counter), so it holds most of the
// UNet's weights a second time (SD v1.4: up to 3.4 GB in float32, 1.7 GB in bfloat16).
#pragma once

#include <torch/types.h>

namespace hd {

// Whether gemm_nt() would use a packed weight for input x and weight w.
bool packed_gemm_applies(const torch::Tensor& x, const torch::Tensor& w);

// y [M, N] = x [M, K] * w^T (+ bias [N]) for w [N, K] (may be a view of `owner`, e.g. a
// convolution weight seen as a matrix): small products through hdkernels' GEMM
// (small_gemm.h), the others through packed_gemm_nt().
torch::Tensor gemm_nt(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                      const torch::Tensor& owner);

// The same on the packed weight where packed_gemm_applies(), else torch's addmm. The packed
// copy is cached under `owner`, the parameter tensor itself: views are new tensors on every
// call.
torch::Tensor packed_gemm_nt(const torch::Tensor& x, const torch::Tensor& w,
                             const torch::Tensor& bias, const torch::Tensor& owner);

// Packed weights held now (for tests).
size_t packed_gemm_cache_size();

}  // namespace hd
