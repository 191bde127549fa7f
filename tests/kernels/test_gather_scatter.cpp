// Gather/scatter kernels: the CPU kernels against a reference built from torch ops and the
// round-trip identities (the CUDA twins: test_kernel_twins.cpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "hd/kernels/gather_scatter.h"

namespace hd::kernels {
namespace {

// Reference window: zero-pad the (upsampled, affine+silu'd) map and slice.
torch::Tensor reference_window(const torch::Tensor& x, int64_t b, int y0, int x0, int64_t win, int up,
                               const torch::Tensor& scale, const torch::Tensor& shift, bool silu) {
  torch::Tensor m = x[b];  // [C, H, W]
  if (scale.defined()) m = m * scale[b].view({-1, 1, 1}) + shift[b].view({-1, 1, 1});
  if (silu) m = torch::silu(m);
  if (up > 1) m = m.repeat_interleave(up, 1).repeat_interleave(up, 2);
  const int64_t pad = win + 2;
  torch::Tensor p = torch::constant_pad_nd(m, {pad, pad, pad, pad}, 0);
  return p.slice(1, y0 + pad, y0 + pad + win).slice(2, x0 + pad, x0 + pad + win);
}

struct Case {
  int up;
  bool affine, silu;
};

// Windows (including ones hanging over every border) equal the zero-padded reference, with
// the GroupNorm affine and SiLU fused, and with fused nearest upsampling.
TEST(GatherCpu, MatchesPaddedSlicesOfTheMap) {
  torch::manual_seed(0);
  const int64_t B = 2, C = 3, H = 9, W = 7;
  torch::Tensor x = torch::randn({B, C, H, W});
  torch::Tensor scale = torch::randn({B, C}), shift = torch::randn({B, C});
  for (Case cs : {Case{1, false, false}, Case{1, true, true}, Case{2, true, false}, Case{2, false, true}}) {
    const std::vector<int32_t> ys = {-1, 3, 6 * cs.up, -2}, xs = {-1, 2, 5 * cs.up, 4};
    const int64_t win = 4, N = static_cast<int64_t>(ys.size());
    torch::Tensor out = torch::full({B * N, C + 1, win, win}, 7.0f);
    GatherParams p;
    p.input = x.data_ptr<float>();
    p.batch = B, p.channels = C, p.height = H, p.width = W;
    p.tiles = {ys.data(), xs.data(), N};
    p.window_h = p.window_w = win;
    p.upsample = cs.up;
    p.scale = cs.affine ? scale.data_ptr<float>() : nullptr;
    p.shift = cs.affine ? shift.data_ptr<float>() : nullptr;
    p.silu = cs.silu;
    p.output = out.data_ptr<float>();
    p.out_channels = C + 1;
    p.channel_offset = 1;
    gather_cpu(p, [](int64_t n, const std::function<void(int64_t, int64_t)>& body) {
      body(0, n / 2);  // two chunks, as a thread pool would split them
      body(n / 2, n);
    });
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t n = 0; n < N; ++n) {
        torch::Tensor ref = reference_window(x, b, ys[n], xs[n], win, cs.up, cs.affine ? scale : torch::Tensor(),
                                             shift, cs.silu);
        torch::Tensor got = out[b * N + n].slice(0, 1, C + 1);
        EXPECT_TRUE(torch::allclose(got, ref, 1e-6, 1e-6)) << "up " << cs.up << " tile " << n;
        EXPECT_TRUE(torch::all(out[b * N + n][0] == 7.0f).item<bool>());  // channel 0 untouched
      }
    }
  }
}

