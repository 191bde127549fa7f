// Highlight Diffusion engine: the public API. Free of libtorch and Qt.
//
//   hd::Engine engine;                                   // CPU, all cores
//   hd::Status st = engine.load("resources/models/...");  // diffusers folder or .safetensors
//   hd::GenerateRequest req;
//   req.prompt = "a red star above a blue house";
//   req.seed = 42;
//   hd::GenerateResult result;
//   st = engine.generate(req, &result, [](const hd::StepEvent& e) {
//     std::printf("step %d/%d %.1f ms\n", e.step + 1, e.total_steps, e.ms);
//     return true;                                       // false cancels
//   });
//
// Thread safety: an Engine runs one call at a time; call load()/generate() from one thread
// (the UI's worker thread). cancel() may be called from any thread and takes effect before
// the next denoising step. The weights stay loaded between generate() calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hd/highlight.h"
#include "hd/status.h"

namespace hd {

enum class Device { kCpu, kCuda };
// The UNet's storage and arithmetic (the text encoder, the scheduler and the VAE's weights
// stay float32). kFloat16 halves memory traffic and uses tensor cores on CUDA; on CPUs it is slow
// and for tests. kBFloat16 is the CPU's: half the weight traffic and the AVX512-BF16 / AMX
// GEMMs of oneDNN (SD v1.4's UNet runs about 2x faster on this project's CPU); CPU only.
// With it the VAE decoder runs under bfloat16 autocast (normalisations stay float32).
enum class Precision { kFloat32, kFloat16, kBFloat16 };

struct EngineOptions {
  Device device = Device::kCpu;
  int num_threads = 0;  // CPU threads for libtorch; 0: every core of this machine
  Precision precision = Precision::kFloat32;
  // Diffusers folder whose configs and tokenizer describe a single-file checkpoint;
  // empty: the bundled Stable Diffusion v1.4 configs.
  std::string single_file_config;
};

struct ComponentInfo {
  std::string name;        // "unet", "text_encoder", "vae"
  int64_t parameters = 0;
  std::string dtype;       // of the stored weights: F32, F16, BF16, mixed, random
};

struct ModelInfo {
  std::string path;
  std::string format;      // "diffusers", "single-file" or "config" (random weights)
  std::vector<ComponentInfo> components;
  int default_width = 512;
  int default_height = 512;
  int vae_scale_factor = 8;
  int latent_channels = 4;
  std::string tokenizer;   // tokenizer kind, e.g. "clip-bpe"
  int max_tokens = 77;
  std::string unet_dtype = "float32";  // the UNet's arithmetic: float32, bfloat16 or float16
  // Downsampling factors (from the latent) of the UNet's cross-attention layers, ascending:
  // the choices of HighlightOptions::map_factors ({1, 2, 4, 8} for SD v1.x).
  std::vector<int> attention_factors;
};

struct GenerateRequest {
  std::string prompt;
  std::string negative_prompt;  // the unconditional input of classifier-free guidance
  int steps = 50;
  // The sampler: "ddim" (DDIMScheduler; the paper's reference point), "dpm++2m"
  // (DPMSolverMultistepScheduler, DPM-Solver++ second order: nearer the converged image than
  // DDIM in as many steps) or "dpm++2m-karras" (the same on Karras sigmas). All read the
  // model's scheduler_config.json for the noise schedule.
  std::string scheduler = "ddim";
  float guidance_scale = 7.5f;  // <= 1: no classifier-free guidance (one UNet pass a step)
  // diffusers' guidance_rescale (Lin et al. 2023, 3.4): blends the guided prediction with
  // itself rescaled to the conditional prediction's standard deviation, against the
  // over-exposure of strong guidance on zero-terminal-SNR models. 0 (off) .. 1; negative:
  // automatic, 0.7 (the paper's value) when the model's scheduler has zero terminal SNR
  // (like the embedded default model), else 0.
  float guidance_rescale = -1.0f;
  int64_t seed = -1;            // < 0: a random seed, reported in the result
  int width = 0;                // 0: the model's default; must be a multiple of 8
  int height = 0;
  float eta = 0.0f;             // DDIM eta (0: deterministic; ddim only)
  HighlightOptions highlight;   // attention-guided sparse steps (enabled by default)
  bool previews = false;        // a cheap latent-to-RGB preview in every StepEvent
};

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // [H, W, 3], 8-bit
  std::vector<float> chw;    // [3, H, W] in [0, 1], before rounding
};

