// fp16 twins of the CUDA kernels: half storage, float arithmetic, one loop over the output
// elements in the CUDA kernels' index order. Correct rather than fast: the engine's CPU path
// is fp32 (cpu/gather_scatter.cpp); these are the references the fp16 CUDA kernels are
// tested against.
#include <bit>
#include <cmath>

#include "hd/kernels/gather_scatter.h"
#include "hd/kernels/tile_index.h"

namespace hd::kernels {

float half_to_float(Half h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1fu, mant = h.bits & 0x3ffu;
  if (exp == 0) {  // zero or subnormal: mant * 2^-24
    const float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf, NaN
  return std::bit_cast<float>(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

Half float_to_half(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t mant = x & 0x7fffffu;
  const int32_t e = static_cast<int32_t>((x >> 23) & 0xffu);
  if (e == 255) return {static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u))};  // inf, NaN
  const int32_t exp = e - 127 + 15;
  if (exp >= 31) return {static_cast<uint16_t>(sign | 0x7c00u)};  // overflow: inf
  if (exp <= 0) {  // subnormal half (or zero): the full mantissa shifted right by 14 - exp
    if (exp < -10) return {sign};
    mant |= 0x800000u;
    const int shift = 14 - exp;
    uint32_t m = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (m & 1u))) ++m;
    return {static_cast<uint16_t>(sign | m)};
  }
  uint32_t h = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry rounds into the exponent
  return {static_cast<uint16_t>(h)};
}

namespace {

float silu(float v) {
  return v / (1.0f + std::exp(-v));
}

void run(int64_t n, const ParallelFor& parallel,
         const std::function<void(int64_t, int64_t)>& body) {
  if (parallel && n > 1) {
    parallel(n, body);
  } else {
    body(0, n);
  }
}

}  // namespace

void gather_cpu(const GatherParamsHalf& p, const ParallelFor& parallel) {
  const int64_t N = p.tiles.count, C = p.channels, wh = p.window_h, ww = p.window_w;
  const int64_t vh = p.height * p.upsample, vw = p.width * p.upsample;
  run(p.batch * N * C * wh * ww, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const auto [b, n, c, i, j] = unravel_window(idx, N, C, wh, ww, p.channels_last);
      const int64_t vy = p.tiles.ys[n] + i, vx = p.tiles.xs[n] + j;
      float v = 0.0f;
      if (vy >= 0 && vy < vh && vx >= 0 && vx < vw) {
        const int64_t y = vy / p.upsample, x = vx / p.upsample;
        v = half_to_float(p.channels_last ? p.input[((b * p.height + y) * p.width + x) * C + c]
                                          : p.input[((b * C + c) * p.height + y) * p.width + x]);
        if (p.scale) v = v * p.scale[b * C + c] + (p.shift ? p.shift[b * C + c] : 0.0f);
        if (p.silu) v = silu(v);
      }
      const int64_t tile = b * N + n;
      const int64_t o = p.channels_last
                            ? ((tile * wh + i) * ww + j) * p.out_channels + p.channel_offset + c
                            : ((tile * p.out_channels + p.channel_offset + c) * wh + i) * ww + j;
      p.output[o] = float_to_half(v);
    }
  });
}

void scatter_cpu(const ScatterParamsHalf& p, const ParallelFor& parallel) {
  const int64_t N = p.positions.count, C = p.channels, th = p.tile_h, tw = p.tile_w;
  run(p.batch * N * C * th * tw, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const auto [b, n, c, i, j] = unravel_window(idx, N, C, th, tw, p.channels_last);
      const int64_t y = p.positions.ys[n] + i, x = p.positions.xs[n] + j;
      if (y < 0 || y >= p.height || x < 0 || x >= p.width) continue;
      float v = half_to_float(p.tiles[idx]);
      if (p.residual) v += half_to_float(p.residual[idx]);
      const int64_t o = p.channels_last ? ((b * p.height + y) * p.width + x) * C + c
                                        : ((b * C + c) * p.height + y) * p.width + x;
      p.output[o] = float_to_half(v * p.scale);
    }
  });
}

void scatter_gather_cpu(const ScatterGatherParamsHalf& p, const ParallelFor& parallel) {
  const int64_t M = p.windows.count, C = p.channels, wh = p.window_h, ww = p.window_w, t = p.tile;
  run(p.batch * M * C * wh * ww, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const auto [b, m, c, i, j] = unravel_window(idx, M, C, wh, ww, p.channels_last);
      const int64_t y = p.windows.ys[m] + i, x = p.windows.xs[m] + j;
      float v = 0.0f;
      if (y >= 0 && y < p.height && x >= 0 && x < p.width) {
        const int32_t k = p.tile_at[(y / t) * p.grid_w + x / t];
        if (k >= 0) {
          const int64_t tile = b * p.tile_count + k, ty = y % t, tx = x % t;
          v = half_to_float(p.channels_last ? p.tiles[((tile * t + ty) * t + tx) * C + c]
                                            : p.tiles[((tile * C + c) * t + ty) * t + tx]);
        } else {
          v = half_to_float(p.channels_last ? p.cached[((b * p.height + y) * p.width + x) * C + c]
                                            : p.cached[((b * C + c) * p.height + y) * p.width + x]);
        }
        if (p.scale) v = v * p.scale[b * C + c] + (p.shift ? p.shift[b * C + c] : 0.0f);
        if (p.silu) v = silu(v);
      }
      p.output[idx] = float_to_half(v);
    }
  });
}

}  // namespace hd::kernels
