// im2col for channels-last maps against the columns built from strided views of the map
// (the route it replaces), for 3x3 stride 1 and 2 and 1x1, in float32 and bfloat16, serially
// and with the work split.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "hd/kernels/im2col.h"

namespace hd::kernels {
namespace {

torch::Tensor reference_columns(const torch::Tensor& nhwc, int64_t k, int64_t s) {
  const int64_t oh = (nhwc.size(1) - k) / s + 1, ow = (nhwc.size(2) - k) / s + 1;
  std::vector<torch::Tensor> shifts;
  for (int64_t ky = 0; ky < k; ++ky) {
    for (int64_t kx = 0; kx < k; ++kx) {
      shifts.push_back(
          nhwc.slice(1, ky, ky + s * (oh - 1) + 1, s).slice(2, kx, kx + s * (ow - 1) + 1, s));
    }
  }
  return torch::stack(shifts, 3).reshape({nhwc.size(0) * oh * ow, k * k * nhwc.size(3)});
}

TEST(Im2ColNhwc, EqualsStackedStridedViews) {
  torch::manual_seed(0);
  const ParallelFor split = [](int64_t n, const std::function<void(int64_t, int64_t)>& body) {
    body(0, n / 3);
    body(n / 3, n);
  };
  struct Case {
    int64_t b, h, w, c, k, s;
  };
  for (Case c : {Case{2, 6, 6, 5, 3, 1}, Case{3, 9, 7, 16, 3, 2}, Case{1, 4, 5, 3, 1, 1},
                 Case{2, 40, 40, 64, 3, 1}}) {
    for (auto dtype : {torch::kFloat32, torch::kBFloat16}) {
      SCOPED_TRACE(std::to_string(c.k) + "x" + std::to_string(c.k) + " stride " +
                   std::to_string(c.s));
      torch::Tensor nhwc = torch::randn({c.b, c.h, c.w, c.c}).to(dtype);
      torch::Tensor ref = reference_columns(nhwc, c.k, c.s);
      for (bool parallel : {false, true}) {
        torch::Tensor out = torch::full(ref.sizes(), 3.0, ref.options());
        Im2ColParams p;
        p.input = nhwc.data_ptr();
        p.batch = c.b, p.height = c.h, p.width = c.w, p.channels = c.c;
        p.element_size = nhwc.element_size();
        p.kernel = c.k, p.stride = c.s;
        p.output = out.data_ptr();
        im2col_nhwc(p, parallel ? split : ParallelFor());
        EXPECT_TRUE(torch::equal(out, ref));
      }
    }
  }
}

}  // namespace
}  // namespace hd::kernels
