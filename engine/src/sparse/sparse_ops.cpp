#include "sparse/sparse_ops.h"

#include <mutex>
#include <unordered_map>

#include <ATen/record_function.h>
#include <type_traits>

#include <torch/torch.h>

#include "common/error.h"
#include "common/torch_parallel.h"
#include "hd/kernels/gather_scatter.h"
#include "models/conv_gemm.h"
#include "models/macs.h"

#ifdef HD_WITH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

namespace hd {
namespace {

#ifdef HD_WITH_CUDA
// Device copies of tile index lists. Every gather and scatter of a partial step needs its
// list on the GPU; a fresh host-to-device copy per call stalls the stream (pageable memory)
// dozens of times per step, while the lists only change with the mask. Entries are found by
// content (a hash, then an exact comparison), so a rebuilt geometry can never be served a
// stale list; the cache is cleared when it grows past a few geometries.
torch::Tensor device_int32(const std::vector<int32_t>& host, torch::Device device) {
  struct Entry {
    std::vector<int32_t> host;
    torch::Tensor device;
  };
  static std::mutex mutex;
  static std::unordered_multimap<uint64_t, Entry> cache;
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(device.index() + 1);
  for (int32_t v : host) h = (h ^ static_cast<uint32_t>(v)) * 1099511628211ull;
  std::lock_guard<std::mutex> lock(mutex);
  auto range = cache.equal_range(h);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second.host == host && it->second.device.device() == device) return it->second.device;
  }
  if (cache.size() > 1024) cache.clear();
  torch::Tensor d = torch::tensor(host, torch::kInt32).to(device);
  cache.emplace(h, Entry{host, d});
  return d;
}
#endif

// Element pointers of float32 or float16 maps, as the kernels' storage types.
template <class T>
T* data(const torch::Tensor& t);
template <>
float* data<float>(const torch::Tensor& t) {
  return t.data_ptr<float>();
}
template <>
kernels::Half* data<kernels::Half>(const torch::Tensor& t) {
  return reinterpret_cast<kernels::Half*>(t.data_ptr<at::Half>());
}

template <>
kernels::BFloat16* data<kernels::BFloat16>(const torch::Tensor& t) {
  return reinterpret_cast<kernels::BFloat16*>(t.data_ptr<at::BFloat16>());
}

// Calls f(float{}), f(kernels::Half{}) or f(kernels::BFloat16{}) by the map's dtype.
template <class F>
void dispatch_storage(const torch::Tensor& map, const char* what, F&& f) {
  switch (map.scalar_type()) {
    case torch::kFloat32: return f(float{});
    case torch::kFloat16: return f(kernels::Half{});
    case torch::kBFloat16:
      if (map.is_cuda()) fail(what, ": bfloat16 maps are a CPU format (use float16 on CUDA)");
      return f(kernels::BFloat16{});
    default: fail(what, ": maps of dtype ", map.scalar_type(), " are not supported (float32, float16, bfloat16)");
  }
}

// The CUDA kernels exist for float32 and float16 storage (dispatch_storage keeps bfloat16
// off the GPU).
template <class T>
constexpr bool kHasCudaKernels = !std::is_same_v<T, kernels::BFloat16>;

// GroupNorm affines and the like stay float32 whatever the maps' dtype.
torch::Tensor float_param(const torch::Tensor& t) {
  return t.defined() ? t.to(torch::kFloat32).contiguous() : torch::Tensor();
}

}  // namespace

NormAffine group_norm_affine(const torch::Tensor& x, torch::nn::GroupNorm& norm) {
  const int64_t B = x.size(0), C = x.size(1), G = norm->options.num_groups();
  const bool affine = norm->weight.defined();
  // ATen's fused kernel also returns the statistics it used. Its CPU kernel reads channels-last
  // maps as they are; its CUDA kernel takes contiguous (NCHW) ones only. The output keeps x's
  // layout.
  const auto format = x.suggest_memory_format();
  const torch::Tensor in = x.is_cpu() ? x.contiguous(format) : x.contiguous();
  auto [normed, mean, rstd] = at::native_group_norm(
      in, affine ? std::optional<at::Tensor>(norm->weight) : std::nullopt,
      affine ? std::optional<at::Tensor>(norm->bias) : std::nullopt, B, C, x.numel() / (B * C), G,
      norm->options.eps());  // mean, rstd [B, G]
  normed = normed.contiguous(format);
  // The affine form is float32 whatever the map's dtype (the kernels read it as float).
  rstd = rstd.to(torch::kFloat32).repeat_interleave(C / G, 1);        // [B, C]
  mean = mean.to(torch::kFloat32).repeat_interleave(C / G, 1);
  torch::Tensor scale = affine ? norm->weight.to(torch::kFloat32).unsqueeze(0) * rstd : rstd;  // [B, C]
  torch::Tensor shift = affine ? norm->bias.to(torch::kFloat32).unsqueeze(0) - mean * scale : -mean * scale;
  return {normed, scale.contiguous(), shift.contiguous()};
}

