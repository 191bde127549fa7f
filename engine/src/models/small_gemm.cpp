#include "models/small_gemm.h"

#include <torch/torch.h>

#include "common/developer_switch.h"
#include "common/torch_parallel.h"
#include "hd/kernels/cpu_features.h"
#include "hd/kernels/gemm.h"

namespace hd {

namespace {

// Measured crossovers against oneDNN's packed GEMM (see the header).
constexpr int64_t kMaxMacs = int64_t{1} << 23;
constexpr int64_t kMaxMacsShortRows = int64_t{1} << 21;  // k below kShortRows
constexpr int64_t kShortRows = 256;
// bfloat16 on CPUs with AMX, where oneDNN's GEMM runs on the tiles.
constexpr int64_t kMaxMacsAmx = int64_t{1} << 20;

bool enabled(bool bfloat16) {
  static const bool on = developer_switch_on("HD_SMALL_GEMM");
  return on && kernels::gemm_nt_avx512_available(bfloat16);
}

}  // namespace

bool small_gemm_applies(const torch::Tensor& x, const torch::Tensor& w) {
  const auto dtype = x.scalar_type();
  if (dtype != torch::kFloat32 && dtype != torch::kBFloat16) return false;
  if (!x.device().is_cpu() || !w.device().is_cpu() || w.scalar_type() != dtype || x.dim() != 2 ||
      w.dim() != 2 || x.size(1) != w.size(1) || x.stride(1) != 1 || w.stride(1) != 1) {
    return false;
  }
  const int64_t macs = x.size(0) * w.size(0) * w.size(1);
  const bool bfloat16 = dtype == torch::kBFloat16;
  const int64_t limit = bfloat16 && kernels::cpu_has_amx_bf16() ? kMaxMacsAmx
                        : w.size(1) < kShortRows                ? kMaxMacsShortRows
                                                                : kMaxMacs;
  return macs <= limit && !torch::GradMode::is_enabled() && enabled(bfloat16);
}

torch::Tensor small_gemm_nt(const torch::Tensor& x, const torch::Tensor& w,
                            const torch::Tensor& bias) {
  const int64_t M = x.size(0), N = w.size(0);
  torch::Tensor y = torch::empty({M, N}, x.options());  // [M, N]
  const torch::Tensor b = bias.defined() ? bias.to(x.scalar_type()).contiguous() : torch::Tensor();
  kernels::GemmParams p;
  p.m = M, p.n = N, p.k = w.size(1);
  p.a = x.data_ptr(), p.lda = x.stride(0);
  p.w = w.data_ptr(), p.ldw = w.stride(0);
  p.bias = b.defined() ? b.data_ptr() : nullptr;
  p.c = y.data_ptr(), p.ldc = N;
  p.bfloat16 = x.scalar_type() == torch::kBFloat16;
  kernels::gemm_nt_avx512(p, torch_parallel());
  return y;
}

}  // namespace hd