struct StepEvent {
  int step = 0;            // 0-based
  int total_steps = 0;
  int timestep = 0;        // the scheduler's training timestep
  double ms = 0;           // wall time of this step
  double elapsed_ms = 0;   // since the first step began
  StepMode mode = StepMode::kFull;
  int active_tiles = 0;    // partial steps: tiles computed over all levels
  int total_tiles = 0;
  double macs = 0;         // UNet MACs of this step (all evaluations)
  double dense_macs = 0;   // what a dense step costs
  // Set at the collection step (and at full steps when the mask is refreshed).
  std::shared_ptr<const AttentionReport> attention;
  std::shared_ptr<const Image> preview;  // when GenerateRequest::previews
};

// Returning false cancels the generation.
using StepCallback = std::function<bool(const StepEvent&)>;


struct GenerateResult {
  Image image;
  int64_t seed = 0;                // the seed used
  std::vector<double> step_ms;     // per denoising step
  double text_encoder_ms = 0;
  double vae_decode_ms = 0;
  double total_ms = 0;
  int prompt_tokens = 0;           // tokens of the prompt, before truncation
  bool prompt_truncated = false;
  std::vector<StepMode> modes;     // per step
  int full_steps = 0, partial_steps = 0;
  double macs = 0, dense_macs = 0; // UNet MACs of the whole run, and of an all-dense run
  std::shared_ptr<const AttentionReport> attention;  // the last captured maps and mask
};

// One UNet pass operator by operator (Engine::bench_partial with a trace path): the ATen
// operators it calls and, on CUDA, the kernels it launches.
struct OpStat {
  std::string name;  // ATen operator ("aten::addmm") or kernel name
  int64_t calls = 0;
  double self_ms = 0;  // operators: host time minus nested operators; kernels: device time
};
struct OpTrace {
  double wall_ms = 0;             // the traced pass end to end (profiling overhead included)
  int64_t operator_calls = 0;     // every ATen operator call, nested ones included
  int64_t top_level_calls = 0;    // calls not nested in another operator (what the engine issues)
  int64_t kernel_launches = 0;    // device kernels (0 on CPU)
  double kernel_busy_ms = 0;      // union of the kernels' intervals: the time the GPU worked
  std::vector<OpStat> operators;  // by self time, largest first
  std::vector<OpStat> kernels;    // by device time, largest first (kernels, copies, fills)
};

