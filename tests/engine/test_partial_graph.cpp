// Partial steps replayed as CUDA graphs give the eager partial steps' outputs and MAC counts,
// across full steps that refill the caches (one capture serves them all) and without CUDA
// (plain eager runs).
#include "io/model_loader.h"
#include "models/macs.h"
#include "sparse/partial_graph.h"
#include "sparse/sparse_unet.h"
#include "torch_test_util.h"

namespace hd {
namespace {

using test::data_dir;
using test::max_abs_diff;


SparseGeometry corner_geometry(int64_t h, int64_t w, int levels) {
  ByteMask m;
  m.width = static_cast<int>(w);
  m.height = static_cast<int>(h);
  m.data.assign(static_cast<size_t>(h * w), 0);
  for (int64_t y = 1; y < h / 2; ++y) {
    for (int64_t x = 2; x < w / 2 + 1; ++x) m.data[y * w + x] = 255;
  }
  return make_sparse_geometry(m, levels);
}

// Runs full, partial x3, full, partial x3 on `eager` (forward_partial) and `graphed`
// (PartialGraph) with the same inputs; returns the largest output difference.
double compare(const torch::Device& device, PartialGraph& graph, int64_t* eager_macs,
               int64_t* graph_macs, torch::Dtype dtype = torch::kFloat32) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet_a = load_unet(data_dir() / "unet_a");
  UNet2DConditionModel unet_b = load_unet(data_dir() / "unet_a");
  unet_a->to(device, dtype);
  unet_b->to(device, dtype);
  SparseUNet eager(unet_a), graphed(unet_b);
  test::UNetInputs in = test::unet_fixture_inputs("unet_a", device);
  in.sample = in.sample.to(dtype);
  in.ctx = in.ctx.to(dtype);
  SparseGeometry geo = corner_geometry(in.sample.size(2), in.sample.size(3), eager.levels());
  torch::manual_seed(3);
  double worst = 0;
  *eager_macs = *graph_macs = 0;
  for (int cycle = 0; cycle < 2; ++cycle) {
    torch::Tensor x = in.sample + 0.1 * cycle;
    worst =
        std::max(worst, max_abs_diff(eager.forward_full(x, in.t, in.ctx).to(torch::kFloat32),
                                     graphed.forward_full(x, in.t, in.ctx).to(torch::kFloat32)));
    if (cycle == 0) graph.invalidate(/*geometry_changed=*/true);
    for (int step = 0; step < 3; ++step) {
      torch::Tensor xs = x + 0.05 * torch::randn(x.sizes()).to(device, dtype);
      torch::Tensor ts = in.t - 10 * (step + 1);
      MacScope a;
      torch::Tensor ea = eager.forward_partial(xs, ts, in.ctx, geo).clone();
      *eager_macs += a.count().total();
      MacScope b;
      torch::Tensor gb = graph.run(graphed, xs, ts, in.ctx, geo).clone();
      *graph_macs += b.count().total();
      worst = std::max(worst, max_abs_diff(ea.to(torch::kFloat32), gb.to(torch::kFloat32)));
    }
  }
  return worst;
}

// On CPU tensors the runner is forward_partial itself: same outputs and MACs, nothing captured.
TEST(PartialGraph, OnCpuRunsEagerly) {
  PartialGraph graph;
  int64_t eager_macs = 0, graph_macs = 0;
  EXPECT_EQ(compare(torch::kCPU, graph, &eager_macs, &graph_macs), 0.0);
  EXPECT_EQ(graph_macs, eager_macs);
  EXPECT_GT(eager_macs, 0);
  EXPECT_EQ(graph.captures(), 0);
  EXPECT_EQ(graph.replays(), 0);
}

// On a GPU: cycle 1 = eager warm-up, capture + replay, replay; cycle 2 (caches refilled in
// place by the full step, from other inputs) = replay x3 of the same graph. Outputs and MAC
// counts match eager steps.
TEST(PartialGraph, CudaReplaysMatchEagerSteps) {
#ifdef HD_WITH_CUDA
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  PartialGraph graph;
  int64_t eager_macs = 0, graph_macs = 0;
  EXPECT_LT(compare(torch::kCUDA, graph, &eager_macs, &graph_macs), 1e-5);
  EXPECT_EQ(graph.disabled_reason(), "");
  EXPECT_EQ(graph.captures(), 1);
  EXPECT_EQ(graph.replays(), 5);
  EXPECT_EQ(graph_macs, eager_macs);
#else
  GTEST_SKIP() << "built without CUDA";
#endif
}

// The same with float16 maps (the half-precision kernels inside the graph).
TEST(PartialGraph, CudaHalfReplaysMatchEagerSteps) {
#ifdef HD_WITH_CUDA
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  PartialGraph graph;
  int64_t eager_macs = 0, graph_macs = 0;
  EXPECT_LT(compare(torch::kCUDA, graph, &eager_macs, &graph_macs, torch::kHalf), 1e-3);
  EXPECT_EQ(graph.disabled_reason(), "");
  EXPECT_EQ(graph.captures(), 1);
#else
  GTEST_SKIP() << "built without CUDA";
#endif
}

}  // namespace
}  // namespace hd
