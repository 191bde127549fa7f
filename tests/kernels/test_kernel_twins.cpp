// The CUDA kernels' element code (kernels/common/gather_scatter_element.h) against the
// independently written vectorised CPU kernels, on the host, so that every build checks the
// index arithmetic the GPU runs; and, where a GPU exists, the CUDA kernels themselves against
// the CPU kernels: every kernel, both memory formats, fp32 and fp16.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "gather_scatter_element.h"
#include "hd/kernels/gather_scatter.h"

namespace hd::kernels {
namespace {

enum class Kernel { kGather, kScatter, kScatterGather };
// Who computes: the CPU kernels (vectorised fp32; the fp16 twins), the element code in a host
// loop, or the CUDA kernels.
enum class Runner { kCpu, kElementCode, kCuda };

std::string name(Kernel k) {
  return k == Kernel::kGather ? "gather" : k == Kernel::kScatter ? "scatter" : "scatter-gather";
}

template <class T>
T* data(torch::Tensor& t) {
  if constexpr (std::is_same_v<T, Half>) {
    return reinterpret_cast<Half*>(t.data_ptr<at::Half>());
  } else {
    return t.data_ptr<float>();
  }
}

template <class P, class Fn>
void each_element(const P& p, Fn fn) {
  for (int64_t idx = 0; idx < element::count(p); ++idx) fn(p, idx);
}

// Windows over every border of a 12 x 16 map (gather, with an upsampling factor), tiles of 4
// with one hanging over the right edge (scatter), and 3 computed cells of the 4-pixel grid
// read through 3x3-convolution windows (scatter-gather).
struct Problem {
  static constexpr int64_t B = 2, C = 6, H = 12, W = 16, win = 6, t = 4;
  std::vector<int32_t> ys = {-1, 3, 7, 9}, xs = {-1, 11, 2, 5};
  std::vector<int32_t> py = {0, 4, 8, 8}, px = {12, 4, 0, 14};
  std::vector<int32_t> wy = {-1, 3, 7}, wx = {11, 3, -1};
  std::vector<int32_t> tile_at;
  torch::Tensor x, tiles, residual, scale, shift;

  Problem() {
    torch::manual_seed(6);
    // Values representable in fp16, so that both element types start from the same numbers.
    auto half_exact = [](torch::Tensor v) { return v.to(torch::kHalf).to(torch::kFloat32); };
    x = half_exact(torch::randn({B, C, H, W}));
    tiles = half_exact(torch::randn({B * 4, C, t, t}));
    residual = half_exact(torch::randn({B * 4, C, t, t}));
    scale = torch::randn({B, C});
    shift = torch::randn({B, C});
    tile_at.assign(static_cast<size_t>((H / t) * (W / t)), -1);
    for (int k = 0; k < 3; ++k) tile_at[(py[k] / t) * (W / t) + px[k] / t] = k;
  }