bool keep_cache(torch::Tensor& cache, const torch::Tensor& value) {
  if (cache.defined() && cache.sizes() == value.sizes() && cache.strides() == value.strides() &&
      cache.scalar_type() == value.scalar_type() && cache.device() == value.device() &&
      !cache.is_same(value)) {
    cache.copy_(value);
    return false;
  }
  const bool moved = !cache.is_same(value);
  cache = value;
  return moved;
}

torch::Tensor apply_affine(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& shift) {
  std::vector<int64_t> shape = {x.size(0), x.size(1)};
  for (int64_t d = 2; d < x.dim(); ++d) shape.push_back(1);
  return (x * scale.view(shape) + shift.view(shape)).to(x.scalar_type());
}

torch::Tensor gather_tiles(const std::vector<GatherSource>& sources, const std::vector<int32_t>& ys,
                           const std::vector<int32_t>& xs, int64_t offset, int64_t window, bool silu,
                           int upsample, int64_t stride) {
  RECORD_FUNCTION("hd::gather_tiles", std::vector<c10::IValue>());
  const int64_t N = static_cast<int64_t>(ys.size());
  const int64_t B = sources.front().map.size(0);
  int64_t C = 0;
  for (const auto& s : sources) C += s.map.size(1);
  const auto fmt = sources.front().map.suggest_memory_format();
  const bool cl = fmt == at::MemoryFormat::ChannelsLast;
  const auto opts = sources.front().map.options();
  torch::Tensor out = torch::empty({B * N, C, window, window}, opts.memory_format(fmt));
  if (N == 0 || mac_dry_run()) return out;
  std::vector<int32_t> wy(ys.size()), wx(xs.size());
  for (size_t i = 0; i < ys.size(); ++i) {
    wy[i] = static_cast<int32_t>(ys[i] * stride + offset);
    wx[i] = static_cast<int32_t>(xs[i] * stride + offset);
  }
  int64_t channel_offset = 0;
  for (const auto& s : sources) {
    torch::Tensor map = s.map.to(out.scalar_type()).contiguous(fmt);
    torch::Tensor scale = float_param(s.scale), shift = float_param(s.shift);
    dispatch_storage(map, "sparse gather", [&](auto tag) {
      using T = decltype(tag);
      kernels::GatherParamsT<T> p;
      p.batch = B;
      p.channels = map.size(1);
      p.height = map.size(2);
      p.width = map.size(3);
      p.window_h = p.window_w = window;
      p.upsample = upsample;
      p.silu = silu;
      p.out_channels = C;
      p.channel_offset = channel_offset;
      p.channels_last = cl;
      if (map.is_cuda()) {
#ifdef HD_WITH_CUDA
        if constexpr (kHasCudaKernels<T>) {
          torch::Tensor dy = device_int32(wy, map.device());
          torch::Tensor dx = device_int32(wx, map.device());
          p.input = data<T>(map);
          p.tiles = {dy.data_ptr<int32_t>(), dx.data_ptr<int32_t>(), N};
          p.scale = scale.defined() ? scale.data_ptr<float>() : nullptr;
          p.shift = shift.defined() ? shift.data_ptr<float>() : nullptr;
          p.output = data<T>(out);
          kernels::gather_cuda(p, c10::cuda::getCurrentCUDAStream().stream());
        }
#else
        fail("sparse gather: this build has no CUDA kernels");
#endif
      } else {
        p.input = data<T>(map);
        p.tiles = {wy.data(), wx.data(), N};
        p.scale = scale.defined() ? scale.data_ptr<float>() : nullptr;
        p.shift = shift.defined() ? shift.data_ptr<float>() : nullptr;
        p.output = data<T>(out);
        kernels::gather_cpu(p, torch_parallel());
      }
    });
    channel_offset += map.size(1);
  }
  return out;
}

