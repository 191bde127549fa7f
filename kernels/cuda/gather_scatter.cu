// CUDA twins of cpu/gather_scatter.cpp (fp32) and cpu/gather_scatter_half.cpp (fp16): one
// thread per output element, float arithmetic, fp16 rounded once on store. The tile lists
// (and the scatter-gather's tile_at grid) are device pointers.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "hd/kernels/gather_scatter.h"
#include "hd/kernels/tile_index.h"

namespace hd::kernels {
namespace {

// Element access: float as is; Half through __half (same 16 bits).
__device__ __forceinline__ float load(const float* p, int64_t i) {
  return p[i];
}
__device__ __forceinline__ float load(const Half* p, int64_t i) {
  return __half2float(reinterpret_cast<const __half*>(p)[i]);
}
__device__ __forceinline__ void store(float* p, int64_t i, float v) {
  p[i] = v;
}
__device__ __forceinline__ void store(Half* p, int64_t i, float v) {
  reinterpret_cast<__half*>(p)[i] = __float2half_rn(v);
}

template <class T>
__global__ void gather_kernel(GatherParamsT<T> p) {
  const int64_t N = p.tiles.count, C = p.channels, wh = p.window_h, ww = p.window_w;
  const int64_t total = p.batch * N * C * wh * ww;
  const int64_t vh = p.height * p.upsample, vw = p.width * p.upsample;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(blockDim.x) * gridDim.x) {
    const auto [b, n, c, i, j] = unravel_window(idx, N, C, wh, ww, p.channels_last);
    const int64_t vy = p.tiles.ys[n] + i, vx = p.tiles.xs[n] + j;
    float v = 0.0f;
    if (vy >= 0 && vy < vh && vx >= 0 && vx < vw) {
      const int64_t y = vy / p.upsample, x = vx / p.upsample;
      v = p.channels_last ? load(p.input, ((b * p.height + y) * p.width + x) * C + c)
                          : load(p.input, ((b * C + c) * p.height + y) * p.width + x);
      if (p.scale) v = v * p.scale[b * C + c] + (p.shift ? p.shift[b * C + c] : 0.0f);
      if (p.silu) v = v / (1.0f + __expf(-v));
    }
    const int64_t tile = b * N + n;
    if (p.channels_last) {
      store(p.output, ((tile * wh + i) * ww + j) * p.out_channels + p.channel_offset + c, v);
    } else {
      store(p.output, ((tile * p.out_channels + p.channel_offset + c) * wh + i) * ww + j, v);
    }
  }
}

template <class T>
__global__ void scatter_kernel(ScatterParamsT<T> p) {
  const int64_t N = p.positions.count, C = p.channels, th = p.tile_h, tw = p.tile_w;
  const int64_t total = p.batch * N * C * th * tw;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(blockDim.x) * gridDim.x) {
    const auto [b, n, c, i, j] = unravel_window(idx, N, C, th, tw, p.channels_last);
    const int64_t y = p.positions.ys[n] + i, x = p.positions.xs[n] + j;
    if (y < 0 || y >= p.height || x < 0 || x >= p.width) continue;
    float v = load(p.tiles, idx);
    if (p.residual) v += load(p.residual, idx);
    const int64_t o = p.channels_last ? ((b * p.height + y) * p.width + x) * C + c
                                      : ((b * C + c) * p.height + y) * p.width + x;
    store(p.output, o, v * p.scale);
  }
}

template <class T>
__global__ void scatter_gather_kernel(ScatterGatherParamsT<T> p) {
  const int64_t M = p.windows.count, C = p.channels, wh = p.window_h, ww = p.window_w, t = p.tile;
  const int64_t total = p.batch * M * C * wh * ww;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(blockDim.x) * gridDim.x) {
    const auto [b, m, c, i, j] = unravel_window(idx, M, C, wh, ww, p.channels_last);
    const int64_t y = p.windows.ys[m] + i, x = p.windows.xs[m] + j;
    float v = 0.0f;
    if (y >= 0 && y < p.height && x >= 0 && x < p.width) {
      const int32_t k = p.tile_at[(y / t) * p.grid_w + x / t];
      if (k >= 0) {
        const int64_t tile = b * p.tile_count + k, ty = y % t, tx = x % t;
        v = p.channels_last ? load(p.tiles, ((tile * t + ty) * t + tx) * C + c)
                            : load(p.tiles, ((tile * C + c) * t + ty) * t + tx);
      } else {
        v = p.channels_last ? load(p.cached, ((b * p.height + y) * p.width + x) * C + c)
                            : load(p.cached, ((b * C + c) * p.height + y) * p.width + x);
      }
      if (p.scale) v = v * p.scale[b * C + c] + (p.shift ? p.shift[b * C + c] : 0.0f);
      if (p.silu) v = v / (1.0f + __expf(-v));
    }
    store(p.output, idx, v);
  }
}

int blocks_for(int64_t total, int threads) {
  const int64_t b = (total + threads - 1) / threads;
  return static_cast<int>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

template <class T>
void launch_gather(const GatherParamsT<T>& p, void* stream) {
  const int64_t total = p.batch * p.tiles.count * p.channels * p.window_h * p.window_w;
  gather_kernel<T><<<blocks_for(total, 256), 256, 0, static_cast<cudaStream_t>(stream)>>>(p);
}

template <class T>
void launch_scatter(const ScatterParamsT<T>& p, void* stream) {
  const int64_t total = p.batch * p.positions.count * p.channels * p.tile_h * p.tile_w;
  scatter_kernel<T><<<blocks_for(total, 256), 256, 0, static_cast<cudaStream_t>(stream)>>>(p);
}

template <class T>
void launch_scatter_gather(const ScatterGatherParamsT<T>& p, void* stream) {
  const int64_t total = p.batch * p.windows.count * p.channels * p.window_h * p.window_w;
  scatter_gather_kernel<T>
      <<<blocks_for(total, 256), 256, 0, static_cast<cudaStream_t>(stream)>>>(p);
}

}  // namespace

void gather_cuda(const GatherParams& p, void* stream) {
  launch_gather(p, stream);
}
void scatter_cuda(const ScatterParams& p, void* stream) {
  launch_scatter(p, stream);
}
void scatter_gather_cuda(const ScatterGatherParams& p, void* stream) {
  launch_scatter_gather(p, stream);
}
void gather_cuda(const GatherParamsHalf& p, void* stream) {
  launch_gather(p, stream);
}
void scatter_cuda(const ScatterParamsHalf& p, void* stream) {
  launch_scatter(p, stream);
}
void scatter_gather_cuda(const ScatterGatherParamsHalf& p, void* stream) {
  launch_scatter_gather(p, stream);
}

}  // namespace hd::kernels
