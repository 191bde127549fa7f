#include "models/cpu_attention.h"

#include <torch/torch.h>

#include "common/developer_switch.h"
#include "common/torch_parallel.h"
#include "hd/kernels/attention.h"
#include "hd/kernels/cpu_features.h"

namespace hd {

namespace {

bool enabled() {
  static const bool on =
      developer_switch_on("HD_CPU_ATTENTION") && kernels::attention_avx512_available();
  return on;
}

kernels::AttentionTensor view_of(const torch::Tensor& t) {
  return {const_cast<void*>(t.data_ptr()), t.stride(0), t.stride(1), t.stride(2)};
}

}  // namespace

bool cpu_attention_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const auto dtype = q.scalar_type();
  const auto usable = [&](const torch::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() == dtype && t.dim() == 4 && t.stride(3) == 1 &&
           t.size(0) == q.size(0) && t.size(1) == q.size(1) && t.size(3) == q.size(3);
  };
  // bfloat16 on CPUs with AMX stays with libtorch's attention, which runs on the tiles (see the
  // header).
  const bool bfloat16_ok = dtype == torch::kBFloat16 && !kernels::cpu_has_amx_bf16();
  return enabled() && (dtype == torch::kFloat32 || bfloat16_ok) && !torch::GradMode::is_enabled() &&
         usable(q) && usable(k) && usable(v) && k.size(2) == v.size(2) && k.size(2) >= 1 &&
         q.size(3) >= 1 && q.size(3) <= 256;
}

torch::Tensor cpu_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                            double scale) {
  const int64_t B = q.size(0), heads = q.size(1), Lq = q.size(2), d = q.size(3);
  torch::Tensor out =
      torch::empty({B, Lq, heads, d}, q.options()).transpose(1, 2);  // [B, heads, Lq, d]
  kernels::AttentionParams p;
  p.q = view_of(q);
  p.k = view_of(k);
  p.v = view_of(v);
  p.out = view_of(out);
  p.batch = B;
  p.heads = heads;
  p.q_len = Lq;
  p.kv_len = k.size(2);
  p.head_dim = d;
  p.scale = static_cast<float>(scale);
  p.bfloat16 = q.scalar_type() == torch::kBFloat16;
  kernels::attention_avx512(p, torch_parallel());
  return out;
}

}  // namespace hd
