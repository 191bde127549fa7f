// 16-bit kernels: the half conversions against torch's, the CPU fp16 twins and the CPU bf16
// kernels against the fp32 kernels on representable inputs (the CUDA fp16 kernels against
// the CPU fp16 twins: test_kernel_twins.cpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "hd/kernels/gather_scatter.h"

namespace hd::kernels {
namespace {

Half* half_ptr(torch::Tensor& t) {
  return reinterpret_cast<Half*>(t.data_ptr<at::Half>());
}

// The kernels' 16-bit storage types and their torch dtypes.
template <class T>
T* ptr16(torch::Tensor& t);
template <>
Half* ptr16<Half>(torch::Tensor& t) {
  return half_ptr(t);
}
template <>
BFloat16* ptr16<BFloat16>(torch::Tensor& t) {
  return reinterpret_cast<BFloat16*>(t.data_ptr<at::BFloat16>());
}

// Every finite half converts to the float torch gives; floats round to the half torch gives
// (nearest even), across normal, subnormal, overflowing and halfway values.
TEST(Half, ConversionsMatchTorch) {
  torch::Tensor bits = torch::arange(0, 65536, torch::kInt32).to(torch::kInt16);  // every pattern
  torch::Tensor halves = bits.view(torch::kHalf);
  torch::Tensor floats = halves.to(torch::kFloat32);
  int mismatches = 0;
  for (int64_t i = 0; i < 65536; ++i) {
    const float expected = floats[i].item<float>();
    if (std::isnan(expected)) continue;
    const Half h{static_cast<uint16_t>(i)};
    mismatches += half_to_float(h) != expected;
  }
  EXPECT_EQ(mismatches, 0);

  torch::manual_seed(9);
  std::vector<float> values = {0.0f,     -0.0f,   1.0f,          65504.0f, 65520.0f,
                               70000.0f, -1e9f,   5.96e-8f,      2.98e-8f, 2.99e-8f,
                               1e-10f,   6.1e-5f, 1.00048828125f /* halfway, rounds to even */};
  torch::Tensor r = torch::randn({4000});
  for (float scale : {1e-6f, 1e-3f, 1.0f, 100.0f, 3e4f}) {
    for (int64_t i = 0; i < r.size(0); i += 4) values.push_back(r[i].item<float>() * scale);
  }
  torch::Tensor f = torch::tensor(values);
  torch::Tensor expected = f.to(torch::kHalf).view(torch::kInt16);
  mismatches = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    mismatches += float_to_half(values[i]).bits !=
                  static_cast<uint16_t>(expected[static_cast<int64_t>(i)].item<int16_t>());
  }
  EXPECT_EQ(mismatches, 0);
}

struct Problem {
  int64_t B = 2, C = 6, H = 12, W = 16, win = 6, t = 4;
  std::vector<int32_t> ys = {-1, 3, 7, 9}, xs = {-1, 11, 2, 5};  // windows over every border
  torch::Tensor x, scale, shift;
  explicit Problem(torch::ScalarType dtype = torch::kHalf, int64_t channels = 6) : C(channels) {
    torch::manual_seed(3);
    x = torch::randn({B, C, H, W}).to(dtype).to(torch::kFloat32);  // representable in dtype
    scale = torch::randn({B, C});
    shift = torch::randn({B, C});
  }
};

// Gather (affine + SiLU, upsampling), scatter (residual, scale) and scatter-gather with
// 16-bit storage T equal the fp32 kernels' results rounded to T (within `rtol` / `atol` where
// the kernels compute SiLU), in both layouts.
template <class T>
void expect_matches_float_kernels(torch::ScalarType dtype, double rtol, double atol,
                                  int64_t channels = 6) {
  Problem pr(dtype, channels);
  const int64_t N = static_cast<int64_t>(pr.ys.size());
  for (bool cl : {false, true}) {
    const auto fmt = cl ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    for (int up : {1, 2}) {
      torch::Tensor in32 = pr.x.contiguous(fmt), in16 = pr.x.to(dtype).contiguous(fmt);
      torch::Tensor out32 = torch::zeros({pr.B * N, pr.C, pr.win, pr.win}).contiguous(fmt);
      torch::Tensor out16 =
          torch::zeros({pr.B * N, pr.C, pr.win, pr.win}, dtype).contiguous(fmt);
      GatherParams g;
      g.input = in32.data_ptr<float>();
      g.batch = pr.B, g.channels = pr.C, g.height = pr.H, g.width = pr.W;
      g.tiles = {pr.ys.data(), pr.xs.data(), N};
      g.window_h = g.window_w = pr.win;
      g.upsample = up;
      g.scale = pr.scale.data_ptr<float>(), g.shift = pr.shift.data_ptr<float>(), g.silu = true;
      g.output = out32.data_ptr<float>();
      g.out_channels = pr.C, g.channels_last = cl;
      gather_cpu(g);
      GatherParamsT<T> h;
      h.input = ptr16<T>(in16);
      h.batch = g.batch, h.channels = g.channels, h.height = g.height, h.width = g.width;
      h.tiles = g.tiles, h.window_h = h.window_w = pr.win, h.upsample = up;
      h.scale = g.scale, h.shift = g.shift, h.silu = true;
      h.output = ptr16<T>(out16);
      h.out_channels = pr.C, h.channels_last = cl;
      gather_cpu(h);
      EXPECT_TRUE(torch::allclose(out16.to(torch::kFloat32),
                                  out32.to(dtype).to(torch::kFloat32), rtol, atol))
          << "channels_last " << cl << " upsample " << up;
    }
    torch::Tensor tiles = torch::randn({pr.B * N, pr.C, pr.t, pr.t}).to(dtype);
    torch::Tensor res = torch::randn({pr.B * N, pr.C, pr.t, pr.t}).to(dtype);
    torch::Tensor map32 = pr.x.contiguous(fmt).clone(fmt),
                  map16 = pr.x.to(dtype).contiguous(fmt).clone(fmt);
    torch::Tensor t32 = tiles.to(torch::kFloat32).contiguous(fmt),
                  r32 = res.to(torch::kFloat32).contiguous(fmt);
    torch::Tensor t16 = tiles.contiguous(fmt), r16 = res.contiguous(fmt);
    const std::vector<int32_t> py = {0, 4, 8, 8}, px = {12, 4, 0, 14};  // the last one clipped
    ScatterParams s;
    s.tiles = t32.data_ptr<float>(), s.residual = r32.data_ptr<float>();
    s.batch = pr.B, s.channels = pr.C, s.tile_h = s.tile_w = pr.t;
    s.positions = {py.data(), px.data(), N};
    s.output = map32.data_ptr<float>(), s.height = pr.H, s.width = pr.W, s.scale = 0.5f,
    s.channels_last = cl;
    scatter_cpu(s);
    ScatterParamsT<T> sh;
    sh.tiles = ptr16<T>(t16), sh.residual = ptr16<T>(r16);
    sh.batch = s.batch, sh.channels = s.channels, sh.tile_h = sh.tile_w = pr.t,
    sh.positions = s.positions;
    sh.output = ptr16<T>(map16), sh.height = pr.H, sh.width = pr.W, sh.scale = 0.5f,
    sh.channels_last = cl;
    scatter_cpu(sh);
    EXPECT_TRUE(torch::equal(map16.to(torch::kFloat32), map32.to(dtype).to(torch::kFloat32)))
        << "scatter, channels_last " << cl;

    // Scatter-gather: the first three tiles (on the 4-pixel grid) into 3x3-conv windows.
    std::vector<int32_t> tile_at(static_cast<size_t>((pr.H / pr.t) * (pr.W / pr.t)), -1);
    for (int k = 0; k < 3; ++k) tile_at[(py[k] / pr.t) * (pr.W / pr.t) + px[k] / pr.t] = k;
    const std::vector<int32_t> wy = {-1, 3, 7}, wx = {11, 3, -1};
    torch::Tensor cached32 = pr.x.contiguous(fmt), cached16 = pr.x.to(dtype).contiguous(fmt);
    // Tiles are sample-major [B * N]: take tiles 0..2 of each sample.
    torch::Tensor t3_32 = t32.view({pr.B, N, pr.C, pr.t, pr.t})
                              .narrow(1, 0, 3)
                              .reshape({pr.B * 3, pr.C, pr.t, pr.t})
                              .contiguous(fmt);
    torch::Tensor t3_16 = t16.view({pr.B, N, pr.C, pr.t, pr.t})
                              .narrow(1, 0, 3)
                              .reshape({pr.B * 3, pr.C, pr.t, pr.t})
                              .contiguous(fmt);
    torch::Tensor sg32 = torch::zeros({pr.B * 3, pr.C, pr.t + 2, pr.t + 2}).contiguous(fmt);
    torch::Tensor sg16 =
        torch::zeros({pr.B * 3, pr.C, pr.t + 2, pr.t + 2}, dtype).contiguous(fmt);
    ScatterGatherParams q;
    q.tiles = t3_32.data_ptr<float>(), q.cached = cached32.data_ptr<float>();
    q.batch = pr.B, q.channels = pr.C, q.height = pr.H, q.width = pr.W, q.tile = pr.t,
    q.tile_count = 3;
    q.tile_at = tile_at.data(), q.grid_w = pr.W / pr.t;
    q.windows = {wy.data(), wx.data(), 3};
    q.window_h = q.window_w = pr.t + 2;
    q.scale = pr.scale.data_ptr<float>(), q.shift = pr.shift.data_ptr<float>(), q.silu = true;
    q.output = sg32.data_ptr<float>(), q.channels_last = cl;
    scatter_gather_cpu(q);
    ScatterGatherParamsT<T> qh;
    qh.tiles = ptr16<T>(t3_16), qh.cached = ptr16<T>(cached16);
    qh.batch = q.batch, qh.channels = q.channels, qh.height = q.height, qh.width = q.width;
    qh.tile = q.tile, qh.tile_count = 3, qh.tile_at = q.tile_at, qh.grid_w = q.grid_w,
    qh.windows = q.windows;
    qh.window_h = qh.window_w = pr.t + 2;
    qh.scale = q.scale, qh.shift = q.shift, qh.silu = true;
    qh.output = ptr16<T>(sg16), qh.channels_last = cl;
    scatter_gather_cpu(qh);
    EXPECT_TRUE(torch::allclose(sg16.to(torch::kFloat32), sg32.to(dtype).to(torch::kFloat32),
                                rtol, atol))
        << "scatter-gather, channels_last " << cl;
  }
}

TEST(GatherScatterHalfCpu, MatchFloatKernels) { expect_matches_float_kernels<Half>(torch::kHalf, 2e-3, 1e-3); }

// bfloat16 keeps 8 mantissa bits: one rounding step is up to 2^-8 relative.
TEST(GatherScatterBFloat16Cpu, MatchFloatKernels) {
  expect_matches_float_kernels<BFloat16>(torch::kBFloat16, 8e-3, 1e-3);
  // Whole and partial 16-channel vectors (the AVX-512 loops' blocks) in one pixel.
  expect_matches_float_kernels<BFloat16>(torch::kBFloat16, 8e-3, 1e-3, 37);
}

}  // namespace
}  // namespace hd::kernels
