#include "hd/kernels/gather_scatter.h"

#include "cpu_common.h"
#include "pixel_ops.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace hd::kernels {
namespace {

using cpu::load;
using cpu::run;
using cpu::store;

// exp(x) as 2^(x log2 e): the integer part goes into the exponent bits, the fraction
// through a degree-6 polynomial (relative error < 2e-7). Branch-free float and integer
// arithmetic, so that the loops calling it vectorise.
inline float fast_exp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float t = x * 1.44269504088896341f;
  int32_t i = static_cast<int32_t>(t);
  i -= static_cast<int32_t>(t < static_cast<float>(i));  // floor
  const float f = t - static_cast<float>(i);  // [0, 1)
  float p = 1.535336188319500e-4f;
  p = p * f + 1.339887440266574e-3f;
  p = p * f + 9.618437357674640e-3f;
  p = p * f + 5.550332471162809e-2f;
  p = p * f + 2.402264791363012e-1f;
  p = p * f + 6.931472028550421e-1f;
  p = p * f + 1.0f;
  return p * std::bit_cast<float>((i + 127) << 23);
}

inline float silu(float v) { return v / (1.0f + fast_exp(-v)); }

// In place over n contiguous values: optional affine (a * v + s), optional SiLU.
__attribute__((target_clones("avx512f", "avx2", "default")))
void affine_silu(float* v, int64_t n, float a, float s, bool affine, bool act) {
  if (affine && act) {
    for (int64_t j = 0; j < n; ++j) v[j] = silu(v[j] * a + s);
  } else if (affine) {
    for (int64_t j = 0; j < n; ++j) v[j] = v[j] * a + s;
  } else if (act) {
    for (int64_t j = 0; j < n; ++j) v[j] = silu(v[j]);
  }
}

