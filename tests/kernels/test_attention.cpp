// The AVX-512 attention kernel against softmax(q k^T * scale) v computed by torch in float64,
// over head sizes and sequence lengths that are and are not multiples of its blocks (16
// lanes, 6 query rows, 64 and 256 keys), strided layouts, large scores and bfloat16.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "hd/kernels/attention.h"

namespace hd::kernels {
namespace {

torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        double scale) {
  auto d = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
  return torch::softmax(torch::matmul(d(q), d(k).transpose(-1, -2)) * scale, -1).matmul(d(v));
}

AttentionTensor view_of(const torch::Tensor& t) {
  return {t.data_ptr(), t.stride(0), t.stride(1), t.stride(2)};
}

const ParallelFor& two_way() {  // the engine passes torch's pool; any splitting must agree
  static const ParallelFor pf = [](int64_t n, const std::function<void(int64_t, int64_t)>& body) {
    body(0, n / 2);
    body(n / 2, n);
  };
  return pf;
}

// q, k, v as heads split off [B, L, heads * d] projections (the engine's layout), or
// contiguous [B, heads, L, d]; the output written into a [B, Lq, heads, d] buffer.
torch::Tensor run(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                  double scale, const ParallelFor& parallel, bool bfloat16_dot_products = true) {
  torch::Tensor out =
      torch::full({q.size(0), q.size(2), q.size(1), q.size(3)}, 7.0, q.options()).transpose(1, 2);
  AttentionParams p;
  p.q = view_of(q), p.k = view_of(k), p.v = view_of(v), p.out = view_of(out);
  p.batch = q.size(0), p.heads = q.size(1), p.q_len = q.size(2), p.kv_len = k.size(2);
  p.head_dim = q.size(3);
  p.scale = static_cast<float>(scale);
  p.bfloat16 = q.scalar_type() == torch::kBFloat16;
  p.bfloat16_dot_products = bfloat16_dot_products;
  attention_avx512(p, parallel);
  return out;
}

torch::Tensor split_heads(int64_t B, int64_t L, int64_t heads, int64_t d) {
  return torch::randn({B, L, heads, d}).transpose(1, 2);  // [B, heads, L, d], strided
}

struct Shape {
  int64_t heads, lq, lk, d;
};

TEST(AttentionAvx512, MatchesSoftmaxAttentionInFloat32) {
  if (!attention_avx512_available()) GTEST_SKIP() << "this CPU has no AVX-512";
  torch::manual_seed(0);
  for (Shape s :
       {Shape{8, 250, 4096, 40}, Shape{2, 1, 1, 1}, Shape{3, 7, 63, 33}, Shape{2, 49, 77, 40},
        Shape{1, 48, 257, 80}, Shape{2, 13, 300, 160}, Shape{1, 5, 64, 256}, Shape{5, 6, 65, 16}}) {
    SCOPED_TRACE("heads " + std::to_string(s.heads) + " lq " + std::to_string(s.lq) + " lk " +
                 std::to_string(s.lk) + " d " + std::to_string(s.d));
    torch::Tensor q = split_heads(2, s.lq, s.heads, s.d), k = split_heads(2, s.lk, s.heads, s.d),
                  v = split_heads(2, s.lk, s.heads, s.d);
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.d));
    torch::Tensor ref = reference(q, k, v, scale);
    EXPECT_LT((run(q, k, v, scale, nullptr).to(torch::kFloat64) - ref).abs().max().item<double>(),
              2e-6);
    // Contiguous inputs and a split of the work give the same values.
    torch::Tensor split = run(q.contiguous(), k.contiguous(), v.contiguous(), scale, two_way());
    EXPECT_LT((split.to(torch::kFloat64) - ref).abs().max().item<double>(), 2e-6);
  }
}

// Scores in the thousands (a peaked softmax): the running maximum keeps exp2 in range, and the
// error stays that of float32 scores (compared with libtorch's float32 kernel's own error).
TEST(AttentionAvx512, LargeScoresStayFiniteAndAccurate) {
  if (!attention_avx512_available()) GTEST_SKIP() << "this CPU has no AVX-512";
  torch::manual_seed(1);
  torch::Tensor q = split_heads(1, 20, 2, 40) * 30, k = split_heads(1, 700, 2, 40) * 30,
                v = split_heads(1, 700, 2, 40);
  const double scale = 1.0 / std::sqrt(40.0);
  torch::Tensor out = run(q, k, v, scale, nullptr);
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  torch::Tensor ref = reference(q, k, v, scale);
  const double torch_error =
      (at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale).to(torch::kFloat64) - ref)
          .abs()
          .max()
          .item<double>();
  EXPECT_LT((out.to(torch::kFloat64) - ref).abs().max().item<double>(), 2 * torch_error + 1e-6);
}

// bfloat16 tensors, both ways: bfloat16 dot products (where the CPU has them) with the
// probabilities rounded to bfloat16 before they weight the values, and float32 arithmetic on
// widened values; the output rounded once. Bound: a bfloat16 step of the result plus two of
// sum_j p_j |v_j| (each probability off by at most half a step, the normalising sum taken
// before rounding).
TEST(AttentionAvx512, BFloat16TensorsMatchWithinRounding) {
  if (!attention_avx512_available()) GTEST_SKIP() << "this CPU has no AVX-512";
  torch::manual_seed(2);
  auto bf = [](const torch::Tensor& t) { return t.to(torch::kBFloat16); };
  for (Shape s : {Shape{4, 37, 200, 40}, Shape{2, 50, 77, 33}, Shape{1, 13, 300, 160}}) {
    torch::Tensor q = bf(split_heads(2, s.lq, s.heads, s.d)),
                  k = bf(split_heads(2, s.lk, s.heads, s.d)),
                  v = bf(split_heads(2, s.lk, s.heads, s.d));
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.d));
    torch::Tensor ref = reference(q, k, v, scale);
    torch::Tensor weighted_abs = reference(q, k, v.abs(), scale);  // sum_j p_j |v_j|
    torch::Tensor bound = ref.abs() * (1.0 / 256) + weighted_abs * (2.0 / 256) + 1e-6;
    for (bool dot : {true, false}) {
      SCOPED_TRACE("lk " + std::to_string(s.lk) + " d " + std::to_string(s.d) +
                   (dot ? " dot" : " widened"));
      torch::Tensor out = run(q, k, v, scale, two_way(), dot);
      ASSERT_EQ(out.scalar_type(), torch::kBFloat16);
      torch::Tensor err = (out.to(torch::kFloat64) - ref).abs();
      EXPECT_TRUE((err <= bound).all().item<bool>()) << (err / bound).max().item<double>();
    }
  }
}

}  // namespace
}  // namespace hd::kernels
