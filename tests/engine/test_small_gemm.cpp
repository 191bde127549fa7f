// Small products through hdkernels' GEMM (models/small_gemm.h): gemm_nt routes the small
// products of inference to it and the large ones to oneDNN's packed GEMM, the results match
// torch's addmm, and autograd, other dtypes and strided rows keep torch's GEMMs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "hd/kernels/cpu_features.h"
#include "models/macs.h"
#include "models/packed_gemm.h"
#include "models/small_gemm.h"

namespace hd {
namespace {

double max_relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor d = b.to(torch::kFloat64);
  return ((a.to(torch::kFloat64) - d).abs().max() / d.abs().max()).item<double>();
}

class SmallGemm : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    if (!small_gemm_applies(torch::zeros({1, 1}), torch::zeros({1, 1})))
      GTEST_SKIP() << "this CPU has no AVX-512 (or HD_SMALL_GEMM=0)";
  }
  torch::NoGradGuard no_grad_;
};

// The embedded model's partial-step products go to the kernel; SD v1.4's 1280-channel
// products (32 x 11520 x 1280) and short rows times many columns stay with oneDNN.
TEST_F(SmallGemm, TakesTheSmallProductsOfInference) {
  EXPECT_TRUE(small_gemm_applies(torch::zeros({32, 128}), torch::zeros({128, 128})));
  EXPECT_TRUE(small_gemm_applies(torch::zeros({32, 1152}), torch::zeros({128, 1152})));
  EXPECT_TRUE(small_gemm_applies(torch::zeros({2, 1280}), torch::zeros({1280, 1280})));
  EXPECT_FALSE(small_gemm_applies(torch::zeros({32, 11520}), torch::zeros({1280, 11520})));
  EXPECT_FALSE(
      small_gemm_applies(torch::zeros({128, 64}), torch::zeros({512, 64})));  // 2^22, k < 256
  EXPECT_FALSE(small_gemm_applies(torch::zeros({4, 8}, torch::kFloat64),
                                  torch::zeros({3, 8}, torch::kFloat64)));
  EXPECT_FALSE(small_gemm_applies(torch::zeros({4, 8}), torch::zeros({3, 8}, torch::kBFloat16)));
  EXPECT_FALSE(small_gemm_applies(torch::zeros({8, 4}).t(), torch::zeros({3, 8})));  // k strided
  torch::AutoGradMode grad(true);
  EXPECT_FALSE(small_gemm_applies(torch::zeros({4, 8}), torch::zeros({3, 8})));
}

// Through gemm_nt: float32 to float32 rounding, with and without bias, on a strided view of a
// channels-last convolution weight as well.
TEST_F(SmallGemm, GemmNtMatchesAddmm) {
  torch::Tensor w = torch::randn({130, 200}), b = torch::randn({130});
  for (int64_t m : {1, 7, 77}) {
    torch::Tensor x = torch::randn({m, 200});
    ASSERT_TRUE(small_gemm_applies(x, w));
    const torch::Tensor want =
        torch::addmm(b.to(torch::kFloat64), x.to(torch::kFloat64), w.to(torch::kFloat64).t());
    EXPECT_LT(max_relative_error(gemm_nt(x, w, b, w), want), 1e-6) << "rows " << m;
    EXPECT_LT(max_relative_error(gemm_nt(x, w, torch::Tensor(), w), want - b.to(torch::kFloat64)),
              1e-6);
  }
  torch::Tensor conv = torch::randn({64, 32, 3, 3}).contiguous(at::MemoryFormat::ChannelsLast);
  torch::Tensor mat = conv.permute({0, 2, 3, 1}).reshape({64, 9 * 32});  // a view, rows 288 apart
  torch::Tensor x = torch::randn({40, 9 * 32});
  EXPECT_LT(max_relative_error(gemm_nt(x, mat, torch::Tensor(), conv),
                               torch::mm(x.to(torch::kFloat64), mat.to(torch::kFloat64).t())),
            1e-6);
}

// bfloat16: the same products where the CPU has AVX512_BF16 but no AMX; with AMX, where
// oneDNN's bfloat16 GEMM runs on the tiles, only products up to 2^20 multiply-adds.
TEST_F(SmallGemm, TakesFewerBFloat16ProductsOnCpusWithAmx) {
  const auto bf16 = [](std::initializer_list<int64_t> shape) {
    return torch::zeros(shape, torch::kBFloat16);
  };
  if (!small_gemm_applies(bf16({1, 1}), bf16({1, 1})))
    GTEST_SKIP() << "this CPU has no AVX512_BF16";
  const bool amx = kernels::cpu_has_amx_bf16();
  EXPECT_TRUE(small_gemm_applies(bf16({32, 128}), bf16({128, 128})));  // 2^19
  EXPECT_TRUE(small_gemm_applies(bf16({2, 1280}), bf16({320, 1280})));
  EXPECT_EQ(small_gemm_applies(bf16({77, 128}), bf16({128, 128})), !amx);
  EXPECT_EQ(small_gemm_applies(bf16({32, 1152}), bf16({128, 1152})), !amx);
  EXPECT_FALSE(small_gemm_applies(bf16({32, 11520}), bf16({1280, 11520})));
}

// bfloat16 through linear_forward: the module's result to bfloat16 rounding.
TEST_F(SmallGemm, LinearForwardInBFloat16) {
  if (!small_gemm_applies(torch::zeros({1, 1}, torch::kBFloat16),
                          torch::zeros({1, 1}, torch::kBFloat16)))
    GTEST_SKIP() << "this CPU has no AVX512_BF16";
  torch::nn::Linear linear(torch::nn::LinearOptions(128, 64));
  linear->to(torch::kBFloat16);
  torch::Tensor x = torch::randn({2, 16, 128}).to(torch::kBFloat16);
  const torch::Tensor got = linear_forward(linear, x);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{2, 16, 64}));
  EXPECT_EQ(got.scalar_type(), torch::kBFloat16);
  const torch::Tensor want = torch::nn::functional::linear(
      x.to(torch::kFloat64), linear->weight.to(torch::kFloat64), linear->bias.to(torch::kFloat64));
  EXPECT_LT(max_relative_error(got, want), 1.0 / 256);
}

}  // namespace
}  // namespace hd