torch::Tensor scatter_gather_tiles(const torch::Tensor& tiles_in, const torch::Tensor& map_in,
                                   const torch::Tensor& scale_in, const torch::Tensor& shift_in,
                                   const std::vector<int32_t>& ys, const std::vector<int32_t>& xs,
                                   int64_t offset, int64_t window, bool silu) {
  RECORD_FUNCTION("hd::scatter_gather_tiles", std::vector<c10::IValue>());
  const int64_t N = static_cast<int64_t>(ys.size());
  const int64_t B = map_in.size(0), C = map_in.size(1), H = map_in.size(2), W = map_in.size(3);
  const auto fmt = map_in.suggest_memory_format();
  torch::Tensor out = torch::empty({B * N, C, window, window}, map_in.options().memory_format(fmt));
  if (N == 0 || mac_dry_run()) return out;
  const int64_t t = tiles_in.size(2);
  if (tiles_in.size(0) != B * N || tiles_in.size(1) != C || tiles_in.size(3) != t) {
    fail("scatter_gather_tiles: tiles of shape ", tiles_in.sizes(), " for ", N, " tiles of a map ", map_in.sizes());
  }
  const int64_t grid_h = (H + t - 1) / t, grid_w = (W + t - 1) / t;
  std::vector<int32_t> tile_at(static_cast<size_t>(grid_h * grid_w), -1), wy(ys.size()), wx(xs.size());
  for (int64_t k = 0; k < N; ++k) {
    if (ys[k] % t != 0 || xs[k] % t != 0 || ys[k] < 0 || xs[k] < 0 || ys[k] >= H || xs[k] >= W) {
      fail("scatter_gather_tiles: tile ", k, " at (", ys[k], ", ", xs[k], ") is not a cell of the ", t, "-pixel grid");
    }
    tile_at[(ys[k] / t) * grid_w + xs[k] / t] = static_cast<int32_t>(k);
    wy[k] = static_cast<int32_t>(ys[k] + offset);
    wx[k] = static_cast<int32_t>(xs[k] + offset);
  }
  torch::Tensor tiles = tiles_in.to(map_in.scalar_type()).contiguous(fmt), map = map_in.contiguous(fmt);
  torch::Tensor scale = float_param(scale_in), shift = float_param(shift_in);
  dispatch_storage(map, "sparse scatter-gather", [&](auto tag) {
    using T = decltype(tag);
    kernels::ScatterGatherParamsT<T> p;
    p.batch = B;
    p.channels = C;
    p.height = H;
    p.width = W;
    p.tile = t;
    p.tile_count = N;
    p.grid_w = grid_w;
    p.window_h = p.window_w = window;
    p.silu = silu;
    p.channels_last = fmt == at::MemoryFormat::ChannelsLast;
    p.tiles = data<T>(tiles);
    p.cached = data<T>(map);
    p.scale = scale.defined() ? scale.data_ptr<float>() : nullptr;
    p.shift = shift.defined() ? shift.data_ptr<float>() : nullptr;
    p.output = data<T>(out);
    if (map.is_cuda()) {
#ifdef HD_WITH_CUDA
      if constexpr (kHasCudaKernels<T>) {
        torch::Tensor at_d = device_int32(tile_at, map.device());
        torch::Tensor dy = device_int32(wy, map.device());
        torch::Tensor dx = device_int32(wx, map.device());
        p.tile_at = at_d.data_ptr<int32_t>();
        p.windows = {dy.data_ptr<int32_t>(), dx.data_ptr<int32_t>(), N};
        kernels::scatter_gather_cuda(p, c10::cuda::getCurrentCUDAStream().stream());
      }
#else
      fail("sparse scatter-gather: this build has no CUDA kernels");
#endif
    } else {
      p.tile_at = tile_at.data();
      p.windows = {wy.data(), wx.data(), N};
      kernels::scatter_gather_cpu(p, torch_parallel());
    }
  });
  return out;
}

