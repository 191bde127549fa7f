// hd generate: one image from a prompt, with progress and per-step timing.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "args.h"
#include "commands.h"
#include "hd/engine.h"
#include "dump.h"
#include "progress.h"

namespace hd::cli {
namespace {

std::atomic<Engine*> g_engine{nullptr};

void on_sigint(int) {
  if (Engine* e = g_engine.load()) e->cancel();
}

std::vector<OptionSpec> make_specs() {
  std::vector<OptionSpec> s = {
      {"model", true, false,
       "diffusers folder or SD v1.x .safetensors (default: the embedded model)", "PATH"},
      {"config", true, false,
       "configs for a single-file checkpoint: folder or bundled name (default sd-v1-4)", "DIR"},
      {"prompt", true, false, "the text to draw (required)", "TEXT"},
      {"negative", true, false, "negative prompt (the unconditional input)", "TEXT"},
      {"steps", true, false, "denoising steps (default 50)", "N"},
      scheduler_option(),
      {"guidance", true, false, "classifier-free guidance scale; <= 1 disables it (default 7.5)",
       "G"},
      {"guidance-rescale", true, false,
       "rescale the guided prediction's std toward the conditional one's, 0..1 (default: 0.7 for "
       "zero-terminal-SNR models, else 0)",
       "R"},
      {"seed", true, false, "random seed; omitted or negative: random, printed (default random)",
       "S"},
      {"width", true, false, "image width, a multiple of 8 (default: the model's)", "W"},
      {"height", true, false, "image height, a multiple of 8 (default: the model's)", "H"},
      {"eta", true, false, "DDIM eta (default 0, deterministic; ddim only)", "E"},
      {"out", true, false, "PNG file to write (required)", "FILE.png"},
      {"save-tensor", true, false, "also write the image as float32 NCHW in [0,1], key 'image'",
       "FILE.safetensors"},
      {"mode", true, false,
       "highlight (attention-guided sparse steps) or dense (default highlight)", "MODE"},
      {"interval", true, false, "highlight: a full step every N steps (default 5)", "N"},
      {"threshold", true, false, "highlight: mask threshold on the 0..255 map (default 150)", "T"},
      {"collect-at", true, false,
       "highlight: fraction of steps before the maps are taken (default 0.2)", "F"},
      {"select", true, false, "highlight: token statistic variance, sum or max (default variance)",
       "STAT"},
      {"map-factors", true, false,
       "highlight: maps from the cross-attention layers at latent/F only, e.g. 2,4 (default: all)",
       "F,F"},
      {"token", true, true, "highlight: this word instead of the automatic choice (repeatable)",
       "WORD"},
      {"refresh-mask", false, false, "highlight: rebuild the mask at every full step"},
      {"min-area", true, false,
       "highlight: drop mask regions under this image fraction (default 0.004)", "F"},
      {"dump", true, false, "write heatmaps, masks, block grids and steps.csv into DIR", "DIR"},
      {"device", true, false, "cpu or cuda (default cpu)", "DEV"},
      precision_option(),
      {"threads", true, false, "CPU threads (default: all cores)", "N"},
      {"quiet", false, false, "no progress output"},
      {"help", false, false, "show this help"},
  };
  auto at = std::find_if(s.begin(), s.end(), [](const OptionSpec& o) { return o.name == "dump"; });
  const auto graphs = cuda_graph_options();
  s.insert(at, graphs.begin(), graphs.end());  // after the other highlight options
  return s;
}

const std::vector<OptionSpec>& specs() {
  static const std::vector<OptionSpec> s = make_specs();
  return s;
}

}  // namespace

int cmd_generate(const std::vector<std::string>& argv) {
  Args args(specs(), argv);
  if (args.has("help")) {
    std::printf("%s",
                usage("hd generate", "Generate one image from a text prompt.", specs()).c_str());
    return 0;
  }
  if (!args.has("prompt")) throw std::invalid_argument("--prompt is required");
  if (!args.has("out")) throw std::invalid_argument("--out is required");

  EngineOptions options = engine_options(args);
  options.single_file_config = args.get_or("config", "");

  std::string model = args.get_or("model", "");
  if (model.empty()) {
    model = default_model_path();
    if (!std::filesystem::exists(model)) {
      std::fprintf(stderr, "hd: no --model given and the embedded default model is not installed at %s\n",
                   model.c_str());
      return 2;
    }
  }

  GenerateRequest req;
  req.prompt = *args.get("prompt");
  req.negative_prompt = args.get_or("negative", "");
  req.steps = args.get_int("steps", 50);
  req.scheduler = scheduler_from(args);
  req.guidance_scale = static_cast<float>(args.get_double("guidance", 7.5));
  req.guidance_rescale = static_cast<float>(args.get_double("guidance-rescale", -1.0));
  req.seed = args.get_int64("seed", -1);
  req.width = args.get_int("width", 0);
  req.height = args.get_int("height", 0);
  req.eta = static_cast<float>(args.get_double("eta", 0.0));
  const std::string mode = args.get_or("mode", "highlight");
  if (mode != "highlight" && mode != "dense") {
    throw std::invalid_argument("--mode must be highlight or dense, got '" + mode + "'");
  }
  HighlightOptions& h = req.highlight;
  h.enabled = mode == "highlight";
  h.interval = args.get_int("interval", h.interval);
  h.threshold = args.get_int("threshold", h.threshold);
  h.collect_at = static_cast<float>(args.get_double("collect-at", h.collect_at));
  h.min_area = static_cast<float>(args.get_double("min-area", h.min_area));
  h.refresh_mask = args.has("refresh-mask");
  h.cuda_graphs = cuda_graphs_from(args);
  h.tokens = args.all("token");
  h.map_factors = args.get_int_list("map-factors");
  const std::string select = args.get_or("select", "variance");
  if (select == "variance") {
    h.statistic = TokenStatistic::kVariance;
  } else if (select == "sum") {
    h.statistic = TokenStatistic::kSum;
  } else if (select == "max") {
    h.statistic = TokenStatistic::kMax;
  } else {
    throw std::invalid_argument("--select must be variance, sum or max, got '" + select + "'");
  }
  const bool quiet = args.has("quiet");

  Engine engine(options);
  Status st = engine.load(model);
  if (!st.ok()) {
    std::fprintf(stderr, "hd: cannot load model: %s\n", st.message().c_str());
    return 1;
  }
  if (!quiet) {
    std::fprintf(stderr, "model %s (%s), UNet %s\n%s\n", engine.info().path.c_str(), engine.info().format.c_str(),
                 engine.info().unet_dtype.c_str(), runtime_line().c_str());
  }

  g_engine = &engine;
  auto previous = std::signal(SIGINT, on_sigint);
  Progress progress(quiet);
  GenerateResult result;
  std::vector<StepEvent> events;
  st = engine.generate(req, &result, [&](const StepEvent& e) {
    progress.step(e);
    events.push_back(e);
    events.back().preview.reset();
    return true;
  });
  progress.finish();
  std::signal(SIGINT, previous);
  g_engine = nullptr;
  if (!st.ok()) {
    std::fprintf(stderr, "hd: generation %s: %s\n",
                 st.code() == Status::Code::kCancelled ? "stopped" : "failed", st.message().c_str());
    return st.code() == Status::Code::kCancelled ? 130 : 1;
  }
  if (result.prompt_truncated) {
    std::fprintf(stderr, "warning: the prompt has %d tokens; only the first %d were used\n",
                 result.prompt_tokens, engine.info().max_tokens - 2);
  }

  const std::string out = *args.get("out");
  st = save_png(result.image, out);
  if (st.ok() && args.has("save-tensor")) st = save_image_tensor(result.image, *args.get("save-tensor"));
  if (!st.ok()) {
    std::fprintf(stderr, "hd: cannot write output: %s\n", st.message().c_str());
    return 1;
  }

  const auto& ms = result.step_ms;
  const double sum = std::accumulate(ms.begin(), ms.end(), 0.0);
  std::printf("wrote %s (%dx%d), seed %lld\n", out.c_str(), result.image.width, result.image.height,
              static_cast<long long>(result.seed));
  std::printf("steps %zu (%s): total %.1f ms, mean %.1f ms, min %.1f ms, max %.1f ms\n", ms.size(),
              req.scheduler.c_str(), sum, sum / ms.size(), *std::min_element(ms.begin(), ms.end()),
              *std::max_element(ms.begin(), ms.end()));
  std::printf("text encoder %.1f ms, VAE decode %.1f ms, total %.1f ms\n", result.text_encoder_ms,
              result.vae_decode_ms, result.total_ms);
  if (result.partial_steps > 0 && result.attention) {
    const AttentionReport& r = *result.attention;
    double full_ms = 0, partial_ms = 0;
    for (size_t i = 0; i < ms.size(); ++i) (result.modes[i] == StepMode::kFull ? full_ms : partial_ms) += ms[i];
    std::printf("highlight: %s\n", r.reason.c_str());
    std::printf("mask area %.1f%%, predicted partial-step MACs %.1f%% of dense\n", 100.0 * r.mask.area,
                100.0 * r.mask.mac_fraction);
    std::printf("%d full steps (mean %.1f ms), %d partial steps (mean %.1f ms); UNet MACs %.1f%% of dense\n",
                result.full_steps, full_ms / std::max(1, result.full_steps), result.partial_steps,
                partial_ms / std::max(1, result.partial_steps), 100.0 * result.macs / result.dense_macs);
  }
  if (args.has("dump")) {
    write_dump(*args.get("dump"), result, events);
    std::printf("wrote the intermediate results to %s\n", args.get("dump")->c_str());
  }
  return 0;
}

}  // namespace hd::cli
