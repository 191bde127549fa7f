// hd::Engine: the public API over the pipeline. Exceptions stop here and become Status.
#include "hd/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <filesystem>
#include <thread>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include "common/error.h"
#include "common/host_memory.h"
#include "common/guarded.h"
#include "common/resources.h"
#include "highlight/attention_report.h"
#include "highlight/mac_prediction.h"
#include "highlight/step_plan.h"
#include "io/atomic_file.h"
#include "io/model_loader.h"
#include "io/png_file.h"
#include "io/safetensors.h"
#include "models/macs.h"
#include "pipeline/stable_diffusion.h"
#include "sparse/op_trace.h"
#include "sparse/part_profile.h"
#include "sparse/partial_graph.h"
#include "sparse/sparse_ops.h"
#include "sparse/sparse_unet.h"
#include "sparse/tile_geometry.h"

namespace hd {
namespace fs = std::filesystem;

struct Engine::Impl {
  EngineOptions options;
  torch::Device device{torch::kCPU};
  std::shared_ptr<SDComponents> components;
  std::unique_ptr<StableDiffusionPipeline> pipeline;
  std::atomic<bool> cancel{false};
  ModelInfo empty_info;

  void install(SDComponents sd) {
    if (device.is_cuda() && options.precision == Precision::kBFloat16) {
      fail("bf16 is the CPU's reduced precision (the CUDA kernels take fp32 or fp16): use fp16 on CUDA");
    }
    if (options.precision == Precision::kFloat16) sd.unet->to(torch::kHalf);
    if (options.precision == Precision::kBFloat16) sd.unet->to(torch::kBFloat16);
    const auto dtype = sd.unet->conv_in->weight.scalar_type();
    sd.info.unet_dtype = dtype == torch::kBFloat16 ? "bfloat16" : dtype == torch::kHalf ? "float16" : "float32";
    // Channels-last convolution weights: oneDNN's fast layout, the sparse engine's layout,
    // and what lets wide convolutions use their weights in place as GEMM matrices. The VAE
    // decodes 1.4x faster so on this project's CPU (hd-shapes: 228 -> 165 ms).
    convolutions_to_channels_last(*sd.unet);
    convolutions_to_channels_last(*sd.vae);
    components = std::make_shared<SDComponents>(std::move(sd));
    pipeline = std::make_unique<StableDiffusionPipeline>(components, device);
  }
};

Engine::Engine(const EngineOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  const int threads = options.num_threads > 0
                          ? options.num_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // libtorch starts single-threaded here; use every core unless told otherwise.
  at::set_num_threads(threads);
  keep_freed_host_memory();  // a step's activations are reused, not faulted in every step
  if (options.device == Device::kCuda) impl_->device = torch::Device(torch::kCUDA, 0);
}

Engine::~Engine() = default;

Status Engine::load(const std::string& path) {
  return guarded([&] {
    if (impl_->device.is_cuda() && !torch::cuda::is_available()) {
      fail("CUDA was requested but no CUDA device is available in this build or machine");
    }
    const fs::path p(path);
    if (fs::is_regular_file(p)) {
      const fs::path config = resolve_config_dir(
          impl_->options.single_file_config.empty() ? "sd-v1-4" : impl_->options.single_file_config);
      impl_->install(load_single_file(p, config, impl_->device));
    } else {
      impl_->install(load_diffusers_folder(p, impl_->device));
    }
  });
}

Status Engine::load_random(const std::string& config_name_or_dir, uint64_t seed) {
  return guarded([&] {
    impl_->install(hd::load_random(resolve_config_dir(config_name_or_dir), seed, impl_->device));
  });
}

bool Engine::loaded() const { return impl_->components != nullptr; }

const ModelInfo& Engine::info() const {
  return impl_->components ? impl_->components->info : impl_->empty_info;
}

Status Engine::generate(const GenerateRequest& request, GenerateResult* result,
                        const StepCallback& on_step) {
  if (!loaded()) return Status::Error(Status::Code::kInvalidArgument, "no model is loaded");
  if (!result) return Status::Error(Status::Code::kInvalidArgument, "result must not be null");
  impl_->cancel = false;
  bool cancelled = false;
  Status st = guarded([&] { impl_->pipeline->run(request, result, on_step, impl_->cancel, &cancelled); });
  if (st.ok() && cancelled) return Status::Error(Status::Code::kCancelled, "cancelled");
  return st;
}

void Engine::cancel() { impl_->cancel = true; }

Status Engine::remask(const AttentionReport& maps, const HighlightOptions& options, int width,
                      int height, AttentionReport* out) const {
  if (!loaded()) return Status::Error(Status::Code::kInvalidArgument, "no model is loaded");
  if (!out) return Status::Error(Status::Code::kInvalidArgument, "out must not be null");
  return guarded([&] {
    torch::NoGradGuard no_grad;
    if (options.threshold < 0 || options.threshold > 255) {
      fail("highlight threshold must be between 0 and 255, got ", options.threshold);
    }
    AttentionReport r = maps;
    select_and_mask(r, options);
    auto& unet = impl_->components->unet;
    const int levels = static_cast<int>(unet->config().block_out_channels.size());
    SparseGeometry geo = make_sparse_geometry(r.mask.refined, levels);
    r.mask.grids = geo.grids();
    const ModelInfo& info = impl_->components->info;
    const int f = info.vae_scale_factor;
    const int w = width > 0 ? width : info.default_width, h = height > 0 ? height : info.default_height;
    if (h / f != r.mask.refined.height || w / f != r.mask.refined.width) {
      fail("remask: the maps are ", r.mask.refined.width, "x", r.mask.refined.height, " latents but ",
           w, "x", h, " images have ", w / f, "x", h / f);
    }
    const std::vector<int64_t> latent = {1, info.latent_channels, h / f, w / f};
    const std::vector<int64_t> context = {1, impl_->components->tokenizer->max_length(),
                                          unet->config().cross_attention_dim.front()};
    r.mask.mac_fraction = predict_macs(unet, geo, latent, context).fraction();
    *out = std::move(r);
  });
}

Status Engine::unet_macs(int width, int height, MacReport* report) {
  if (!loaded()) return Status::Error(Status::Code::kInvalidArgument, "no model is loaded");
  return guarded([&] {
    torch::NoGradGuard no_grad;
    const ModelInfo& info = impl_->components->info;
    const int f = info.vae_scale_factor;
    if (width % f || height % f) fail("width and height must be multiples of ", f);
    auto& unet = impl_->components->unet;
    const int64_t ctx_dim = unet->config().cross_attention_dim.front();
    const int64_t ctx_len = impl_->components->tokenizer->max_length();
    // A dry run: convolutions, linear layers and attention are counted, not computed.
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(impl_->device);
    torch::Tensor x = torch::empty({1, info.latent_channels, height / f, width / f}, opts);
    torch::Tensor ctx = torch::empty({1, ctx_len, ctx_dim}, opts);
    torch::Tensor t = torch::zeros({1}, opts.dtype(torch::kLong));
    MacScope scope(/*dry_run=*/true);
    unet->forward(x, t, ctx);
    report->conv = scope.count().conv;
    report->linear = scope.count().linear;
    report->attention = scope.count().attention;
  });
}

Status Engine::bench_partial(const ByteMask& mask, int batch, int repeats, PartialBench* out,
                             const std::string& trace_path) {
  if (!loaded()) return Status::Error(Status::Code::kInvalidArgument, "no model is loaded");
  return guarded([&] {
    torch::NoGradGuard no_grad;
    if (batch < 1 || repeats < 1) fail("bench_partial: batch and repeats must be positive");
    auto& unet = impl_->components->unet;
    const auto opts = unet->conv_in->weight.options();
    const int64_t C = unet->config().in_channels;
    torch::Tensor x = torch::randn({batch, C, mask.height, mask.width}, opts);
    torch::Tensor ctx = torch::randn({batch, impl_->components->tokenizer->max_length(),
                                      unet->config().cross_attention_dim.front()}, opts);
    torch::Tensor t = torch::tensor(int64_t{500}, opts.dtype(torch::kLong));
    SparseUNet sparse(unet);
    SparseGeometry geo = make_sparse_geometry(mask, sparse.levels());
    auto timed = [&](auto&& f) {
      const auto t0 = std::chrono::steady_clock::now();
      f();
      if (x.is_cuda()) torch::cuda::synchronize();
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
          .count();
    };
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    auto time = [&](auto&& f) {
      std::vector<double> ms;
      for (int i = 0; i <= repeats; ++i) {  // the first run warms up
        const double t_ms = timed(f);
        if (i > 0) ms.push_back(t_ms);
      }
      return median(ms);
    };
    // Round by round, the dense, full and partial steps side by side, so that the machine's
    // slower and faster phases (runs on a shared VM vary by up to 25%) fall on all three,
    // after a warm-up round that counts the MACs.
    torch::Tensor x2 = x + 0.1 * torch::randn_like(x);
    std::vector<double> dense_ms, full_ms, partial_ms;
    unet->forward(x, t, ctx);
    {
      MacScope scope;
      sparse.forward_full(x, t, ctx);
      out->full_macs = static_cast<double>(scope.count().total());
    }
    {
      MacScope scope;
      sparse.forward_partial(x2, t, ctx, geo);
      out->partial_macs = static_cast<double>(scope.count().total());
    }
    for (int i = 0; i < repeats; ++i) {
      dense_ms.push_back(timed([&] { unet->forward(x, t, ctx); }));
      full_ms.push_back(timed([&] { sparse.forward_full(x, t, ctx); }));
      partial_ms.push_back(timed([&] { sparse.forward_partial(x2, t, ctx, geo); }));
    }
    out->dense_ms = median(dense_ms);
    out->full_ms = median(full_ms);
    out->partial_ms = median(partial_ms);
    out->dense_rounds = dense_ms;
    out->full_rounds = full_ms;
    out->partial_rounds = partial_ms;
    {  // how much of the change since the full step the partial step recovers inside the mask
      torch::Tensor reused = sparse.forward_full(x, t, ctx).clone();
      torch::Tensor partial = sparse.forward_partial(x2, t, ctx, geo).clone();
      torch::Tensor dense = unet->forward(x2, t, ctx);
      torch::Tensor m = torch::from_blob(const_cast<uint8_t*>(mask.data.data()), {1, 1, mask.height, mask.width},
                                         torch::kUInt8)
                            .to(x.device(), torch::kFloat32)
                            .div(255);  // [1, 1, h, w]
      auto inside = [&](const torch::Tensor& d) { return (d.to(torch::kFloat32).abs() * m).sum().item<double>(); };
      const double base = inside(reused - dense);
      out->error_ratio = base > 0 ? inside(partial - dense) / base : 0.0;
    }
    if (x.is_cuda()) {  // the same partial step replayed from a CUDA graph
      PartialGraph graph;
      graph.run(sparse, x2, t, ctx, geo);  // eager warm-up
      out->partial_graph_ms = time([&] { graph.run(sparse, x2, t, ctx, geo); });
      out->graph_note = graph.disabled_reason();
      if (graph.replays() == 0) out->partial_graph_ms = 0;
    }
    // Per part: separate runs under a PartProfile, so the timings above carry no profiling.
    auto profile = [&](auto&& f, bool partial) {
      std::map<std::string, std::vector<double>> ms;
      std::map<std::string, double> macs;
      for (int i = 0; i <= repeats; ++i) {
        MacScope scope;
        PartProfile prof(x.is_cuda());
        f();
        if (i == 0) continue;  // warm-up
        for (const auto& p : prof.parts()) {
          ms[p.name].push_back(p.ms);
          macs[p.name] = static_cast<double>(p.macs);
          auto it = std::find_if(out->parts.begin(), out->parts.end(), [&](const auto& q) { return q.name == p.name; });
          if (it == out->parts.end()) out->parts.push_back({p.name});
        }
      }
      for (auto& part : out->parts) {
        auto& v = ms[part.name];
        if (v.empty()) continue;
        std::sort(v.begin(), v.end());
        (partial ? part.partial_ms : part.full_ms) = v[v.size() / 2];
        (partial ? part.partial_macs : part.full_macs) = macs[part.name];
      }
    };
    profile([&] { sparse.forward_full(x, t, ctx); }, false);
    profile([&] { sparse.forward_partial(x2, t, ctx, geo); }, true);
    if (!trace_path.empty()) {  // after the timed runs: the profiler slows every operator
      out->full_trace = trace_ops([&] { sparse.forward_full(x, t, ctx); }, x.is_cuda(),
                                  trace_path + "-full.json");
      out->partial_trace = trace_ops([&] { sparse.forward_partial(x2, t, ctx, geo); }, x.is_cuda(),
                                     trace_path + "-partial.json");
    }
    out->active_tiles = static_cast<int>(geo.active_tiles());
    out->total_tiles = static_cast<int>(geo.total_tiles());
    out->mask_area = static_cast<float>(std::count(mask.data.begin(), mask.data.end(), 255)) /
                     static_cast<float>(mask.data.size());
    out->grids = geo.grids();
  });
}

StepCounts count_steps(int steps, const HighlightOptions& options) {
  const StepPlan plan = make_step_plan(steps, options);
  StepCounts c;
  c.partial = plan.partial_steps();
  c.full = static_cast<int>(std::count(plan.keeps_cache.begin(), plan.keeps_cache.end(), true));
  c.dense = steps - c.partial - c.full;
  return c;
}

double image_psnr(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.chw.size() != b.chw.size() || a.chw.empty()) {
    throw std::invalid_argument("image_psnr: images of different sizes");
  }
  double se = 0;
  for (size_t i = 0; i < a.chw.size(); ++i) se += (a.chw[i] - b.chw[i]) * double(a.chw[i] - b.chw[i]);
  const double mse = se / a.chw.size();
  return mse == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(1.0 / mse);
}