// Gathering non-overlapping tiles without halo and scattering them back reproduces the map
// on those tiles and leaves every other pixel alone; the residual and scale are applied.
TEST(ScatterCpu, RoundTripAndResidual) {
  torch::manual_seed(1);
  const int64_t B = 2, C = 4, H = 8, W = 12, t = 4;
  torch::Tensor x = torch::randn({B, C, H, W});
  const std::vector<int32_t> ys = {0, 4, 4}, xs = {0, 4, 8};
  const int64_t N = 3;
  torch::Tensor tiles = torch::empty({B * N, C, t, t});
  GatherParams g;
  g.input = x.data_ptr<float>();
  g.batch = B, g.channels = C, g.height = H, g.width = W;
  g.tiles = {ys.data(), xs.data(), N};
  g.window_h = g.window_w = t;
  g.output = tiles.data_ptr<float>();
  g.out_channels = C;
  gather_cpu(g);
  torch::Tensor out = torch::zeros_like(x);
  torch::Tensor residual = torch::ones_like(tiles);
  ScatterParams s;
  s.tiles = tiles.data_ptr<float>();
  s.batch = B, s.channels = C, s.tile_h = s.tile_w = t;
  s.positions = {ys.data(), xs.data(), N};
  s.output = out.data_ptr<float>();
  s.height = H, s.width = W;
  s.residual = residual.data_ptr<float>();
  s.scale = 0.5f;
  scatter_cpu(s);
  torch::Tensor mask = torch::zeros({H, W});
  for (int64_t n = 0; n < N; ++n) mask.slice(0, ys[n], ys[n] + t).slice(1, xs[n], xs[n] + t).fill_(1);
  torch::Tensor expected = (x + 1) * 0.5 * mask;
  EXPECT_TRUE(torch::allclose(out, expected, 1e-6, 1e-6));
}

}  // namespace
}  // namespace hd::kernels

namespace hd::kernels {
namespace {

// The channels-last kernels give the NCHW kernels' values (same logical tensors), for a
// concatenated gather with affine, SiLU and upsampling, and for a scatter with residual.
TEST(GatherScatterCpu, ChannelsLastMatchesNchw) {
  torch::manual_seed(4);
  const int64_t B = 2, C = 5, H = 12, W = 10, win = 6, N = 4, t = 4;
  const std::vector<int32_t> ys = {-1, 3, 7, 9}, xs = {-1, 5, 2, 7};
  torch::Tensor x = torch::randn({B, C, H, W}), scale = torch::randn({B, C}), shift = torch::randn({B, C});
  for (int up : {1, 2}) {
    auto gather = [&](bool cl) {
      const auto fmt = cl ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
      torch::Tensor in = x.contiguous(fmt);
      torch::Tensor out = torch::zeros({B * N, C + 2, win, win}).contiguous(fmt);
      GatherParams p;
      p.input = in.data_ptr<float>();
      p.batch = B, p.channels = C, p.height = H, p.width = W;
      p.tiles = {ys.data(), xs.data(), N};
      p.window_h = p.window_w = win;
      p.upsample = up;
      p.scale = scale.data_ptr<float>(), p.shift = shift.data_ptr<float>(), p.silu = true;
      p.output = out.data_ptr<float>();
      p.out_channels = C + 2, p.channel_offset = 1, p.channels_last = cl;
      gather_cpu(p);
      return out.contiguous();
    };
    EXPECT_TRUE(torch::allclose(gather(false), gather(true), 1e-6, 1e-6)) << "upsample " << up;
  }
  torch::Tensor tiles = torch::randn({B * N, C, t, t}), res = torch::randn({B * N, C, t, t});
  auto scatter = [&](bool cl) {
    const auto fmt = cl ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    torch::Tensor tl = tiles.contiguous(fmt), rs = res.contiguous(fmt), out = x.contiguous(fmt).clone(fmt);
    ScatterParams p;
    p.tiles = tl.data_ptr<float>();
    p.residual = rs.data_ptr<float>();
    p.batch = B, p.channels = C, p.tile_h = p.tile_w = t;
    p.positions = {ys.data(), xs.data(), N};
    p.output = out.data_ptr<float>();
    p.height = H, p.width = W, p.scale = 0.5f, p.channels_last = cl;
    scatter_cpu(p);
    return out.contiguous();
  };
  EXPECT_TRUE(torch::allclose(scatter(false), scatter(true), 1e-6, 1e-6));
}

}  // namespace
}  // namespace hd::kernels

namespace hd::kernels {
namespace {

// A map with 3 of its 4x4 grid cells computed anew (tiles of 4 on a 12x16 map) and the
// windows of the next 3x3 convolution (tile plus a one-pixel halo) over every tile.
struct FusedCase {
  int64_t B = 2, C = 5, H = 12, W = 16, t = 4;
  std::vector<int32_t> tile_ys = {0, 4, 8}, tile_xs = {12, 4, 0};  // active cells
  std::vector<int32_t> win_ys, win_xs;
  std::vector<int32_t> tile_at;
  torch::Tensor cached, tiles, scale, shift;

