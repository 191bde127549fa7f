// Training the embedded default model: tokenizer, VAE, then UNet + text encoder.
//
// Everything runs on the CPU (or CUDA when built with it), on procedural scenes drawn on
// the fly. Each trainer checkpoints to a file outside the repository and resumes from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace hd::train {

// Sets libtorch's CPU thread count (it starts single-threaded on these machines).
void set_threads(int threads);

struct Progress {
  int64_t step = 0, total = 0;
  double loss = 0, metric = 0;  // metric: PSNR (VAE) or the share of time spent waiting for data (UNet)
  double seconds_per_step = 0;
  double grounding = -1;  // UNet: mean cross-attention grounding loss (< 0: not trained)
  double position_grounding = -1;  // UNet: the same on the position steps (< 0: none)
};
using ProgressFn = std::function<void(const Progress&)>;

// Linear warm-up over `warmup` steps, then cosine decay from `lr` to `lr * final_fraction`.
double learning_rate(int64_t step, int64_t total, double lr, int64_t warmup = 200,
                     double final_fraction = 0.1);

struct TokenizerOptions {
  std::filesystem::path out;   // tokenizer folder to write
  int vocab_size = 512;
  int captions = 100000;       // size of the caption corpus
  int max_length = 32;
};
void train_tokenizer(const TokenizerOptions& options);

struct VaeOptions {
  std::filesystem::path config_dir;   // folder with vae/config.json
  std::filesystem::path checkpoint;   // resumed from and saved to
  int64_t steps = 4000;
  int batch = 8;
  int image_size = 256;
  int crop = 128;                     // random crops for speed (0: whole images)
  double lr = 1e-3;
  double kl_weight = 1e-6;
  int save_every = 100;
  uint64_t seed_base = 1'000'000'000ull;
  // Fine-tune the decoder only, on the posterior means of a frozen encoder, starting from
  // `init` (a train_vae checkpoint): the latent space -- and so a UNet trained on it -- stays
  // valid while reconstructions improve (as SD's ft-MSE VAE decoder was made).
  bool decoder_only = false;
  std::filesystem::path init;
  std::string device = "cpu";         // "cpu" or "cuda"
  double time_budget = 0;             // seconds; > 0 sizes the run to fit (see StepBudget)
};
void train_vae(const VaeOptions& options, const ProgressFn& progress);

