// GEMMs on pre-packed weights (models/packed_gemm.h): in float32 and bfloat16 they agree with
// torch's addmm, pack each weight once, repack when the weight changes, forget freed weights,
// and stay out of the way of autograd and of other dtypes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/macs.h"
#include "models/packed_gemm.h"

namespace hd {
namespace {

// Max |a - b| relative to max |b|, in float32.
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.to(torch::kFloat32) - b.to(torch::kFloat32)).abs().max() /
          b.to(torch::kFloat32).abs().max())
      .item<double>();
}

class PackedGemm : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    if (!packed_gemm_applies(torch::zeros({1, 1}, torch::kBFloat16),
                             torch::zeros({1, 1}, torch::kBFloat16)))
      GTEST_SKIP() << "this libtorch has no oneDNN packed linear (or HD_PACKED_GEMM=0)";
  }
  torch::NoGradGuard no_grad_;
};

// The product on a packed weight equals addmm's to bfloat16 rounding, with and without bias,
// for the row counts of partial steps (32) and dense steps (512), also through a strided
// view of a convolution weight.
TEST_F(PackedGemm, AgreesWithAddmm) {
  torch::Tensor w = torch::randn({96, 160}).to(torch::kBFloat16);  // [N, K]
  torch::Tensor b = torch::randn({96}).to(torch::kBFloat16);
  for (int64_t m : {1, 32, 512}) {
    torch::Tensor x = torch::randn({m, 160}).to(torch::kBFloat16);
    const torch::Tensor want =
        torch::addmm(b.to(torch::kFloat32), x.to(torch::kFloat32), w.to(torch::kFloat32).t());
    const torch::Tensor got = packed_gemm_nt(x, w, b, w);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_EQ(got.scalar_type(), torch::kBFloat16);
    EXPECT_LT(relative_error(got, want), 1e-2) << "rows " << m;
    EXPECT_LT(
        relative_error(packed_gemm_nt(x, w, torch::Tensor(), w), want - b.to(torch::kFloat32)),
        1e-2);
  }
  // A 3x3 convolution weight [Cout, Cin, 3, 3], channels-last, seen as [Cout, 9 Cin].
  torch::Tensor conv =
      torch::randn({64, 32, 3, 3}).to(torch::kBFloat16).contiguous(at::MemoryFormat::ChannelsLast);
  torch::Tensor mat = conv.permute({0, 2, 3, 1}).reshape({64, 9 * 32});
  torch::Tensor x = torch::randn({40, 9 * 32}).to(torch::kBFloat16);
  EXPECT_LT(relative_error(packed_gemm_nt(x, mat, torch::Tensor(), conv),
                           torch::mm(x.to(torch::kFloat32), mat.to(torch::kFloat32).t())),
            1e-2);
}

// One packed copy per weight: reused across calls, replaced when the weight is changed in
// place (a reload), dropped when the weight is freed.
TEST_F(PackedGemm, PacksOncePerWeightAndFollowsChanges) {
  const size_t before = packed_gemm_cache_size();
  torch::Tensor x = torch::randn({8, 64}).to(torch::kBFloat16);
  {
    torch::Tensor w = torch::randn({16, 64}).to(torch::kBFloat16);
    packed_gemm_nt(x, w, torch::Tensor(), w);
    packed_gemm_nt(x, w, torch::Tensor(), w);
    EXPECT_EQ(packed_gemm_cache_size(), before + 1);
    w.mul_(-1);  // in place: the version counter moves, the storage stays
    const torch::Tensor got = packed_gemm_nt(x, w, torch::Tensor(), w);
    EXPECT_LT(relative_error(got, torch::mm(x.to(torch::kFloat32), w.to(torch::kFloat32).t())),
              1e-2);
    EXPECT_EQ(packed_gemm_cache_size(), before + 1);
  }
  torch::Tensor other = torch::randn({16, 64}).to(torch::kBFloat16);
  packed_gemm_nt(x, other, torch::Tensor(), other);  // packing another weight sweeps the freed one
  EXPECT_EQ(packed_gemm_cache_size(), before + 1);
}

// In float32 the packed product matches addmm to float32 rounding.
TEST_F(PackedGemm, Float32AgreesToRounding) {
  torch::Tensor w = torch::randn({96, 1280});
  torch::Tensor b = torch::randn({96});
  torch::Tensor x = torch::randn({32, 1280});
  ASSERT_TRUE(packed_gemm_applies(x, w));
  const torch::Tensor want =
      torch::addmm(b.to(torch::kFloat64), x.to(torch::kFloat64), w.to(torch::kFloat64).t());
  EXPECT_LT(relative_error(packed_gemm_nt(x, w, b, w), want), 1e-5);
}

// Training (autograd on), half precision and mixed dtypes keep torch's own GEMMs; gradients
// flow.
TEST_F(PackedGemm, LeavesAutogradAndOtherDtypesAlone) {
  torch::Tensor x = torch::randn({4, 8}).to(torch::kBFloat16);
  torch::Tensor w = torch::randn({3, 8}).to(torch::kBFloat16).requires_grad_(true);
  EXPECT_FALSE(packed_gemm_applies(torch::randn({4, 8}).to(torch::kHalf),
                                   torch::randn({3, 8}).to(torch::kHalf)));
  EXPECT_FALSE(
      packed_gemm_applies(torch::randn({4, 8}), torch::randn({3, 8}).to(torch::kBFloat16)));
  {
    torch::AutoGradMode grad(true);
    EXPECT_FALSE(packed_gemm_applies(x, w));
    torch::Tensor y = gemm_nt(x, w, torch::Tensor(), w);
    y.sum().backward();
    ASSERT_TRUE(w.grad().defined());
    EXPECT_EQ(w.grad().sizes(), w.sizes());
  }
}

// linear_forward (every Linear of the models) takes the packed or the small-GEMM route in
// bfloat16 inference and gives torch::nn::Linear's result on inputs of any rank.
TEST_F(PackedGemm, LinearForwardMatchesTheModule) {
  torch::nn::Linear linear(torch::nn::LinearOptions(48, 24));
  linear->to(torch::kBFloat16);
  torch::Tensor x = torch::randn({2, 5, 48}).to(torch::kBFloat16);
  const torch::Tensor got = linear_forward(linear, x);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{2, 5, 24}));
  const torch::Tensor want = torch::nn::functional::linear(
      x.to(torch::kFloat32), linear->weight.to(torch::kFloat32), linear->bias.to(torch::kFloat32));
  EXPECT_LT(relative_error(got, want), 1e-2);
}

}  // namespace
}  // namespace hd
