// Gather / scatter of spatial tiles for sparse convolution (SIGE-style), on raw pointers.
//
// A partial UNet step computes only the active tiles of each feature map: `gather` copies
// each tile's input window (output tile plus the convolution's halo) from a full map into a
// batch of small maps, optionally applying a cached GroupNorm affine and SiLU on the way;
// the convolution runs on that batch without padding; `scatter` writes the output tiles
// back into the layer's full output map, optionally adding a residual. Pixels of a window
// that fall outside the image read as zero (the convolution's zero padding).
//
// Element types: float32, or IEEE half (fp16) storage with fp32 arithmetic (the affine and
// SiLU are computed in float and rounded once to nearest-even on store); scale and shift
// arrays are float32 in both.
//
// Layouts: full maps are [B, C, H, W], either NCHW-contiguous or channels-last
// (NHWC in memory, `channels_last`); tile batches are [B * N, C, th, tw] in the same memory
// format, sample-major (all N tiles of sample 0 first). Channels-last is the fast layout on
// CPUs: every pixel is a contiguous vector of channels (and oneDNN's convolutions prefer
// it). Each function
// has a CPU implementation here and, when built with CUDA, a twin in cuda/ with the same
// parameters; tests compare them.
#pragma once

#include <cstdint>
#include <functional>

namespace hd::kernels {

// Runs body(begin, end) over [0, n) split into chunks, possibly in parallel. The engine
// passes libtorch's thread pool; nullptr runs serially.
using ParallelFor = std::function<void(int64_t n, const std::function<void(int64_t, int64_t)>& body)>;

// IEEE binary16 storage (the bits of a CUDA __half or a torch kHalf element).
struct Half {
  uint16_t bits;
};
float half_to_float(Half h);
Half float_to_half(float f);  // round to nearest even

// bfloat16 storage (the bits of a torch kBFloat16 element): the CPU's reduced precision.
struct BFloat16 {
  uint16_t bits;
};

struct TileList {
  const int32_t* ys = nullptr;  // window origins in (virtual) input coordinates, may be < 0
  const int32_t* xs = nullptr;
  int64_t count = 0;            // N
};

template <class T>
struct GatherParamsT {
  const T* input = nullptr;      // [B, C, H, W]
  int64_t batch = 0, channels = 0, height = 0, width = 0;
  TileList tiles;
  int64_t window_h = 0, window_w = 0;
  int upsample = 1;              // read input[y / upsample][x / upsample] of a virtual map
                                 // upsample times larger (nearest upsampling, fused)
  const float* scale = nullptr;  // [B, C] per-sample per-channel affine (GroupNorm), optional
  const float* shift = nullptr;  // [B, C], optional (requires scale)
  bool silu = false;             // applied after the affine
  T* output = nullptr;           // [B * N, out_channels, window_h, window_w]
  int64_t out_channels = 0;      // >= channels; write at channel offset `channel_offset`
  int64_t channel_offset = 0;    // (concatenation of skip connections)
  bool channels_last = false;    // layout of input and output
};

template <class T>
struct ScatterParamsT {
  const T* tiles = nullptr;         // [B * N, C, th, tw]
  int64_t batch = 0, channels = 0, tile_h = 0, tile_w = 0;
  TileList positions;               // top-left of each tile in the output map (inside it)
  T* output = nullptr;              // [B, C, H, W], written in place
  int64_t height = 0, width = 0;
  const T* residual = nullptr;      // [B * N, C, th, tw] added to the tiles, optional
  float scale = 1.0f;               // out = (tiles + residual) * scale
  bool channels_last = false;       // layout of tiles, residual and output
};

// Fused scatter + gather: the windows that `gather` would read after `scatter` wrote new
// tiles into a cached map, read straight from the tiles where a tile was computed and from
// the cached map elsewhere. The map is neither written nor copied: a partial step keeps the
// last full step's map as its cache and pays no scatter between two convolutions.
template <class T>
struct ScatterGatherParamsT {
  const T* tiles = nullptr;        // [B * N, C, t, t]: new values of the N computed tiles
  const T* cached = nullptr;       // [B, C, H, W]: the map everywhere else
  int64_t batch = 0, channels = 0, height = 0, width = 0;
  int64_t tile = 0;                // t: tiles sit on a grid of t x t cells
  int64_t tile_count = 0;          // N
  const int32_t* tile_at = nullptr;  // [grid_h * grid_w]: tile of each cell, -1 when none
  int64_t grid_w = 0;              // cells per row: ceil(W / t)
  TileList windows;                // window origins, may be < 0 (zero padding outside)
  int64_t window_h = 0, window_w = 0;
  const float* scale = nullptr;    // [B, C] affine (GroupNorm), optional
  const float* shift = nullptr;    // [B, C], optional (requires scale)
  bool silu = false;
  T* output = nullptr;             // [B * M, C, window_h, window_w], M = windows.count
  bool channels_last = false;      // layout of tiles, cached map and output
};

using GatherParams = GatherParamsT<float>;
using ScatterParams = ScatterParamsT<float>;
using ScatterGatherParams = ScatterGatherParamsT<float>;
using GatherParamsHalf = GatherParamsT<Half>;
using ScatterParamsHalf = ScatterParamsT<Half>;
using ScatterGatherParamsHalf = ScatterGatherParamsT<Half>;
using GatherParamsBF16 = GatherParamsT<BFloat16>;
using ScatterParamsBF16 = ScatterParamsT<BFloat16>;
using ScatterGatherParamsBF16 = ScatterGatherParamsT<BFloat16>;

// fp32: vectorised and threaded (the engine's CPU path).
void gather_cpu(const GatherParams& p, const ParallelFor& parallel = nullptr);
void scatter_gather_cpu(const ScatterGatherParams& p, const ParallelFor& parallel = nullptr);
void scatter_cpu(const ScatterParams& p, const ParallelFor& parallel = nullptr);
// bf16: the fp32 kernels with bfloat16 loads and stores (float arithmetic), CPU only.
void gather_cpu(const GatherParamsBF16& p, const ParallelFor& parallel = nullptr);
void scatter_gather_cpu(const ScatterGatherParamsBF16& p, const ParallelFor& parallel = nullptr);
void scatter_cpu(const ScatterParamsBF16& p, const ParallelFor& parallel = nullptr);
// fp16: plain loops, the twins of the CUDA fp16 kernels.
void gather_cpu(const GatherParamsHalf& p, const ParallelFor& parallel = nullptr);
void scatter_gather_cpu(const ScatterGatherParamsHalf& p, const ParallelFor& parallel = nullptr);
void scatter_cpu(const ScatterParamsHalf& p, const ParallelFor& parallel = nullptr);

// CUDA twins: the same parameters with device pointers (tile lists too); `stream` is a
// cudaStream_t (nullptr: the default stream). Defined only in CUDA builds (HD_WITH_CUDA).
void gather_cuda(const GatherParams& p, void* stream);
void scatter_cuda(const ScatterParams& p, void* stream);
void scatter_gather_cuda(const ScatterGatherParams& p, void* stream);
void gather_cuda(const GatherParamsHalf& p, void* stream);
void scatter_cuda(const ScatterParamsHalf& p, void* stream);
void scatter_gather_cuda(const ScatterGatherParamsHalf& p, void* stream);

}  // namespace hd::kernels
