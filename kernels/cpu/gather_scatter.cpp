#include "hd/kernels/gather_scatter.h"

#include <cmath>
#include <cstring>

namespace hd::kernels {
namespace {

void run(int64_t n, const ParallelFor& parallel, const std::function<void(int64_t, int64_t)>& body) {
  if (parallel && n > 1) {
    parallel(n, body);
  } else {
    body(0, n);
  }
}

inline float silu(float v) { return v / (1.0f + std::exp(-v)); }

}  // namespace

void gather_cpu(const GatherParams& p, const ParallelFor& parallel) {
  const int64_t N = p.tiles.count, C = p.channels, H = p.height, W = p.width;
  const int64_t wh = p.window_h, ww = p.window_w, up = p.upsample;
  const int64_t vh = H * up, vw = W * up;  // virtual (upsampled) size
  // One unit of work: one (sample, tile, channel) window.
  run(p.batch * N * C, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t c = job % C;
      const int64_t n = (job / C) % N;
      const int64_t b = job / (C * N);
      const float* src = p.input + (b * C + c) * H * W;
      float* dst = p.output + ((b * N + n) * p.out_channels + p.channel_offset + c) * wh * ww;
      const float a = p.scale ? p.scale[b * C + c] : 1.0f;
      const float s = p.shift ? p.shift[b * C + c] : 0.0f;
      const bool affine = p.scale != nullptr;
      const int64_t y0 = p.tiles.ys[n], x0 = p.tiles.xs[n];
      for (int64_t i = 0; i < wh; ++i) {
        const int64_t vy = y0 + i;
        float* row = dst + i * ww;
        if (vy < 0 || vy >= vh) {
          std::memset(row, 0, sizeof(float) * ww);
          continue;
        }
        const float* srow = src + (vy / up) * W;
        for (int64_t j = 0; j < ww; ++j) {
          const int64_t vx = x0 + j;
          if (vx < 0 || vx >= vw) {
            row[j] = 0.0f;
            continue;
          }
          float v = srow[vx / up];
          if (affine) v = v * a + s;
          if (p.silu) v = silu(v);
          row[j] = v;
        }
      }
    }
  });
}

void scatter_cpu(const ScatterParams& p, const ParallelFor& parallel) {
  const int64_t N = p.positions.count, C = p.channels, th = p.tile_h, tw = p.tile_w;
  const int64_t H = p.height, W = p.width;
  run(p.batch * N * C, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t c = job % C;
      const int64_t n = (job / C) % N;
      const int64_t b = job / (C * N);
      const int64_t tile = ((b * N + n) * C + c) * th * tw;
      const float* src = p.tiles + tile;
      const float* res = p.residual ? p.residual + tile : nullptr;
      float* dst = p.output + (b * C + c) * H * W;
      const int64_t y0 = p.positions.ys[n], x0 = p.positions.xs[n];
      for (int64_t i = 0; i < th; ++i) {
        const int64_t y = y0 + i;
        if (y < 0 || y >= H) continue;
        for (int64_t j = 0; j < tw; ++j) {
          const int64_t x = x0 + j;
          if (x < 0 || x >= W) continue;
          float v = src[i * tw + j];
          if (res) v += res[i * tw + j];
          dst[y * W + x] = v * p.scale;
        }
      }
    }
  });
}

}  // namespace hd::kernels