  // Kernel k's output, as float32 NCHW on the CPU.
  template <class T>
  torch::Tensor run(Kernel k, Runner r, bool channels_last, int upsample) const {
    const torch::Device dev = r == Runner::kCuda ? torch::kCUDA : torch::kCPU;
    const auto dtype = std::is_same_v<T, Half> ? torch::kHalf : torch::kFloat32;
    const auto fmt = channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    auto on_dev = [&](const torch::Tensor& v) { return v.to(dev, dtype).contiguous(fmt); };
    auto ints = [&](const std::vector<int32_t>& v) {
      return torch::tensor(v, torch::kInt32).to(dev);
    };
    torch::Tensor sc = scale.to(dev), sh = shift.to(dev), out;
    torch::Tensor in = on_dev(x), tl = on_dev(tiles), rs = on_dev(residual);
    torch::Tensor dy, dx, at;
    if (k == Kernel::kGather) {
      // Into channels 1..C of C + 2 (a concatenation), the others left zero.
      dy = ints(ys), dx = ints(xs);
      out = torch::zeros({B * 4, C + 2, win, win}, in.options()).contiguous(fmt);
      GatherParamsT<T> p;
      p.input = data<T>(in);
      p.batch = B, p.channels = C, p.height = H, p.width = W;
      p.tiles = {dy.data_ptr<int32_t>(), dx.data_ptr<int32_t>(), 4};
      p.window_h = p.window_w = win, p.upsample = upsample;
      p.scale = sc.data_ptr<float>(), p.shift = sh.data_ptr<float>(), p.silu = true;
      p.output = data<T>(out), p.out_channels = C + 2, p.channel_offset = 1;
      p.channels_last = channels_last;
      if (r == Runner::kCpu) gather_cpu(p);
      if (r == Runner::kElementCode) each_element(p, element::gather<T>);
#ifdef HD_WITH_CUDA
      if (r == Runner::kCuda) gather_cuda(p, nullptr);
#endif
    } else if (k == Kernel::kScatter) {
      // Into a copy of the map, tiles plus residual, halved.
      dy = ints(py), dx = ints(px);
      out = in.clone(fmt);
      ScatterParamsT<T> p;
      p.tiles = data<T>(tl), p.residual = data<T>(rs);
      p.batch = B, p.channels = C, p.tile_h = p.tile_w = t;
      p.positions = {dy.data_ptr<int32_t>(), dx.data_ptr<int32_t>(), 4};
      p.output = data<T>(out), p.height = H, p.width = W, p.scale = 0.5f;
      p.channels_last = channels_last;
      if (r == Runner::kCpu) scatter_cpu(p);
      if (r == Runner::kElementCode) each_element(p, element::scatter<T>);
#ifdef HD_WITH_CUDA
      if (r == Runner::kCuda) scatter_cuda(p, nullptr);
#endif
    } else {
      // The first 3 tiles of each sample (tiles are sample-major [B * N]).
      tl = on_dev(tiles.view({B, 4, C, t, t}).narrow(1, 0, 3).reshape({B * 3, C, t, t}));
      dy = ints(wy), dx = ints(wx), at = ints(tile_at);
      out = torch::zeros({B * 3, C, t + 2, t + 2}, in.options()).contiguous(fmt);
      ScatterGatherParamsT<T> p;
      p.tiles = data<T>(tl), p.cached = data<T>(in);
      p.batch = B, p.channels = C, p.height = H, p.width = W, p.tile = t, p.tile_count = 3;
      p.tile_at = at.data_ptr<int32_t>(), p.grid_w = W / t;
      p.windows = {dy.data_ptr<int32_t>(), dx.data_ptr<int32_t>(), 3};
      p.window_h = p.window_w = t + 2;
      p.scale = sc.data_ptr<float>(), p.shift = sh.data_ptr<float>(), p.silu = true;
      p.output = data<T>(out), p.channels_last = channels_last;
      if (r == Runner::kCpu) scatter_gather_cpu(p);
      if (r == Runner::kElementCode) each_element(p, element::scatter_gather<T>);
#ifdef HD_WITH_CUDA
      if (r == Runner::kCuda) scatter_gather_cuda(p, nullptr);
#endif
    }
    if (r == Runner::kCuda) torch::cuda::synchronize();
    return out.to(torch::kCPU, torch::kFloat32).contiguous();
  }
};

struct Variant {
  Kernel kernel;
  bool channels_last;
  int upsample;
};

std::vector<Variant> variants() {
  std::vector<Variant> v;
  for (bool cl : {false, true}) {
    v.push_back({Kernel::kGather, cl, 1});
    v.push_back({Kernel::kGather, cl, 2});
    v.push_back({Kernel::kScatter, cl, 1});
    v.push_back({Kernel::kScatterGather, cl, 1});
  }
  return v;
}

std::string describe(const Variant& v) {
  return name(v.kernel) + (v.channels_last ? ", channels-last" : ", NCHW") + ", upsample " +
         std::to_string(v.upsample);
}

// The fp32 element code that the CUDA kernels run gives the vectorised CPU kernels' values
// (within the CPU kernels' polynomial exp, relative error < 2e-7 before SiLU's division).
TEST(KernelElementCode, MatchesVectorisedKernels) {
  const Problem pr;
  for (const Variant& v : variants()) {
    const torch::Tensor cpu = pr.run<float>(v.kernel, Runner::kCpu, v.channels_last, v.upsample);
    const torch::Tensor element =
        pr.run<float>(v.kernel, Runner::kElementCode, v.channels_last, v.upsample);
    EXPECT_TRUE(torch::allclose(element, cpu, 1e-6, 1e-6)) << describe(v);
    // Every variant computes something: not the zeros it starts from, not the map it copies.
    EXPECT_GT(element.abs().sum().item<double>(), 1.0) << describe(v);
  }
}

// The element code covers what each kernel must write: a gather leaves the channels outside
// its block zero, a scatter leaves the map outside its tiles as it was, and writes (tile +
// residual) / 2 inside.
TEST(KernelElementCode, WritesOnlyItsOutputs) {
  const Problem pr;
  const torch::Tensor g = pr.run<float>(Kernel::kGather, Runner::kElementCode, true, 1);
  EXPECT_EQ(g.select(1, 0).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(g.select(1, Problem::C + 1).abs().max().item<float>(), 0.0f);
  const torch::Tensor s = pr.run<float>(Kernel::kScatter, Runner::kElementCode, false, 1);
  // Tile 1 of sample 1 sits at (4, 4); cell (0, 0) of the map is in no tile.
  const torch::Tensor expect_tile = (pr.tiles[4 + 1] + pr.residual[4 + 1]) * 0.5;
  EXPECT_TRUE(torch::allclose(s[1].slice(1, 4, 8).slice(2, 4, 8), expect_tile));
  EXPECT_TRUE(torch::equal(s.slice(2, 0, 4).slice(3, 0, 4), pr.x.slice(2, 0, 4).slice(3, 0, 4)));
}

// The CUDA kernels give the CPU kernels' values: fp32 within 1e-5 (__expf), fp16 within one
// rounding step (skipped without a GPU).
TEST(KernelTwinsCuda, MatchCpu) {
#ifdef HD_WITH_CUDA
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const Problem pr;
  for (const Variant& v : variants()) {
    EXPECT_TRUE(torch::allclose(pr.run<float>(v.kernel, Runner::kCuda, v.channels_last, v.upsample),
                                pr.run<float>(v.kernel, Runner::kCpu, v.channels_last, v.upsample),
                                1e-5, 1e-5))
        << "fp32 " << describe(v);
    EXPECT_TRUE(torch::allclose(pr.run<Half>(v.kernel, Runner::kCuda, v.channels_last, v.upsample),
                                pr.run<Half>(v.kernel, Runner::kCpu, v.channels_last, v.upsample),
                                2e-3, 1e-3))
        << "fp16 " << describe(v);
  }
#else
  GTEST_SKIP() << "built without CUDA kernels";
#endif
}

}  // namespace
}  // namespace hd::kernels
