// The AVX-512 GEMM against x w^T + b computed by torch in float64, over shapes that are and
// are not multiples of its blocks (4 rows of x, 6 rows of w, 16 or 32 elements of k, 4 KiB
// chunks of k), strided rows, with and without bias, split or not, in float32 and bfloat16.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "hd/kernels/gemm.h"

namespace hd::kernels {
namespace {

const ParallelFor& three_way() {  // the engine passes torch's pool; any split must agree
  static const ParallelFor pf = [](int64_t n, const std::function<void(int64_t, int64_t)>& body) {
    body(0, n / 3);
    body(n / 3, 2 * n / 3);
    body(2 * n / 3, n);
  };
  return pf;
}

// x [m, k] and w [n, k] may be column slices of wider tensors (rows further apart than k);
// c is written into a wider buffer whose other columns must stay untouched.
torch::Tensor run(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                  const ParallelFor& parallel, torch::Tensor* buffer = nullptr) {
  const int64_t m = x.size(0), n = w.size(0);
  torch::Tensor out = torch::full({m, n + 3}, 7.0, x.options());
  GemmParams p;
  p.m = m, p.n = n, p.k = x.size(1);
  p.a = x.data_ptr(), p.lda = x.stride(0);
  p.w = w.data_ptr(), p.ldw = w.stride(0);
  p.bias = bias.defined() ? bias.data_ptr() : nullptr;
  p.c = out.data_ptr(), p.ldc = out.stride(0);
  p.bfloat16 = x.scalar_type() == torch::kBFloat16;
  gemm_nt_avx512(p, parallel);
  if (buffer) *buffer = out;
  return out.slice(1, 0, n);
}

torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias) {
  auto d = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
  torch::Tensor y = torch::matmul(d(x), d(w).t());
  return bias.defined() ? y + d(bias) : y;
}

struct Shape {
  int64_t m, k, n;
};

// float32: the error of a float32 sum of k products, |x| |w| summed, stays near 1e-7 relative.
TEST(GemmAvx512, MatchesFloat64ReferenceInFloat32) {
  if (!gemm_nt_avx512_available(false)) GTEST_SKIP() << "this CPU has no AVX-512";
  torch::manual_seed(0);
  for (Shape s : {Shape{1, 1, 1}, Shape{4, 16, 6}, Shape{7, 33, 13}, Shape{2, 1280, 320},
                  Shape{5, 15, 1}, Shape{32, 1152, 128}, Shape{77, 128, 130}, Shape{9, 2500, 11},
                  Shape{3, 4097, 7}, Shape{130, 64, 25}}) {
    SCOPED_TRACE(testing::Message() << s.m << " x " << s.k << " x " << s.n);
    torch::Tensor x = torch::randn({s.m, s.k + 5}).slice(1, 2, 2 + s.k);  // rows k + 5 apart
    torch::Tensor w = torch::randn({s.n, s.k});
    torch::Tensor b = torch::randn({s.n});
    const torch::Tensor ref = reference(x, w, b);
    const torch::Tensor scale = reference(x.abs(), w.abs(), b.abs());
    for (const ParallelFor* pf : {static_cast<const ParallelFor*>(nullptr), &three_way()}) {
      torch::Tensor buffer;
      torch::Tensor y = run(x, w, b, pf ? *pf : ParallelFor(), &buffer);
      const torch::Tensor err = (y.to(torch::kFloat64) - ref).abs();
      EXPECT_TRUE((err <= scale * 1e-6 + 1e-30).all().item<bool>())
          << (err / scale).max().item<double>();
      EXPECT_TRUE((buffer.slice(1, s.n) == 7.0f).all().item<bool>()) << "wrote past its columns";
    }
    torch::Tensor no_bias = run(x, w, torch::Tensor(), nullptr);
    EXPECT_LT((no_bias.to(torch::kFloat64) - reference(x, w, {})).abs().max().item<double>(),
              scale.max().item<double>() * 1e-6);
  }
}

// bfloat16: products of bfloat16 pairs summed in float32, then one rounding to bfloat16, so
// the error is half a bfloat16 step of the result (at most 2^-8 of it) plus the float32 sum's.
TEST(GemmAvx512, BFloat16MatchesWithinOneRounding) {
  if (!gemm_nt_avx512_available(true)) GTEST_SKIP() << "this CPU has no AVX512_BF16";
  torch::manual_seed(1);
  for (Shape s : {Shape{1, 1, 1}, Shape{4, 32, 6}, Shape{7, 31, 13}, Shape{32, 1152, 128},
                  Shape{9, 5000, 11}, Shape{2, 1280, 320}, Shape{3, 65, 7}}) {
    SCOPED_TRACE(testing::Message() << s.m << " x " << s.k << " x " << s.n);
    torch::Tensor x = torch::randn({s.m, s.k + 3}).to(torch::kBFloat16).slice(1, 1, 1 + s.k);
    torch::Tensor w = torch::randn({s.n, s.k}).to(torch::kBFloat16);
    torch::Tensor b = torch::randn({s.n}).to(torch::kBFloat16);
    const torch::Tensor ref = reference(x, w, b);
    const torch::Tensor bound =
        ref.abs() * (1.0 / 256) + reference(x.abs(), w.abs(), b.abs()) * 1e-6;
    for (const ParallelFor* pf : {static_cast<const ParallelFor*>(nullptr), &three_way()}) {
      torch::Tensor buffer;
      torch::Tensor y = run(x, w, b, pf ? *pf : ParallelFor(), &buffer);
      const torch::Tensor err = (y.to(torch::kFloat64) - ref).abs();
      EXPECT_TRUE((err <= bound + 1e-30).all().item<bool>()) << (err / bound).max().item<double>();
      EXPECT_TRUE((buffer.slice(1, s.n).to(torch::kFloat32) == 7.0f).all().item<bool>());
    }
  }
}

// Splitting the columns over threads changes no bit: every output sums its k in one order.
TEST(GemmAvx512, SplitRunsEqualSerialRunsExactly) {
  if (!gemm_nt_avx512_available(false)) GTEST_SKIP() << "this CPU has no AVX-512";
  torch::manual_seed(2);
  torch::Tensor x = torch::randn({45, 3000}), w = torch::randn({100, 3000}),
                b = torch::randn({100});
  EXPECT_TRUE(torch::equal(run(x, w, b, nullptr), run(x, w, b, three_way())));
}

TEST(GemmAvx512, EmptySumIsTheBias) {
  if (!gemm_nt_avx512_available(false)) GTEST_SKIP() << "this CPU has no AVX-512";
  torch::Tensor x = torch::empty({3, 0}), w = torch::empty({5, 0});
  torch::Tensor b = torch::arange(5, torch::kFloat32);
  EXPECT_TRUE(torch::equal(run(x, w, b, nullptr), b.expand({3, 5})));
  EXPECT_TRUE(torch::equal(run(x, w, torch::Tensor(), nullptr), torch::zeros({3, 5})));
}

}  // namespace
}  // namespace hd::kernels
