// One output element of each gather / scatter kernel, as code that compiles for the host and
// (under nvcc) for the device: the CUDA kernels (cuda/gather_scatter.cu) run it once per thread
// index, the CPU fp16 twins (cpu/gather_scatter_half.cpp) once per loop index. A CPU build thus
// executes the CUDA kernels' own index arithmetic, and tests compare it with the independently
// written vectorised fp32 kernels (cpu/gather_scatter.cpp) on machines without a GPU.
//
// Arithmetic is float; 16-bit elements are converted on load and rounded once on store. Only
// the exponential of SiLU and the half conversions differ between host and device (__expf and
// the __half intrinsics on the device).
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#include <cuda_fp16.h>
#else
#include <cmath>
#endif

#include "hd/kernels/gather_scatter.h"
#include "hd/kernels/tile_index.h"

namespace hd::kernels::element {

HD_HOST_DEVICE inline float load(const float* p, int64_t i) {
  return p[i];
}
HD_HOST_DEVICE inline void store(float* p, int64_t i, float v) {
  p[i] = v;
}

HD_HOST_DEVICE inline float load(const Half* p, int64_t i) {
#ifdef __CUDA_ARCH__
  return __half2float(reinterpret_cast<const __half*>(p)[i]);
#else
  return half_to_float(p[i]);
#endif
}
HD_HOST_DEVICE inline void store(Half* p, int64_t i, float v) {
#ifdef __CUDA_ARCH__
  reinterpret_cast<__half*>(p)[i] = __float2half_rn(v);
#else
  p[i] = float_to_half(v);
#endif
}

HD_HOST_DEVICE inline float silu(float v) {
#ifdef __CUDA_ARCH__
  return v / (1.0f + __expf(-v));
#else
  return v / (1.0f + std::exp(-v));
#endif
}

// Offset of pixel (b, c, y, x) of a [B, C, H, W] map in either memory format.
HD_HOST_DEVICE inline int64_t map_offset(int64_t b, int64_t c, int64_t y, int64_t x, int64_t C,
                                         int64_t H, int64_t W, bool channels_last) {
  return channels_last ? ((b * H + y) * W + x) * C + c : ((b * C + c) * H + y) * W + x;
}

// Optional GroupNorm affine, then optional SiLU, of sample b's channel c.
template <class P>
HD_HOST_DEVICE inline float affine_silu(const P& p, int64_t b, int64_t c, float v) {
  if (p.scale) v = v * p.scale[b * p.channels + c] + (p.shift ? p.shift[b * p.channels + c] : 0.0f);
  return p.silu ? silu(v) : v;
}

// Output elements of each kernel (the index range the element functions take).
template <class T>
HD_HOST_DEVICE inline int64_t count(const GatherParamsT<T>& p) {
  return p.batch * p.tiles.count * p.channels * p.window_h * p.window_w;
}
template <class T>
HD_HOST_DEVICE inline int64_t count(const ScatterParamsT<T>& p) {
  return p.batch * p.positions.count * p.channels * p.tile_h * p.tile_w;
}
template <class T>
HD_HOST_DEVICE inline int64_t count(const ScatterGatherParamsT<T>& p) {
  return p.batch * p.windows.count * p.channels * p.window_h * p.window_w;
}

// Window element idx of [B * N, out_channels, wh, ww] (channel block at channel_offset): the
// input pixel under it (nearest-upsampled), zero outside the map.
template <class T>
HD_HOST_DEVICE inline void gather(const GatherParamsT<T>& p, int64_t idx) {
  const int64_t N = p.tiles.count, C = p.channels, wh = p.window_h, ww = p.window_w;
  const auto [b, n, c, i, j] = unravel_window(idx, N, C, wh, ww, p.channels_last);
  const int64_t vy = p.tiles.ys[n] + i, vx = p.tiles.xs[n] + j;
  float v = 0.0f;
  if (vy >= 0 && vy < p.height * p.upsample && vx >= 0 && vx < p.width * p.upsample) {
    const int64_t y = vy / p.upsample, x = vx / p.upsample;
    v = affine_silu(p, b, c,
                    load(p.input, map_offset(b, c, y, x, C, p.height, p.width, p.channels_last)));
  }
  const int64_t tile = b * N + n, oc = p.channel_offset + c;
  store(p.output,
        p.channels_last ? ((tile * wh + i) * ww + j) * p.out_channels + oc
                        : ((tile * p.out_channels + oc) * wh + i) * ww + j,
        v);
}

// Tile element idx of [B * N, C, th, tw] (plus its residual, times scale) into the map; tile
// pixels outside the map are dropped.
template <class T>
HD_HOST_DEVICE inline void scatter(const ScatterParamsT<T>& p, int64_t idx) {
  const int64_t N = p.positions.count, C = p.channels;
  const auto [b, n, c, i, j] = unravel_window(idx, N, C, p.tile_h, p.tile_w, p.channels_last);
  const int64_t y = p.positions.ys[n] + i, x = p.positions.xs[n] + j;
  if (y < 0 || y >= p.height || x < 0 || x >= p.width) return;
  float v = load(p.tiles, idx);
  if (p.residual) v += load(p.residual, idx);
  store(p.output, map_offset(b, c, y, x, C, p.height, p.width, p.channels_last), v * p.scale);
}

// Window element idx of [B * M, C, wh, ww]: the pixel from its computed tile where the cell
// has one, from the cached map elsewhere, zero outside the map.
template <class T>
HD_HOST_DEVICE inline void scatter_gather(const ScatterGatherParamsT<T>& p, int64_t idx) {
  const int64_t M = p.windows.count, C = p.channels, t = p.tile;
  const auto [b, m, c, i, j] = unravel_window(idx, M, C, p.window_h, p.window_w, p.channels_last);
  const int64_t y = p.windows.ys[m] + i, x = p.windows.xs[m] + j;
  float v = 0.0f;
  if (y >= 0 && y < p.height && x >= 0 && x < p.width) {
    const int32_t k = p.tile_at[(y / t) * p.grid_w + x / t];
    if (k >= 0) {
      const int64_t tile = b * p.tile_count + k;
      v = load(p.tiles, map_offset(tile, c, y % t, x % t, C, t, t, p.channels_last));
    } else {
      v = load(p.cached, map_offset(b, c, y, x, C, p.height, p.width, p.channels_last));
    }
    v = affine_silu(p, b, c, v);
  }
  store(p.output, idx, v);
}

}  // namespace hd::kernels::element