void scatter_tiles(const torch::Tensor& tiles_in, const torch::Tensor& residual_in,
                   const std::vector<int32_t>& ys, const std::vector<int32_t>& xs, torch::Tensor& out,
                   float scale) {
  RECORD_FUNCTION("hd::scatter_tiles", std::vector<c10::IValue>());
  const int64_t N = static_cast<int64_t>(ys.size());
  if (N == 0 || mac_dry_run()) return;
  const auto fmt = out.suggest_memory_format();
  if (!out.is_contiguous(fmt)) fail("scatter_tiles: the output map must be contiguous");
  torch::Tensor tiles = tiles_in.to(out.scalar_type()).contiguous(fmt);
  torch::Tensor residual = residual_in.defined() ? residual_in.to(out.scalar_type()).contiguous(fmt) : torch::Tensor();
  dispatch_storage(out, "sparse scatter", [&](auto tag) {
    using T = decltype(tag);
    kernels::ScatterParamsT<T> p;
    p.batch = out.size(0);
    p.channels = out.size(1);
    p.tile_h = tiles.size(2);
    p.tile_w = tiles.size(3);
    p.height = out.size(2);
    p.width = out.size(3);
    p.scale = scale;
    p.channels_last = fmt == at::MemoryFormat::ChannelsLast;
    if (out.is_cuda()) {
#ifdef HD_WITH_CUDA
      if constexpr (kHasCudaKernels<T>) {
        torch::Tensor dy = device_int32(ys, out.device());
        torch::Tensor dx = device_int32(xs, out.device());
        p.tiles = data<T>(tiles);
        p.residual = residual.defined() ? data<T>(residual) : nullptr;
        p.positions = {dy.data_ptr<int32_t>(), dx.data_ptr<int32_t>(), N};
        p.output = data<T>(out);
        kernels::scatter_cuda(p, c10::cuda::getCurrentCUDAStream().stream());
      }
#else
      fail("sparse scatter: this build has no CUDA kernels");
#endif
    } else {
      p.tiles = data<T>(tiles);
      p.residual = residual.defined() ? data<T>(residual) : nullptr;
      p.positions = {ys.data(), xs.data(), N};
      p.output = data<T>(out);
      kernels::scatter_cpu(p, torch_parallel());
    }
  });
}

torch::Tensor to_tokens(const torch::Tensor& map) {
  return map.permute({0, 2, 3, 1}).reshape({map.size(0), map.size(2) * map.size(3), map.size(1)});
}

torch::Tensor from_tokens(const torch::Tensor& tokens, int64_t height, int64_t width) {
  return tokens.reshape({tokens.size(0), height, width, tokens.size(2)}).permute({0, 3, 1, 2});
}

void convolutions_to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() == 4 && !p.is_contiguous(kSparseFormat)) p.set_data(p.contiguous(kSparseFormat));
  }
}

// Input channels from which tile convolutions take the im2col + GEMM route on packed weights:
// tile batches are small, and oneDNN's per-call setup costs more than their arithmetic. On this
// project's 2-core CPU GEMM wins from 320 channels up (SD v1.4), and on the embedded model's
// 32-128 channel layers too (a 5% partial step 7.6 -> 7.0 ms in float32, 6.8 -> 6.4 ms in
// bfloat16, the same at 20%: hd bench masks --model resources/models/hd-shapes, runs side by
// side); conv_in's 4 channels stay with oneDNN. On CUDA (measured at SD v1.4's widths only)
// cuDNN keeps the layers under 256 channels.
constexpr int64_t kGemmMinChannels = 8;
constexpr int64_t kGemmMinChannelsCuda = 256;

torch::Tensor conv_tiles(torch::nn::Conv2d& conv, const torch::Tensor& windows) {
  RECORD_FUNCTION("hd::conv_tiles", std::vector<c10::IValue>());
  const auto& o = conv->options;
  const int64_t stride = (*o.stride())[0];
  const int64_t k = (*o.kernel_size())[0];
  const int64_t out_hw = (windows.size(2) - k) / stride + 1;
  const auto& w = conv->weight;  // [Cout, Cin, k, k]
  const int64_t BN = windows.size(0), Cin = w.size(1), Cout = w.size(0);
  add_conv_macs(BN * out_hw * out_hw * Cout * Cin * k * k);
  if (mac_dry_run() || BN == 0) return torch::empty({BN, Cout, out_hw, out_hw}, windows.options());
  if (Cin < (windows.is_cuda() ? kGemmMinChannelsCuda : kGemmMinChannels)) {
    const std::vector<int64_t> strides = {stride, stride}, padding = {0, 0};
    return torch::conv2d(windows, w, o.bias() ? conv->bias : torch::Tensor(), strides, padding);
  }
  return conv2d_gemm(conv, windows);
}

}  // namespace hd