class Engine {
 public:
  explicit Engine(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // A diffusers folder (model_index.json, unet/, text_encoder/, tokenizer/, vae/,
  // scheduler/) or an SD v1.x single-file checkpoint (.safetensors, CompVis layout).
  Status load(const std::string& path);
  // The architecture of a bundled config (e.g. "sd-v1-4") or a diffusers folder's
  // configs, with random weights: for inspection and benchmarks.
  Status load_random(const std::string& config_name_or_dir, uint64_t seed = 0);
  bool loaded() const;
  const ModelInfo& info() const;

  Status generate(const GenerateRequest& request, GenerateResult* result,
                  const StepCallback& on_step = {});
  void cancel();

  // Rebuilds mask, block grids and the predicted MAC fraction from stored maps with other
  // options (threshold, minimum area, statistic, chosen words), without running the model.
  Status remask(const AttentionReport& maps, const HighlightOptions& options, int width,
                int height, AttentionReport* out) const;

  // MACs of one UNet evaluation (batch 1) at the given image size, counted on the
  // meta device: convolutions, linear layers and attention matmuls.
  struct MacReport {
    int64_t conv = 0, linear = 0, attention = 0;
    int64_t total() const { return conv + linear + attention; }
  };
  Status unet_macs(int width, int height, MacReport* report);

  // The cost of Highlight Diffusion's steps for a given mask, independent of any prompt:
  // times full UNet passes and partial passes over `mask` (latent resolution) with random
  // inputs at `batch` (2 = a guided step); medians over `repeats` rounds after a warm-up,
  // each round timing a dense, a full and a partial step one after the other.
  struct PartialBench {
    double dense_ms = 0;  // the plain UNet forward (dense mode's step), no caches kept
    double full_ms = 0, partial_ms = 0;
    // Every round's times (ms), in order: ratios taken within a round are paired, so a
    // machine's slower phase falls on both sides of them.
    std::vector<double> dense_rounds, full_rounds, partial_rounds;
    double full_macs = 0, partial_macs = 0;
    // The approximation, on these random inputs: |partial - dense| / |full step's output -
    // dense| summed inside the mask, for inputs changed everywhere since the full step
    // (0: exact; 1: no better than reusing the full step's output).
    double error_ratio = 0;
    // CUDA: the partial step replayed as a CUDA graph (0: not measured; see graph_note).
    double partial_graph_ms = 0;
    std::string graph_note;
    int active_tiles = 0, total_tiles = 0;
    float mask_area = 0;
    std::vector<BlockGridLevel> grids;
    // Where the time goes: per UNet part (e.g. "L1 transformer", "L0 tile gather/scatter";
    // exclusive of the parts nested in it), medians over separate profiled repeats. The
    // parts add up to about full_ms / partial_ms (profiling synchronises CUDA at every part).
    struct Part {
      std::string name;
      double full_ms = 0, partial_ms = 0;
      double full_macs = 0, partial_macs = 0;
    };
    std::vector<Part> parts;
    // One more full and one more partial step under the operator profiler, when
    // bench_partial is given a trace path (empty otherwise).
    OpTrace full_trace, partial_trace;
  };
  // trace_path: also trace one full and one partial step operator by operator and write them
  // as Chrome traces to `<trace_path>-full.json` and `<trace_path>-partial.json`.
  Status bench_partial(const ByteMask& mask, int batch, int repeats, PartialBench* out,
                       const std::string& trace_path = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Build and runtime facts for reports: "2.15.0", threads in use, "cpu" or "cuda:0".
std::string torch_version();
int torch_threads();
bool cuda_available();
// Whether this CPU has bfloat16 arithmetic (AVX512-BF16 or AMX-BF16), where
// Precision::kBFloat16 pays; elsewhere torch emulates it, slower than float32.
bool cpu_has_native_bfloat16();
// The CPU's name and the vector extensions the engine's kernels choose by, e.g. "AMD EPYC
// 9R14 (AVX-512, AVX512_BF16)" or "Intel(R) Xeon(R) Processor (AVX-512, AVX512_BF16,
// AMX-BF16)": the same build takes different kernels on each (README, Measured speed).
std::string cpu_description();
std::string version();

// Where bundled resources (configs, tokenizers, models) are found: $HD_RESOURCE_DIR, the
// installed share folder, or the source tree.
std::string resource_dir();
// The embedded default model's folder (may not exist yet).
std::string default_model_path();

// The samplers GenerateRequest::scheduler names, the default first: ddim, dpm++2m,
// dpm++2m-karras.
const std::vector<std::string>& scheduler_names();

// How a generation of `steps` steps runs under `options`: plain dense UNet passes (the steps
// before the collection step and the last one: no partial step reads their caches; every step
// with highlight off), full steps that keep caches for the partial steps after them, and
// partial steps. Bad options fail as a generation would.
struct StepCounts {
  int dense = 0, full = 0, partial = 0;
};
StepCounts count_steps(int steps, const HighlightOptions& options);

// Writes `image` as PNG (atomically: a temporary file renamed into place).
Status save_png(const Image& image, const std::string& path);
// Image similarity on the float images ([0, 1] RGB): PSNR in dB (infinity when equal) and
// SSIM (11x11 Gaussian window, sigma 1.5, mean over channels). Sizes must match.
double image_psnr(const Image& a, const Image& b);
double image_ssim(const Image& a, const Image& b);

// Writes `text` to `path` atomically.
Status save_text(const std::string& text, const std::string& path);
// Writes the float image as a safetensors file: key "image", float32 [1, 3, H, W] in [0, 1].
Status save_image_tensor(const Image& image, const std::string& path);

}  // namespace hd