double image_ssim(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.chw.size() != b.chw.size() || a.chw.empty()) {
    throw std::invalid_argument("image_ssim: images of different sizes");
  }
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  double total = 0;
  for (int c = 0; c < 3; ++c) {
    const size_t plane = static_cast<size_t>(a.width) * a.height;
    cv::Mat x(a.height, a.width, CV_32F, const_cast<float*>(a.chw.data() + c * plane));
    cv::Mat y(b.height, b.width, CV_32F, const_cast<float*>(b.chw.data() + c * plane));
    cv::Mat mx, my, sxx, syy, sxy;
    const cv::Size k(11, 11);
    cv::GaussianBlur(x, mx, k, 1.5);
    cv::GaussianBlur(y, my, k, 1.5);
    cv::GaussianBlur(x.mul(x), sxx, k, 1.5);
    cv::GaussianBlur(y.mul(y), syy, k, 1.5);
    cv::GaussianBlur(x.mul(y), sxy, k, 1.5);
    sxx -= mx.mul(mx);
    syy -= my.mul(my);
    sxy -= mx.mul(my);
    cv::Mat num = (2 * mx.mul(my) + c1).mul(2 * sxy + c2);
    cv::Mat den = (mx.mul(mx) + my.mul(my) + c1).mul(sxx + syy + c2);
    cv::Mat ssim;
    cv::divide(num, den, ssim);
    total += cv::mean(ssim)[0];
  }
  return total / 3;
}

std::string torch_version() { return TORCH_VERSION; }
int torch_threads() { return at::get_num_threads(); }
bool cuda_available() {
  return torch::cuda::is_available();
}
std::string version() { return HD_VERSION; }

std::string default_model_path() {
  return (fs::path(resource_dir()) / "models" / "hd-shapes").string();
}

Status save_png(const Image& image, const std::string& path) {
  return guarded([&] {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3) {
      fail("save_png: the image is empty or its pixel buffer does not match ", image.width, "x",
           image.height);
    }
    write_png(path, image.rgb.data(), image.width, image.height, 3);
  });
}

Status save_text(const std::string& text, const std::string& path) {
  return guarded([&] { write_file_atomic(path, text.data(), text.size()); });
}

Status save_image_tensor(const Image& image, const std::string& path) {
  return guarded([&] {
    if (image.chw.size() != static_cast<size_t>(3) * image.width * image.height) {
      fail("save_image_tensor: the float buffer does not match ", image.width, "x", image.height);
    }
    SafetensorsWriter w;
    w.add_f32("image", {1, 3, image.height, image.width}, image.chw.data());
    w.write(path);
  });
}

}  // namespace hd