struct UNetOptions {
  std::filesystem::path config_dir;       // unet/, text_encoder/ configs
  std::filesystem::path vae_checkpoint;   // trained VAE: train_vae checkpoint or model folder
  std::filesystem::path tokenizer_dir;
  std::filesystem::path checkpoint;
  int64_t steps = 20000;
  int batch = 16;
  int image_size = 256;
  // Objects per training scene: one to this many (1..3). Held-out prompts name one or two
  // objects, so 2 spends the steps on the compositions the quality bars measure.
  int max_objects = 3;
  // Samples per encoded scene, each with its own timestep, noise and caption dropout: the VAE
  // encoder costs about as much as the UNet's forward and backward on 2 CPU cores, so drawing
  // 2 noisy versions of each latent trains on ~30% more samples per second.
  int noise_draws = 1;
  double lr = 3e-4;
  // The text encoder's learning rate is `lr` times this (its own optimizer group when not 1):
  // the denoising loss's gradient reaches the caption words through the UNet's
  // cross-attention and separates the words that change many pixels (colours) long before
  // those that change an outline (kinds).
  double text_encoder_lr_scale = 1.0;
  double cfg_dropout = 0.1;               // empty caption for classifier-free guidance
  double snr_gamma = 5.0;                 // min-SNR loss weighting; 0 disables
  double ema_decay = 0.999;
  double offset_noise = 0.1;              // std of a per-sample, per-channel noise offset
  // Weight of the cross-attention grounding loss (training/grounding_loss.h) added to the
  // denoising loss of the general steps; 0 disables it there (and, without position steps,
  // keeps the fused attention kernels).
  double grounding_weight = 0.0;
  // Weight of the grounding pixel loss (grounding_pixel_loss: the maps cover the objects),
  // on every step that computes the grounding loss; 0 disables it.
  double grounding_pixel = 0.0;
  // The grounding loss also supervises a single object's position words (object_tokens).
  bool ground_positions = false;
  // Every `position_every`-th step (0: none) is a position step (training/position_steps.h):
  // single-object scenes, timesteps drawn from the noisiest `position_portion` of the
  // schedule, and the grounding loss, position words included, at `position_grounding`.
  int position_every = 0;
  double position_grounding = 1.0;
  double position_portion = 0.1;
  // Every `shape_every`-th step (0: none; a position step where both fall) is a shape step
  // (training/step_plan.h): single-object scenes, timesteps drawn from the band
  // `shape_band` (fractions of the schedule, 0 the cleanest), the objects' pixels weighted
  // by `shape_object_weight` and their outlines by `shape_edge_weight` (object_loss_weights),
  // and the general steps' grounding.
  int shape_every = 0;
  double shape_band_from = 0.3;
  double shape_band_to = 0.8;
  double shape_object_weight = 8.0;
  // Extra weight of the objects' outlines in shape steps (object_loss_weights' edge); 0: none.
  double shape_edge_weight = 0.0;
  // Shape steps on shape_crop x shape_crop crops around the object (make_scene_batch's crop,
  // captions without the position), (image_size / shape_crop)^2 times `batch` scenes a step:
  // as many pixels as a full-size step, more objects at their full size. 0: whole scenes.
  int shape_crop = 0;
  // Extra weight of the objects' pixels in the denoising loss (object_loss_weights); 0: uniform.
  double object_weight = 0.0;
  // Timestep sampling bias (timestep_weights): "none", "later" or "earlier".
  std::string timestep_bias = "none";
  double timestep_bias_multiplier = 1.0;
  double timestep_bias_portion = 0.25;
  std::string precision = "fp32";         // or "bf16" (autocast; for GPUs)
  // Start a new run (no optimizer state) from these weights: a checkpoint of this trainer,
  // or an exported model folder (its unet/ and text_encoder/, fp16 -> float32).
  std::filesystem::path init;
  int save_every = 100;
  uint64_t seed_base = 2'000'000'000ull;
  std::string device = "cpu";             // "cpu" or "cuda"
  double time_budget = 0;                 // seconds; > 0 sizes the run to fit (see StepBudget)
  // At the end, also write the weights and EMA without the optimizer state here: a third
  // of the size, and enough to export or to resume with fresh Adam moments.
  std::filesystem::path weights_out;
};
void train_unet(const UNetOptions& options, const ProgressFn& progress);

// PSNR (dB) of VAE reconstructions (posterior mean) on `count` held-out scenes; with a
// `sheet` path, also writes a PNG of 8 originals above their reconstructions.
double evaluate_vae(const std::filesystem::path& config_dir, const std::filesystem::path& checkpoint,
                    int count, int image_size, const std::filesystem::path& sheet = {});

// Held-out evaluation prompts: `count` with one object and `count` with two, interleaved;
// writes <stem>.txt (one caption per line) and <stem>.jsonl (caption and spec per line).
// Returns the number of prompts.
int write_eval_prompts(const std::string& stem, int count, uint64_t seed);

struct ExportOptions {
  std::filesystem::path config_dir;
  std::filesystem::path vae_checkpoint;  // train_vae checkpoint or model folder (load_vae)
  std::filesystem::path unet_checkpoint, tokenizer_dir;
  std::filesystem::path out;   // diffusers folder, weights in fp16
  bool use_ema = true;          // export the EMA weights (else the raw training weights)
};
void export_model(const ExportOptions& options);

}  // namespace hd::train