// Per-channel affine (scale/shift arrays) and SiLU over one pixel's channels.
template <class T>
inline void pixel_affine_silu_body(const T* src, T* dst, int64_t n, const float* a, const float* s, bool act) {
  if (a && act) {
    for (int64_t c = 0; c < n; ++c) store(dst[c], silu(load(src[c]) * a[c] + s[c]));
  } else if (a) {
    for (int64_t c = 0; c < n; ++c) store(dst[c], load(src[c]) * a[c] + s[c]);
  } else if (act) {
    for (int64_t c = 0; c < n; ++c) store(dst[c], silu(load(src[c])));
  } else {
    for (int64_t c = 0; c < n; ++c) dst[c] = src[c];
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void pixel_affine_silu_portable(
    const float* src, float* dst, int64_t n, const float* a, const float* s, bool act) {
  pixel_affine_silu_body(src, dst, n, a, s, act);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void pixel_affine_silu_portable(
    const BFloat16* src, BFloat16* dst, int64_t n, const float* a, const float* s, bool act) {
  pixel_affine_silu_body(src, dst, n, a, s, act);
}

// bfloat16: the AVX-512 loops where the CPU has them (cpu/pixel_ops.h).
void pixel_affine_silu(const float* src, float* dst, int64_t n, const float* a, const float* s,
                       bool act) {
  pixel_affine_silu_portable(src, dst, n, a, s, act);
}

void pixel_affine_silu(const BFloat16* src, BFloat16* dst, int64_t n, const float* a,
                       const float* s, bool act) {
  if (cpu::avx512_available()) {
    cpu::pixel_affine_silu_avx512(src, dst, n, a, s, act);
  } else {
    pixel_affine_silu_portable(src, dst, n, a, s, act);
  }
}

template <class T>
inline void pixel_store_body(const T* src, const T* res, T* dst, int64_t n, float scale) {
  if (res) {
    for (int64_t c = 0; c < n; ++c) store(dst[c], (load(src[c]) + load(res[c])) * scale);
  } else if (scale != 1.0f) {
    for (int64_t c = 0; c < n; ++c) store(dst[c], load(src[c]) * scale);
  } else {
    for (int64_t c = 0; c < n; ++c) dst[c] = src[c];
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void pixel_store_portable(
    const float* src, const float* res, float* dst, int64_t n, float scale) {
  pixel_store_body(src, res, dst, n, scale);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void pixel_store_portable(
    const BFloat16* src, const BFloat16* res, BFloat16* dst, int64_t n, float scale) {
  pixel_store_body(src, res, dst, n, scale);
}

void pixel_store(const float* src, const float* res, float* dst, int64_t n, float scale) {
  pixel_store_portable(src, res, dst, n, scale);
}

void pixel_store(const BFloat16* src, const BFloat16* res, BFloat16* dst, int64_t n, float scale) {
  if (cpu::avx512_available()) {
    cpu::pixel_store_avx512(src, res, dst, n, scale);
  } else {
    pixel_store_portable(src, res, dst, n, scale);
  }
}

template <class T>
void gather_nhwc(const GatherParamsT<T>& p, const ParallelFor& parallel) {
  const int64_t N = p.tiles.count, C = p.channels, H = p.height, W = p.width;
  const int64_t wh = p.window_h, ww = p.window_w, up = p.upsample, Co = p.out_channels;
  const int64_t vh = H * up, vw = W * up;
  std::vector<float> ones;
  const float* shift_zero = nullptr;
  if (p.scale && !p.shift) {
    ones.assign(static_cast<size_t>(p.batch * C), 0.0f);
    shift_zero = ones.data();
  }
  // One unit of work: one window row of one tile of one sample.
  run(p.batch * N * wh, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t i = job % wh;
      const int64_t n = (job / wh) % N;
      const int64_t b = job / (wh * N);
      const float* a = p.scale ? p.scale + b * C : nullptr;
      const float* s = p.scale ? (p.shift ? p.shift + b * C : shift_zero + b * C) : nullptr;
      T* row = p.output + (((b * N + n) * wh + i) * ww) * Co + p.channel_offset;
      const int64_t vy = p.tiles.ys[n] + i;
      for (int64_t j = 0; j < ww; ++j) {
        const int64_t vx = p.tiles.xs[n] + j;
        T* dst = row + j * Co;
        if (vy < 0 || vy >= vh || vx < 0 || vx >= vw) {
          std::memset(dst, 0, sizeof(T) * C);  // +0.0 is all zero bits in both formats
          continue;
        }
        const T* src = p.input + ((b * H + vy / up) * W + vx / up) * C;
        pixel_affine_silu(src, dst, C, a, s, p.silu);
      }
    }
  });
}

template <class T>
void scatter_nhwc(const ScatterParamsT<T>& p, const ParallelFor& parallel) {
  const int64_t N = p.positions.count, C = p.channels, th = p.tile_h, tw = p.tile_w;
  const int64_t H = p.height, W = p.width;
  run(p.batch * N * th, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t i = job % th;
      const int64_t n = (job / th) % N;
      const int64_t b = job / (th * N);
      const int64_t y = p.positions.ys[n] + i;
      if (y < 0 || y >= H) continue;
      const int64_t tile_row = (((b * N + n) * th + i) * tw) * C;
      for (int64_t j = 0; j < tw; ++j) {
        const int64_t x = p.positions.xs[n] + j;
        if (x < 0 || x >= W) continue;
        pixel_store(p.tiles + tile_row + j * C, p.residual ? p.residual + tile_row + j * C : nullptr,
                    p.output + ((b * H + y) * W + x) * C, C, p.scale);
      }
    }
  });
}

// Where (b, y, x) of the map is read from: a computed tile's pixel or the cached map's,
// as the pointer to its channel 0 and the stride between channels.
template <class T>
struct Source {
  const T* ptr;
  int64_t channel_stride;
};

template <class T>
inline Source<T> scatter_gather_source(const ScatterGatherParamsT<T>& p, int64_t b, int64_t y, int64_t x) {
  const int64_t t = p.tile, C = p.channels;
  const int32_t k = p.tile_at[(y / t) * p.grid_w + x / t];
  if (k >= 0) {
    const int64_t tile = b * p.tile_count + k, ty = y % t, tx = x % t;
    if (p.channels_last) return {p.tiles + ((tile * t + ty) * t + tx) * C, 1};
    return {p.tiles + (tile * C * t + ty) * t + tx, t * t};
  }
  if (p.channels_last) return {p.cached + ((b * p.height + y) * p.width + x) * C, 1};
  return {p.cached + (b * C * p.height + y) * p.width + x, p.height * p.width};
}

template <class T>
void scatter_gather_impl(const ScatterGatherParamsT<T>& p, const ParallelFor& parallel) {
  const int64_t M = p.windows.count, C = p.channels, H = p.height, W = p.width;
  const int64_t wh = p.window_h, ww = p.window_w;
  std::vector<float> zeros;
  if (p.scale && !p.shift) zeros.assign(static_cast<size_t>(p.batch * C), 0.0f);
  // One unit of work: one window row of one window of one sample.
  run(p.batch * M * wh, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t i = job % wh;
      const int64_t m = (job / wh) % M;
      const int64_t b = job / (wh * M);
      const float* a = p.scale ? p.scale + b * C : nullptr;
      const float* s = p.scale ? (p.shift ? p.shift + b * C : zeros.data() + b * C) : nullptr;
      const int64_t y = p.windows.ys[m] + i;
      for (int64_t j = 0; j < ww; ++j) {
        const int64_t x = p.windows.xs[m] + j;
        const bool inside = y >= 0 && y < H && x >= 0 && x < W;
        if (p.channels_last) {
          T* dst = p.output + (((b * M + m) * wh + i) * ww + j) * C;
          if (!inside) {
            std::memset(dst, 0, sizeof(T) * C);
            continue;
          }
          pixel_affine_silu(scatter_gather_source(p, b, y, x).ptr, dst, C, a, s, p.silu);
        } else {
          T* dst = p.output + ((b * M + m) * C * wh + i) * ww + j;  // channel 0
          const int64_t dst_stride = wh * ww;
          if (!inside) {
            for (int64_t c = 0; c < C; ++c) store(dst[c * dst_stride], 0.0f);
            continue;
          }
          const Source<T> src = scatter_gather_source(p, b, y, x);
          for (int64_t c = 0; c < C; ++c) {
            float v = load(src.ptr[c * src.channel_stride]);
            if (a) v = v * a[c] + s[c];
            if (p.silu) v = silu(v);
            store(dst[c * dst_stride], v);
          }
        }
      }
    }
  });
}