  FusedCase() {
    torch::manual_seed(5);
    cached = torch::randn({B, C, H, W});
    tiles = torch::randn({B * 3, C, t, t});
    scale = torch::randn({B, C});
    shift = torch::randn({B, C});
    tile_at.assign(static_cast<size_t>((H / t) * (W / t)), -1);
    for (int k = 0; k < 3; ++k) tile_at[(tile_ys[k] / t) * (W / t) + tile_xs[k] / t] = k;
    for (int y = 0; y < H; y += t) {
      for (int x = 0; x < W; x += t) win_ys.push_back(y - 1), win_xs.push_back(x - 1);
    }
  }
  int64_t windows() const { return static_cast<int64_t>(win_ys.size()); }

  // Reference: scatter the tiles into a copy of the cached map, then gather from it.
  torch::Tensor scatter_then_gather() const {
    torch::Tensor map = cached.clone();
    ScatterParams s;
    s.tiles = tiles.data_ptr<float>();
    s.batch = B, s.channels = C, s.tile_h = s.tile_w = t;
    s.positions = {tile_ys.data(), tile_xs.data(), 3};
    s.output = map.data_ptr<float>();
    s.height = H, s.width = W;
    scatter_cpu(s);
    torch::Tensor out = torch::zeros({B * windows(), C, t + 2, t + 2});
    GatherParams g;
    g.input = map.data_ptr<float>();
    g.batch = B, g.channels = C, g.height = H, g.width = W;
    g.tiles = {win_ys.data(), win_xs.data(), windows()};
    g.window_h = g.window_w = t + 2;
    g.scale = scale.data_ptr<float>(), g.shift = shift.data_ptr<float>(), g.silu = true;
    g.output = out.data_ptr<float>();
    g.out_channels = C;
    gather_cpu(g);
    return out;
  }

  ScatterGatherParams params(const torch::Tensor& tl, const torch::Tensor& map, const torch::Tensor& at,
                             const torch::Tensor& wy, const torch::Tensor& wx, const torch::Tensor& sc,
                             const torch::Tensor& sh, torch::Tensor& out, bool cl) const {
    ScatterGatherParams p;
    p.tiles = tl.data_ptr<float>();
    p.cached = map.data_ptr<float>();
    p.batch = B, p.channels = C, p.height = H, p.width = W, p.tile = t, p.tile_count = 3;
    p.tile_at = at.data_ptr<int32_t>();
    p.grid_w = W / t;
    p.windows = {wy.data_ptr<int32_t>(), wx.data_ptr<int32_t>(), windows()};
    p.window_h = p.window_w = t + 2;
    p.scale = sc.data_ptr<float>(), p.shift = sh.data_ptr<float>(), p.silu = true;
    p.output = out.data_ptr<float>();
    p.channels_last = cl;
    return p;
  }
};

// The fused kernel reads what a scatter followed by a gather would (tiles where computed,
// the cached map elsewhere, zeros outside), in both layouts, and leaves the map unchanged.
TEST(ScatterGatherCpu, EqualsScatterThenGather) {
  FusedCase f;
  const torch::Tensor expected = f.scatter_then_gather();
  const torch::Tensor cached_before = f.cached.clone();
  for (bool cl : {false, true}) {
    const auto fmt = cl ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    torch::Tensor tl = f.tiles.contiguous(fmt), map = f.cached.contiguous(fmt);
    torch::Tensor out = torch::zeros({f.B * f.windows(), f.C, f.t + 2, f.t + 2}).contiguous(fmt);
    torch::Tensor at = torch::tensor(f.tile_at, torch::kInt32);
    torch::Tensor wy = torch::tensor(f.win_ys, torch::kInt32), wx = torch::tensor(f.win_xs, torch::kInt32);
    scatter_gather_cpu(f.params(tl, map, at, wy, wx, f.scale, f.shift, out, cl));
    EXPECT_TRUE(torch::allclose(out.contiguous(), expected, 1e-6, 1e-6)) << "channels_last " << cl;
  }
  EXPECT_TRUE(torch::equal(f.cached, cached_before));
}

}  // namespace
}  // namespace hd::kernels
