// hd-train: reproduces the embedded default model (resources/models/hd-shapes).
//
//   hd-train tokenizer --out DIR
//   hd-train vae       --checkpoint FILE [--steps N] [--batch B] ...
//   hd-train unet      --vae FILE|DIR --tokenizer DIR --checkpoint FILE [--steps N] ...
//   hd-train eval-vae  --checkpoint FILE
//   hd-train export    --vae FILE|DIR --unet FILE --tokenizer DIR --out DIR
//   hd-train prompts   --out STEM [--count N]    held-out prompts (.txt) with answers (.jsonl)
//   hd-train evaluate  --model DIR --prompts FILE --out DIR   the quality bars
//   hd-train grade     --prompts FILE --images DIR --out DIR  grade an evaluation's images again
//
// Checkpoints are written atomically every --save-every steps; running the same command
// again resumes from the checkpoint.
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../cli/args.h"
#include "common/resources.h"
#include "training/evaluate_model.h"
#include "training/trainers.h"

namespace {
namespace fs = std::filesystem;
using hd::cli::Args;
using hd::cli::OptionSpec;

fs::path default_config() { return fs::path(hd::resource_dir()) / "configs" / "hd-shapes"; }

void print_progress(const char* what, const char* metric, const hd::train::Progress& p) {
  const double eta_h = p.seconds_per_step * (p.total - p.step) / 3600.0;
  char grounding[48] = "", position[48] = "";
  if (p.grounding >= 0) std::snprintf(grounding, sizeof grounding, "  grounding %.4f", p.grounding);
  if (p.position_grounding >= 0)
    std::snprintf(position, sizeof position, "  position-grounding %.4f", p.position_grounding);
  std::printf("%s step %lld/%lld  loss %.5f%s%s  %s %.3f  %.2f s/step  ETA %.1f h\n", what,
              static_cast<long long>(p.step), static_cast<long long>(p.total), p.loss, grounding,
              position, metric, p.metric, p.seconds_per_step, eta_h);
  std::fflush(stdout);
}

const std::vector<OptionSpec> kCommon = {
    {"config", true, false, "architecture configs (default: resources/configs/hd-shapes)", "DIR"},
    {"threads", true, false, "CPU threads (default: all cores)", "N"},
    {"help", false, false, "show this help"},
};

std::vector<OptionSpec> with_common(std::vector<OptionSpec> specs) {
  specs.insert(specs.end(), kCommon.begin(), kCommon.end());
  return specs;
}

// `--help`: prints the command's usage and returns the exit status 0.
int print_usage(const std::string& command, const std::string& summary,
                const std::vector<OptionSpec>& specs) {
  std::printf("%s", hd::cli::usage(command, summary, specs).c_str());
  return 0;
}

// Options that only tune a mode must not pass silently while the mode is off: `hd-train unet
// --shape-edge-weight 8` without `--shape-every` would otherwise train as if it were not given.
void refuse_without(const Args& a, const std::string& mode, bool on,
                    std::initializer_list<const char*> tuning) {
  if (on) return;
  for (const char* t : tuning)
    if (a.has(t))
      throw std::invalid_argument(std::string("--") + t + " '" + *a.get(t) +
                                  "' has no effect without " + mode);
}

int run(const std::string& cmd, const std::vector<std::string>& argv) {
  if (cmd == "tokenizer") {
    auto specs = with_common({{"out", true, false, "tokenizer folder to write", "DIR"},
                              {"vocab", true, false, "vocabulary size (default 512)", "N"},
                              {"captions", true, false, "captions in the corpus (default 100000)", "N"},
                              {"max-length", true, false, "tokens per prompt incl. BOS/EOS (default 32)", "N"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train tokenizer", "Train the SentencePiece tokenizer.", specs);
    hd::train::TokenizerOptions o;
    o.out = a.get_or("out", "");
    if (o.out.empty()) throw std::invalid_argument("--out is required");
    o.vocab_size = a.get_int("vocab", o.vocab_size);
    o.captions = a.get_int("captions", o.captions);
    o.max_length = a.get_int("max-length", o.max_length);
    hd::train::train_tokenizer(o);
    std::printf("wrote %s\n", o.out.c_str());
    return 0;
  }
  if (cmd == "vae") {
    auto specs = with_common({{"checkpoint", true, false, "checkpoint file (resumed if present)", "FILE"},
                              {"steps", true, false, "total steps (default 4000)", "N"},
                              {"batch", true, false, "batch size (default 8)", "N"},
                              {"crop", true, false, "training crop (default 128; 0 = whole 256 images)", "N"},
                              {"lr", true, false, "learning rate (default 1e-3)", "LR"},
                              {"save-every", true, false, "checkpoint interval (default 100)", "N"},
                              {"decoder-only", true, false, "fine-tune the decoder of this VAE checkpoint (encoder frozen)", "FILE"},
                              {"device", true, false, "cpu (default) or cuda", "DEV"},
                              {"time-budget", true, false, "shorten --steps to end within this many seconds", "S"}});
    Args a(specs, argv);
    if (a.has("help")) return print_usage("hd-train vae", "Train the VAE.", specs);
    hd::train::VaeOptions o;
    o.config_dir = a.get_or("config", default_config().string());
    o.checkpoint = a.get_or("checkpoint", "");
    if (o.checkpoint.empty()) throw std::invalid_argument("--checkpoint is required");
    o.steps = a.get_int64("steps", o.steps);
    o.batch = a.get_int("batch", o.batch);
    o.crop = a.get_int("crop", o.crop);
    o.lr = a.get_double("lr", o.lr);
    o.save_every = a.get_int("save-every", o.save_every);
    o.device = a.get_or("device", o.device);
    o.time_budget = a.get_double("time-budget", o.time_budget);
    if (a.has("decoder-only")) {
      o.decoder_only = true;
      o.init = *a.get("decoder-only");
    }
    hd::train::train_vae(o, [](const hd::train::Progress& p) { print_progress("vae", "PSNR", p); });
    return 0;
  }
  if (cmd == "unet") {
    auto specs = with_common(
        {{"vae", true, false,
          "trained VAE: checkpoint, or a model folder such as resources/models/hd-shapes", "PATH"},
         {"tokenizer", true, false, "trained tokenizer folder", "DIR"},
         {"checkpoint", true, false, "checkpoint file (resumed if present)", "FILE"},
         {"steps", true, false, "total steps (default 20000)", "N"},
         {"batch", true, false, "scenes per step (default 16)", "N"},
         {"lr", true, false, "learning rate (default 3e-4)", "LR"},
         {"image-size", true, false, "training image size (default 256)", "N"},
         {"max-objects", true, false, "objects per scene: 1 to N (default 3)", "N"},
         {"save-every", true, false, "checkpoint interval (default 100)", "N"},
         {"device", true, false, "cpu (default) or cuda", "DEV"},
         {"time-budget", true, false, "shorten --steps to end within this many seconds", "S"},
         {"weights-out", true, false,
          "at the end, also write weights + EMA without optimizer state", "FILE"},
         {"init", true, false,
          "start a new run from a checkpoint's weights or an exported model folder", "PATH"},
         {"offset-noise", true, false, "per-channel noise offset std (default 0.1)", "X"},
         {"noise-draws", true, false,
          "noisy samples per encoded scene (default 1; batch = scenes x draws)", "K"},
         {"grounding", true, false, "weight of the cross-attention grounding loss (default 0: off)",
          "W"},
         {"grounding-pixel", true, false,
          "weight of the grounding pixel loss: each object's queries attend to its words "
          "(default 0: off)",
          "W"},
         {"ground-positions", false, false,
          "the grounding loss also pulls a single object's position words (\"top\", \"left\") into "
          "its mask"},
         {"position-every", true, false,
          "every K-th step is a position step: single objects, the noisiest timesteps, position "
          "words grounded (default 0: none)",
          "K"},
         {"position-grounding", true, false, "grounding weight of the position steps (default 1)",
          "W"},
         {"position-portion", true, false,
          "share of the noisiest timesteps the position steps draw from (default 0.1)", "F"},
         {"shape-every", true, false,
          "every K-th step is a shape step: single objects, the middle timesteps, object pixels "
          "weighted (default 0: none; a position step where both fall)",
          "K"},
         {"shape-timesteps", true, false,
          "band of the schedule the shape steps draw from, 0 the cleanest (default 0.3,0.8)",
          "FROM,TO"},
         {"shape-object-weight", true, false,
          "extra loss weight of object pixels in shape steps (default 8)", "W"},
         {"shape-edge-weight", true, false,
          "extra loss weight of the objects' outlines in shape steps (default 0)", "W"},
         {"shape-crop", true, false,
          "shape steps on PX x PX crops around the object, (image size / PX)^2 as many scenes "
          "(default 0: whole scenes)",
          "PX"},
         {"text-encoder-lr-scale", true, false,
          "the text encoder learns at --lr times X (default 1)", "X"},
         {"object-weight", true, false, "extra loss weight of object pixels (default 0: uniform)",
          "W"},
         {"timestep-bias", true, false,
          "none (default), later or earlier: favour the noisiest or cleanest timesteps", "S"},
         {"timestep-bias-multiplier", true, false, "weight of the favoured timesteps (default 1)",
          "X"},
         {"timestep-bias-portion", true, false, "share of the timesteps favoured (default 0.25)",
          "F"},
         {"precision", true, false, "fp32 (default) or bf16 autocast", "P"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train unet", "Train the UNet and text encoder.", specs);
    hd::train::UNetOptions o;
    o.config_dir = a.get_or("config", default_config().string());
    o.vae_checkpoint = a.get_or("vae", "");
    o.tokenizer_dir = a.get_or("tokenizer", "");
    o.checkpoint = a.get_or("checkpoint", "");
    if (o.vae_checkpoint.empty() || o.tokenizer_dir.empty() || o.checkpoint.empty()) {
      throw std::invalid_argument("--vae, --tokenizer and --checkpoint are required");
    }
    o.steps = a.get_int64("steps", o.steps);
    o.batch = a.get_int("batch", o.batch);
    o.lr = a.get_double("lr", o.lr);
    o.image_size = a.get_int("image-size", o.image_size);
    o.max_objects = a.get_int("max-objects", o.max_objects);
    o.save_every = a.get_int("save-every", o.save_every);
    o.device = a.get_or("device", o.device);
    o.time_budget = a.get_double("time-budget", o.time_budget);
    o.weights_out = a.get_or("weights-out", "");
    o.init = a.get_or("init", "");
    o.offset_noise = a.get_double("offset-noise", o.offset_noise);
    o.noise_draws = a.get_int("noise-draws", o.noise_draws);
    if (o.noise_draws < 1) throw std::invalid_argument("--noise-draws: must be at least 1");
    o.grounding_weight = a.get_double("grounding", o.grounding_weight);
    if (o.grounding_weight < 0) throw std::invalid_argument("--grounding: the weight must be >= 0");
    o.ground_positions = a.has("ground-positions");
    o.grounding_pixel = a.get_double("grounding-pixel", o.grounding_pixel);
    o.object_weight = a.get_double("object-weight", o.object_weight);
    o.position_every = a.get_int("position-every", o.position_every);
    o.position_grounding = a.get_double("position-grounding", o.position_grounding);
    o.position_portion = a.get_double("position-portion", o.position_portion);
    o.shape_every = a.get_int("shape-every", o.shape_every);
    if (const std::vector<double> band = a.get_double_list("shape-timesteps"); !band.empty()) {
      if (band.size() != 2)
        throw std::invalid_argument("--shape-timesteps: '" + *a.get("shape-timesteps") +
                                    "' is not two numbers FROM,TO");
      o.shape_band_from = band[0];
      o.shape_band_to = band[1];
    }
    o.shape_object_weight = a.get_double("shape-object-weight", o.shape_object_weight);
    o.shape_edge_weight = a.get_double("shape-edge-weight", o.shape_edge_weight);
    o.shape_crop = a.get_int("shape-crop", o.shape_crop);
    o.text_encoder_lr_scale = a.get_double("text-encoder-lr-scale", o.text_encoder_lr_scale);
    o.timestep_bias = a.get_or("timestep-bias", o.timestep_bias);
    o.timestep_bias_multiplier = a.get_double("timestep-bias-multiplier", o.timestep_bias_multiplier);
    o.timestep_bias_portion = a.get_double("timestep-bias-portion", o.timestep_bias_portion);
    if (o.object_weight < 0) throw std::invalid_argument("--object-weight: the weight must be >= 0");
    o.precision = a.get_or("precision", o.precision);
    refuse_without(a, "--shape-every K", o.shape_every > 0,
                   {"shape-timesteps", "shape-object-weight", "shape-edge-weight", "shape-crop"});
    refuse_without(a, "--position-every K", o.position_every > 0,
                   {"position-grounding", "position-portion"});
    refuse_without(a, "--timestep-bias later|earlier", o.timestep_bias != "none",
                   {"timestep-bias-multiplier", "timestep-bias-portion"});
    hd::train::train_unet(o, [](const hd::train::Progress& p) { print_progress("unet", "data-wait", p); });
    return 0;
  }
  if (cmd == "prompts") {
    auto specs = with_common({{"out", true, false, "file stem: writes STEM.txt and STEM.jsonl", "STEM"},
                              {"count", true, false, "prompts per object count (default 100)", "N"},
                              {"seed", true, false, "seed (default 7)", "S"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train prompts", "Held-out evaluation prompts with their answers.",
                         specs);
    const std::string stem = a.get_or("out", "");
    if (stem.empty()) throw std::invalid_argument("--out is required");
    const int n = hd::train::write_eval_prompts(stem, a.get_int("count", 100), static_cast<uint64_t>(a.get_int64("seed", 7)));
    std::printf("wrote %d prompts to %s.txt and %s.jsonl\n", n, stem.c_str(), stem.c_str());
    return 0;
  }
  if (cmd == "evaluate") {
    auto specs = with_common(
        {{"model", true, false, "model folder", "DIR"},
         {"prompts", true, false, ".jsonl of hd-train prompts", "FILE"},
         {"out", true, false, "report folder", "DIR"},
         {"steps", true, false, "denoising steps (default 50)", "N"},
         {"scheduler", true, false, "sampler: ddim (default), dpm++2m or dpm++2m-karras", "NAME"},
         {"threshold", true, false,
          "threshold of the IoU's mask, 0..255 (default 150, the method's)", "T"},
         {"guidance", true, false, "guidance (default 7.5)", "G"},
         {"guidance-rescale", true, false,
          "guidance rescale 0..1 (default: automatic, 0.7 for zero-terminal-SNR models)", "R"},
         {"limit", true, false, "first N prompts", "N"},
         {"size", true, false,
          "image side in pixels, a multiple of the VAE's factor (default: the model's)", "PX"},
         {"map-factors", true, false,
          "IoU maps from the layers at latent/F only, e.g. 2 (default: all)", "F,F"},
         {"device", true, false, "cpu (default) or cuda", "DEV"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train evaluate", "Quality bars of a trained model.", specs);
    hd::train::EvalOptions o;
    o.model = a.get_or("model", "");
    o.prompts = a.get_or("prompts", "");
    o.out = a.get_or("out", "");
    if (o.model.empty() || o.prompts.empty() || o.out.empty()) throw std::invalid_argument("--model, --prompts and --out are required");
    o.steps = a.get_int("steps", o.steps);
    o.scheduler = a.get_or("scheduler", o.scheduler);
    o.threshold = a.get_int("threshold", o.threshold);
    o.guidance = a.get_double("guidance", o.guidance);
    o.guidance_rescale = a.get_double("guidance-rescale", o.guidance_rescale);
    o.limit = a.get_int("limit", 0);
    o.size = a.get_int("size", 0);
    if (o.size < 0) throw std::invalid_argument("--size: " + std::to_string(o.size) + " is negative");
    o.device = a.get_or("device", o.device);
    o.map_factors = a.get_int_list("map-factors");
    const auto s = hd::train::evaluate_model(o);
    std::printf("prompt fidelity: single objects %d/%d (%.1f%%), pairs %d/%d (%.1f%%)\n", s.single_ok, s.single,
                100.0 * s.single_ok / std::max(1, s.single), s.pair_ok, s.pair, 100.0 * s.pair_ok / std::max(1, s.pair));
    std::printf("attention IoU: mean %.3f, quartiles %.3f / %.3f / %.3f\n", s.iou_mean, s.iou_p25, s.iou_median, s.iou_p75);
    std::printf("median time per image (%d steps, dense): %.2f s\n", o.steps, s.seconds_per_image);
    std::printf(
        "text encoder, mean cosine of the words' states: kinds %.3f (closest %s / %s %.3f), "
        "colours %.3f\n",
        s.kind_words.mean_cos, s.kind_words.closest_a.c_str(), s.kind_words.closest_b.c_str(),
        s.kind_words.max_cos, s.colour_words.mean_cos);
    std::printf(
        "UNet, object error with a swapped word: kinds %+.1f%%, colours %+.1f%% (0: the word "
        "changes nothing)\n",
        100 * s.reliance.kinds.gain(), 100 * s.reliance.colours.gain());
    return 0;
  }
  if (cmd == "grade") {
    auto specs = with_common(
        {{"prompts", true, false, ".jsonl of hd-train prompts", "FILE"},
         {"images", true, false, "images NNNNN.png of those prompts (evaluate's out/images)",
          "DIR"},
         {"out", true, false, "report folder: grade.csv, grade.md", "DIR"},
         {"limit", true, false, "first N prompts (default: every image there is)", "N"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train grade",
                         "Prompt fidelity of an evaluation's images, graded again by the scene "
                         "checker as it is now.",
                         specs);
    hd::train::GradeOptions o;
    o.prompts = a.get_or("prompts", "");
    o.images = a.get_or("images", "");
    o.out = a.get_or("out", "");
    if (o.prompts.empty() || o.images.empty() || o.out.empty())
      throw std::invalid_argument("--prompts, --images and --out are required");
    o.limit = a.get_int("limit", 0);
    const auto s = hd::train::grade_images(o);
    std::printf(
        "prompt fidelity: single objects %d/%d (%.1f%%), pairs %d/%d (%.1f%%); colour %d, kind "
        "%d, position %d of %d prompts\n",
        s.single_ok, s.single, 100.0 * s.single_ok / std::max(1, s.single), s.pair_ok, s.pair,
        100.0 * s.pair_ok / std::max(1, s.pair), s.colour_ok, s.kind_ok, s.position_ok,
        s.single + s.pair);
    return 0;
  }
  if (cmd == "eval-vae") {
    auto specs =
        with_common({{"checkpoint", true, false, "VAE checkpoint, or a model folder", "PATH"},
                     {"count", true, false, "held-out scenes (default 200)", "N"},
                     {"sheet", true, false, "PNG of originals above reconstructions", "FILE"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train eval-vae",
                         "Reconstruction PSNR of a trained VAE on held-out scenes.", specs);
    const double psnr = hd::train::evaluate_vae(a.get_or("config", default_config().string()),
                                                a.get_or("checkpoint", ""), a.get_int("count", 200), 256,
                                                a.get_or("sheet", ""));
    std::printf("VAE PSNR on held-out scenes: %.2f dB\n", psnr);
    return 0;
  }
  if (cmd == "export") {
    auto specs =
        with_common({{"vae", true, false, "VAE checkpoint, or a model folder", "PATH"},
                     {"unet", true, false, "UNet checkpoint", "FILE"},
                     {"tokenizer", true, false, "tokenizer folder", "DIR"},
                     {"out", true, false, "model folder to write", "DIR"},
                     {"weights", true, false, "ema (default) or raw training weights", "W"}});
    Args a(specs, argv);
    if (a.has("help"))
      return print_usage("hd-train export",
                         "Write a model folder (diffusers layout, fp16) from trained checkpoints.",
                         specs);
    hd::train::ExportOptions o;
    o.config_dir = a.get_or("config", default_config().string());
    o.vae_checkpoint = a.get_or("vae", "");
    o.unet_checkpoint = a.get_or("unet", "");
    o.tokenizer_dir = a.get_or("tokenizer", "");
    o.out = a.get_or("out", "");
    const std::string weights = a.get_or("weights", "ema");
    if (weights != "ema" && weights != "raw") throw std::invalid_argument("--weights: '" + weights + "' is neither ema nor raw");
    o.use_ema = weights == "ema";
    hd::train::export_model(o);
    std::printf("wrote %s\n", o.out.c_str());
    return 0;
  }
  throw std::invalid_argument(
      "unknown command '" + cmd +
      "' (tokenizer, vae, unet, eval-vae, export, prompts, evaluate, grade)");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: hd-train tokenizer|vae|unet|eval-vae|export|prompts|evaluate|grade "
                 "[options] (--help)\n");
    return 2;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--threads") threads = std::stoi(args[i + 1]);
  }
  hd::train::set_threads(std::max(1, threads));
  try {
    return run(argv[1], args);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "hd-train %s: %s\n", argv[1], e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hd-train %s: %s\n", argv[1], e.what());
    return 1;
  }
}