template <class T>
void gather_nchw(const GatherParamsT<T>& p, const ParallelFor& parallel) {
  const int64_t N = p.tiles.count, C = p.channels, H = p.height, W = p.width;
  const int64_t wh = p.window_h, ww = p.window_w, up = p.upsample;
  const int64_t vh = H * up, vw = W * up;  // virtual (upsampled) size
  // One unit of work: one (sample, tile, channel) window.
  run(p.batch * N * C, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t c = job % C;
      const int64_t n = (job / C) % N;
      const int64_t b = job / (C * N);
      const T* src = p.input + (b * C + c) * H * W;
      T* dst = p.output + ((b * N + n) * p.out_channels + p.channel_offset + c) * wh * ww;
      const float a = p.scale ? p.scale[b * C + c] : 1.0f;
      const float s = p.shift ? p.shift[b * C + c] : 0.0f;
      const bool affine = p.scale != nullptr;
      const int64_t y0 = p.tiles.ys[n], x0 = p.tiles.xs[n];
      if constexpr (std::is_same_v<T, float>) {
        if (up == 1 && y0 >= 0 && y0 + wh <= vh && x0 >= 0 && x0 + ww <= vw) {
          // Fully inside (the common case): copy the rows, then one vectorisable pass over
          // the contiguous window.
          for (int64_t i = 0; i < wh; ++i) {
            const float* srow = src + (y0 + i) * W + x0;
            float* drow = dst + i * ww;
            for (int64_t j = 0; j < ww; ++j) drow[j] = srow[j];
          }
          if (affine || p.silu) affine_silu(dst, wh * ww, a, s, affine, p.silu);
          continue;
        }
      }
      for (int64_t i = 0; i < wh; ++i) {
        const int64_t vy = y0 + i;
        T* row = dst + i * ww;
        if (vy < 0 || vy >= vh) {
          std::memset(row, 0, sizeof(T) * ww);
          continue;
        }
        const T* srow = src + (vy / up) * W;
        for (int64_t j = 0; j < ww; ++j) {
          const int64_t vx = x0 + j;
          if (vx < 0 || vx >= vw) {
            store(row[j], 0.0f);
            continue;
          }
          float v = load(srow[vx / up]);
          if (affine) v = v * a + s;
          if (p.silu) v = silu(v);
          store(row[j], v);
        }
      }
    }
  });
}

template <class T>
void scatter_nchw(const ScatterParamsT<T>& p, const ParallelFor& parallel) {
  const int64_t N = p.positions.count, C = p.channels, th = p.tile_h, tw = p.tile_w;
  const int64_t H = p.height, W = p.width;
  run(p.batch * N * C, parallel, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t c = job % C;
      const int64_t n = (job / C) % N;
      const int64_t b = job / (C * N);
      const int64_t tile = ((b * N + n) * C + c) * th * tw;
      const T* src = p.tiles + tile;
      const T* res = p.residual ? p.residual + tile : nullptr;
      T* dst = p.output + (b * C + c) * H * W;
      const int64_t y0 = p.positions.ys[n], x0 = p.positions.xs[n];
      for (int64_t i = 0; i < th; ++i) {
        const int64_t y = y0 + i;
        if (y < 0 || y >= H) continue;
        for (int64_t j = 0; j < tw; ++j) {
          const int64_t x = x0 + j;
          if (x < 0 || x >= W) continue;
          float v = load(src[i * tw + j]);
          if (res) v += load(res[i * tw + j]);
          store(dst[y * W + x], v * p.scale);
        }
      }
    }
  });
}

}  // namespace

void scatter_gather_cpu(const ScatterGatherParams& p, const ParallelFor& parallel) {
  scatter_gather_impl(p, parallel);
}

void scatter_gather_cpu(const ScatterGatherParamsBF16& p, const ParallelFor& parallel) {
  scatter_gather_impl(p, parallel);
}

void gather_cpu(const GatherParams& p, const ParallelFor& parallel) {
  p.channels_last ? gather_nhwc(p, parallel) : gather_nchw(p, parallel);
}

void gather_cpu(const GatherParamsBF16& p, const ParallelFor& parallel) {
  p.channels_last ? gather_nhwc(p, parallel) : gather_nchw(p, parallel);
}

void scatter_cpu(const ScatterParams& p, const ParallelFor& parallel) {
  p.channels_last ? scatter_nhwc(p, parallel) : scatter_nchw(p, parallel);
}

void scatter_cpu(const ScatterParamsBF16& p, const ParallelFor& parallel) {
  p.channels_last ? scatter_nhwc(p, parallel) : scatter_nchw(p, parallel);
}

}  // namespace hd::kernels
