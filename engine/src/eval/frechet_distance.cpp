// The Frechet distance between two Gaussians, as pytorch-fid computes it, with the matrix
// square root taken on a symmetric matrix: tr((S1 S2)^(1/2)) = tr((A S2 A)^(1/2)) for
// A = S1^(1/2), whose eigenvalues are real and non-negative (no complex parts to drop).
#include <cmath>

#include <torch/torch.h>

#include "common/error.h"
#include "hd/evaluation.h"

namespace hd {
namespace {

torch::Tensor as_matrix(const std::vector<double>& v, int64_t d, const char* what) {
  if (static_cast<int64_t>(v.size()) != d * d) {
    fail("frechet_distance: ", what, " has ", v.size(), " entries, expected ", d, " x ", d);
  }
  return torch::tensor(v, torch::kFloat64).view({d, d});
}

// Square root of a symmetric PSD matrix; tiny negative eigenvalues (round-off) clamp to 0.
torch::Tensor sqrt_psd(const torch::Tensor& m) {
  auto [values, vectors] = torch::linalg_eigh((m + m.t()) / 2);
  return vectors.matmul(torch::diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
}

}  // namespace

double frechet_distance(const std::vector<double>& mu1, const std::vector<double>& sigma1,
                        const std::vector<double>& mu2, const std::vector<double>& sigma2) {
  const auto d = static_cast<int64_t>(mu1.size());
  if (static_cast<int64_t>(mu2.size()) != d)
    fail("frechet_distance: means of sizes ", d, " and ", mu2.size());
  torch::NoGradGuard no_grad;
  torch::Tensor m1 = torch::tensor(mu1, torch::kFloat64), m2 = torch::tensor(mu2, torch::kFloat64);
  torch::Tensor s1 = as_matrix(sigma1, d, "sigma1"), s2 = as_matrix(sigma2, d, "sigma2");
  torch::Tensor a = sqrt_psd(s1);
  torch::Tensor covmean_trace =
      torch::linalg_eigvalsh((a.matmul(s2).matmul(a) + a.matmul(s2).matmul(a).t()) / 2)
          .clamp_min(0)
          .sqrt()
          .sum();
  const double diff = (m1 - m2).pow(2).sum().item<double>();
  return diff + (s1.trace() + s2.trace() - 2 * covmean_trace).item<double>();
}

}  // namespace hd
