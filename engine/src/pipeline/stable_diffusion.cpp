#include "pipeline/stable_diffusion.h"

#include <chrono>
#include <cmath>
#include <random>

#include <torch/torch.h>

#include "common/autocast_scope.h"
#include "common/error.h"
#include "models/macs.h"
#include "pipeline/cached_prediction.h"
#include "pipeline/highlight_denoiser.h"
#include "pipeline/latent_preview.h"
#include "schedulers/scheduler.h"

namespace hd {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

StableDiffusionPipeline::StableDiffusionPipeline(std::shared_ptr<SDComponents> components,
                                                 torch::Device device)
    : sd_(std::move(components)), device_(device) {}

StableDiffusionPipeline::~StableDiffusionPipeline() = default;

torch::Tensor StableDiffusionPipeline::encode_prompt(const std::string& prompt, TokenizedText* tokens) {
  TokenizedText t = sd_->tokenizer->encode(prompt);
  torch::Tensor ids = torch::tensor(t.ids, torch::kLong).unsqueeze(0).to(device_);  // [1, L]
  torch::Tensor out = sd_->text_encoder->forward(ids);                              // [1, L, D]
  if (tokens) *tokens = std::move(t);
  return out;
}

torch::Tensor StableDiffusionPipeline::prepare_latents(torch::Generator& generator, int height,
                                                       int width) {
  const int f = sd_->info.vae_scale_factor;
  torch::Tensor latents = torch::randn({1, sd_->info.latent_channels, height / f, width / f},
                                       generator, torch::TensorOptions().dtype(torch::kFloat32));
  return latents.to(device_);  // [1, C, h, w]; DDIM's init_noise_sigma is 1
}

torch::Tensor StableDiffusionPipeline::decode_latents(const torch::Tensor& latents) {
  torch::Tensor z = sd_->vae->from_diffusion_latents(latents);
  // A bfloat16 UNet (reduced precision on a CPU) decodes under bfloat16 autocast too: the
  // embedded model's decoder 1.6x faster, images 55 dB from a float32 decode.
  const bool bf16 =
      sd_->unet->conv_in->weight.scalar_type() == torch::kBFloat16 && device_.is_cpu();
  AutocastScope autocast(bf16, at::kCPU);
  torch::Tensor image = sd_->vae->decode(z).to(torch::kFloat32);  // [B, 3, H, W] in about [-1, 1]
  return (image / 2 + 0.5).clamp(0, 1);
}

Image StableDiffusionPipeline::to_image(const torch::Tensor& image) {
  torch::Tensor chw = image[0].to(torch::kCPU, torch::kFloat32).contiguous();  // [3, H, W]
  Image out;
  out.height = static_cast<int>(chw.size(1));
  out.width = static_cast<int>(chw.size(2));
  out.chw.assign(chw.data_ptr<float>(), chw.data_ptr<float>() + chw.numel());
  // As diffusers' numpy_to_pil: round(x * 255).
  torch::Tensor hwc = (chw * 255).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  out.rgb.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
  return out;
}

void StableDiffusionPipeline::run(const GenerateRequest& req, GenerateResult* result,
                                  const StepCallback& on_step, const std::atomic<bool>& cancel_flag,
                                  bool* cancelled, const NoisePredictor& predictor) {
  torch::NoGradGuard no_grad;
  const auto t_start = std::chrono::steady_clock::now();
  const ModelInfo& info = sd_->info;
  const int width = req.width > 0 ? req.width : info.default_width;
  const int height = req.height > 0 ? req.height : info.default_height;
  const int f = info.vae_scale_factor;
  if (width % f != 0 || height % f != 0) {
    fail("width and height must be multiples of ", f, ", got ", width, "x", height);
  }
  if (width < 2 * f || height < 2 * f || width > 4096 || height > 4096) {
    fail("image size ", width, "x", height, " is out of range (", 2 * f, "..4096)");
  }
  if (req.steps < 1 || req.steps > 1000) fail("steps must be between 1 and 1000, got ", req.steps);
  if (!std::isfinite(req.guidance_scale) || req.guidance_scale < 0 || req.guidance_scale > 100) {
    fail("guidance scale must be between 0 and 100, got ", req.guidance_scale);
  }
  if (!std::isfinite(req.guidance_rescale) || req.guidance_rescale > 1) {
    fail("guidance rescale must be between 0 and 1 (negative: automatic), got ", req.guidance_rescale);
  }
  const float guidance_rescale =
      req.guidance_rescale >= 0 ? req.guidance_rescale : sd_->scheduler.rescale_betas_zero_snr ? 0.7f : 0.0f;
  if (req.eta < 0 || req.eta > 1) fail("eta must be between 0 and 1, got ", req.eta);

  *result = GenerateResult{};
  if (req.seed >= 0) {
    result->seed = req.seed;
  } else {  // 53 bits, so that the seed survives JSON and spreadsheets exactly
    std::random_device rd;
    result->seed = static_cast<int64_t>(((uint64_t{rd()} << 32) | rd()) & ((uint64_t{1} << 53) - 1));
  }
  const bool do_cfg = req.guidance_scale > 1.0f;

  // Text: [uncond, cond] as diffusers concatenates them.
  auto t0 = std::chrono::steady_clock::now();
  TokenizedText tokens;
  torch::Tensor cond = encode_prompt(req.prompt, &tokens);  // [1, L, D]
  result->prompt_tokens = tokens.num_prompt_tokens;
  result->prompt_truncated = tokens.truncated;
  torch::Tensor context = cond;
  if (do_cfg) context = torch::cat({encode_prompt(req.negative_prompt), cond});  // [2, L, D]
  const auto unet_dtype = sd_->unet->conv_in->weight.scalar_type();  // float32 or float16
  context = context.to(unet_dtype);
  result->text_encoder_ms = ms_since(t0);

  const std::unique_ptr<Scheduler> scheduler =
      make_scheduler(req.scheduler, sd_->scheduler, req.eta);
  scheduler->set_timesteps(req.steps);
  auto generator = at::detail::createCPUGenerator(static_cast<uint64_t>(result->seed));
  torch::Tensor latents = prepare_latents(generator, height, width);  // [1, C, h, w]

  const auto& timesteps = scheduler->timesteps();
  std::unique_ptr<HighlightDenoiser> highlight;
  if (!predictor && req.highlight.enabled) {
    highlight = std::make_unique<HighlightDenoiser>(*sd_, req.highlight, static_cast<int>(timesteps.size()),
                                                    tokens, do_cfg);
  }
  if (req.previews && !preview_) preview_ = std::make_unique<LatentPreview>(sd_->vae);
  // Partial steps keep the last full step's estimates (not its raw output) outside the mask.
  CachedPrediction cached(sd_->scheduler.prediction_type);

  const auto loop_start = std::chrono::steady_clock::now();
  double dense_step_macs = 0;
  *cancelled = false;
  for (size_t i = 0; i < timesteps.size(); ++i) {
    if (cancel_flag.load()) {
      *cancelled = true;
      return;
    }
    const auto step_start = std::chrono::steady_clock::now();
    const int64_t t = timesteps[i];
    StepEvent e;
    e.step = static_cast<int>(i);
    e.total_steps = static_cast<int>(timesteps.size());
    e.timestep = static_cast<int>(t);
    torch::Tensor model_in = (do_cfg ? torch::cat({latents, latents}) : latents).to(unet_dtype);
    torch::Tensor noise_pred;
    if (highlight) {
      noise_pred = highlight->predict(model_in, t, context, static_cast<int>(i), e);
    } else {
      MacScope scope;
      if (predictor) {
        noise_pred = predictor(model_in, t, context, static_cast<int>(i));
      } else {
        torch::Tensor ts = torch::tensor(t, torch::TensorOptions().dtype(torch::kLong).device(device_));
        noise_pred = sd_->unet->forward(model_in, ts, context);
      }
      e.macs = e.dense_macs = dense_step_macs = static_cast<double>(scope.count().total());
    }
    noise_pred = noise_pred.to(torch::kFloat32);  // the scheduler works in float32
    if (do_cfg) {
      auto parts = noise_pred.chunk(2);
      noise_pred = parts[0] + req.guidance_scale * (parts[1] - parts[0]);
      if (guidance_rescale > 0) {  // diffusers' rescale_noise_cfg (unbiased std per sample)
        const std::vector<int64_t> dims = {1, 2, 3};
        torch::Tensor rescaled = noise_pred * (parts[1].std(dims, true, true) / noise_pred.std(dims, true, true));
        noise_pred = guidance_rescale * rescaled + (1 - guidance_rescale) * noise_pred;
      }
    }
    if (highlight && cached.active()) {
      const double alpha_bar = scheduler->sample_alpha_bar(i);
      if (e.mode == StepMode::kFull) {
        cached.remember(latents, noise_pred, alpha_bar);
      } else {
        noise_pred = cached.at(noise_pred, highlight->recomputed_region(), alpha_bar);
      }
    }
    torch::Tensor noise;
    if (scheduler->needs_noise())
      noise = torch::randn(latents.sizes(), generator, torch::kFloat32).to(device_);
    latents = scheduler->step(noise_pred, t, latents, noise);
    if (device_.is_cuda()) latents.cpu();  // wait for the device so the step time is real
    if (preview_)
      e.preview = std::make_shared<Image>(preview_->render(scheduler->pred_original_sample()));
    const double ms = ms_since(step_start);
    e.ms = ms;
    e.elapsed_ms = ms_since(loop_start);
    result->step_ms.push_back(ms);
    result->modes.push_back(e.mode);
    result->macs += e.macs;
    if (on_step && !on_step(e)) {
      *cancelled = true;
      return;
    }
  }
  if (highlight) {
    result->attention = highlight->report();
    dense_step_macs = highlight->dense_macs_per_step();
  }
  result->full_steps = static_cast<int>(std::count(result->modes.begin(), result->modes.end(), StepMode::kFull));
  result->partial_steps = static_cast<int>(result->modes.size()) - result->full_steps;
  result->dense_macs = dense_step_macs * static_cast<double>(timesteps.size());

  t0 = std::chrono::steady_clock::now();
  result->image = to_image(decode_latents(latents));
  result->vae_decode_ms = ms_since(t0);
  result->total_ms = ms_since(t_start);
}

}  // namespace hd
