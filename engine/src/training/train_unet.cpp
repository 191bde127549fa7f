// UNet + text encoder training (diffusers examples/text_to_image semantics): epsilon or v
// prediction (as the scheduler config says) on VAE latents, uniform timesteps, min-SNR
// weighting, caption dropout for classifier-free guidance, offset noise, EMA weights for
// export, optionally the cross-attention grounding losses (token and pixel) and interleaved
// position and shape steps (training/step_plan.h).
#include <chrono>

#include <torch/torch.h>

#include "common/autocast_scope.h"
#include "common/error.h"
#include "io/json_config.h"
#include "io/weights.h"
#include "schedulers/scheduling_ddim.h"
#include "sparse/sparse_ops.h"
#include "tokenizers/tokenizer.h"
#include "training/checkpoint.h"
#include "training/diffusion_target.h"
#include "training/grounding_loss.h"
#include "training/model_factory.h"
#include "training/scene_batches.h"
#include "training/step_budget.h"
#include "training/step_plan.h"
#include "training/trainers.h"

namespace hd::train {

void train_unet(const UNetOptions& o, const ProgressFn& progress) {
  torch::manual_seed(2);
  const torch::Device device = training_device(o.device);
  if (o.precision != "fp32" && o.precision != "bf16") fail("--precision: '", o.precision, "' is neither fp32 nor bf16");
  const bool bf16 = o.precision == "bf16";
  if (o.max_objects < 1 || o.max_objects > 3)
    fail("--max-objects: ", o.max_objects, " is not in 1..3");
  if (o.ground_positions && o.grounding_weight <= 0)
    fail("--ground-positions needs --grounding W > 0");
  if (o.grounding_pixel < 0) fail("--grounding-pixel: ", o.grounding_pixel, " must be >= 0");
  if (o.position_every < 0 || o.position_every == 1)
    fail("--position-every: ", o.position_every,
         " (0: off, or 2 and more: some general steps remain)");
  if (o.position_every > 0 && !(o.position_grounding > 0))
    fail("--position-grounding: ", o.position_grounding, " must be > 0");
  if (o.position_every > 0 && !(o.position_portion > 0 && o.position_portion <= 1))
    fail("--position-portion: ", o.position_portion, " is not in (0, 1]");
  if (o.shape_every < 0 || o.shape_every == 1)
    fail("--shape-every: ", o.shape_every, " (0: off, or 2 and more: some general steps remain)");
  if (o.shape_every > 0 && o.position_every > 0 && o.shape_every % o.position_every == 0)
    fail("--shape-every: ", o.shape_every, " is a multiple of --position-every ", o.position_every,
         ": every shape step would be a position step");
  if (o.shape_every > 0 &&
      !(o.shape_band_from >= 0 && o.shape_band_from < o.shape_band_to && o.shape_band_to <= 1))
    fail("--shape-timesteps: ", o.shape_band_from, ",", o.shape_band_to,
         " is not a band FROM,TO with 0 <= FROM < TO <= 1");
  if (o.shape_every > 0 && !(o.shape_object_weight >= 0))
    fail("--shape-object-weight: ", o.shape_object_weight, " must be >= 0");
  if (!(o.shape_edge_weight >= 0))
    fail("--shape-edge-weight: ", o.shape_edge_weight, " must be >= 0");
  if (o.shape_crop != 0 && (o.shape_crop < 64 || o.shape_crop % 16 != 0 ||
                            o.shape_crop > o.image_size || o.image_size % o.shape_crop != 0))
    fail("--shape-crop: ", o.shape_crop, " px is not a multiple of 16 from 64 that divides",
         " --image-size ", o.image_size);
  if (!(o.text_encoder_lr_scale > 0))
    fail("--text-encoder-lr-scale: ", o.text_encoder_lr_scale, " must be > 0");
  auto tokenizer = load_tokenizer(o.tokenizer_dir);
  AutoencoderKL vae = make_vae(o.config_dir);
  vae->to(device);
  load_vae(vae, o.vae_checkpoint, device);
  vae->eval();
  for (auto& p : vae->parameters()) p.set_requires_grad(false);
  const LatentStats stats = latent_statistics(vae, 64, o.image_size);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const torch::Tensor latent_mean = torch::tensor(stats.mean).to(opts).view({1, -1, 1, 1});  // [1, C, 1, 1]
  const torch::Tensor latent_std = torch::tensor(stats.std).to(opts).view({1, -1, 1, 1});    // [1, C, 1, 1]

  UNet2DConditionModel unet = make_unet(o.config_dir);
  CLIPTextModel te = make_text_encoder(o.config_dir, tokenizer->vocab_size(), tokenizer->max_length());
  unet->to(device);
  te->to(device);
  unet->train();
  te->train();
  std::vector<torch::Tensor> params = unet->parameters();
  const std::vector<torch::Tensor> te_params = te->parameters();
  params.insert(params.end(), te_params.begin(), te_params.end());
  // One group (the checkpoints of earlier runs resume), or the UNet's and the text encoder's.
  const auto adamw = torch::optim::AdamWOptions(o.lr).weight_decay(1e-2);
  std::vector<double> lr_scales = {1.0};
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (o.text_encoder_lr_scale == 1.0) {
    groups.emplace_back(params, std::make_unique<torch::optim::AdamWOptions>(adamw));
  } else {
    groups.emplace_back(unet->parameters(), std::make_unique<torch::optim::AdamWOptions>(adamw));
    groups.emplace_back(te_params, std::make_unique<torch::optim::AdamWOptions>(adamw));
    lr_scales.push_back(o.text_encoder_lr_scale);
  }
  torch::optim::AdamW opt(groups, adamw);
  Ema ema(params, o.ema_decay);
  NamedModules modules = {{"unet", unet.get()}, {"text_encoder", te.get()}};
  int64_t step = -1;
  try {
    step = load_checkpoint(o.checkpoint, modules, &opt, &ema, device);
  } catch (const c10::Error& e) {
    // The optimizer's groups: one, or two with a text encoder learning rate scale.
    const std::string what = e.what_without_backtrace();
    if (what.find("parameter groups") == std::string::npos) throw;
    fail(o.checkpoint.string(), ": cannot resume (", what,
         "); was it written with another --text-encoder-lr-scale (1 or not)?");
  }
  if (step < 0 && !o.init.empty()) {  // a new run starting from other weights
    if (std::filesystem::is_directory(o.init)) {  // an exported model (fp16 safetensors)
      torch::NoGradGuard no_grad;
      load_weights(*unet, open_component_weights(o.init / "unet", "diffusion_pytorch_model"), "unet");
      load_weights(*te, open_component_weights(o.init / "text_encoder", "model"), "text_encoder");
    } else if (load_checkpoint(o.init, modules, nullptr, nullptr, device) < 0) {
      fail(o.init.string(), ": no checkpoint to start from");
    }
    ema.reset();
  }
  step = std::max<int64_t>(0, step);
  ema.set_updates(step);
  // Channels-last convolutions: oneDNN's fast layout on CPUs (forward and backward). On
  // CUDA the models stay NCHW, the layout of the fast GroupNorm kernels.
  const auto format = device.is_cpu() ? kSparseFormat : at::MemoryFormat::Contiguous;
  if (device.is_cpu()) {
    convolutions_to_channels_last(*unet);
    convolutions_to_channels_last(*vae);
  }

  std::shared_ptr<GroundingAttnProcessor> grounding;
  if (o.grounding_weight > 0 || o.position_every > 0) {
    grounding = std::make_shared<GroundingAttnProcessor>();
    for (auto& [name, attn] : unet->attention_layers()) {
      if (attn->is_cross_attention()) attn->set_processor(grounding);
    }
  }

  DDIMScheduler schedule(DDIMSchedulerConfig::from_json(
      JsonConfig::load(o.config_dir / "scheduler" / "scheduler_config.json")));
  const torch::Tensor alphas = schedule.alphas_cumprod().to(device);  // [T]
  // The training target follows the scheduler config the model ships with.
  const std::string prediction = schedule.config().prediction_type;
  if (prediction != "epsilon" && prediction != "v_prediction") {
    fail("hd-train unet: prediction_type '", prediction, "' (epsilon or v_prediction)");
  }
  if (prediction == "epsilon" && schedule.config().rescale_betas_zero_snr) {
    fail("hd-train unet: zero terminal SNR needs prediction_type v_prediction");
  }
  const int64_t T = alphas.size(0);
  const torch::Tensor t_weights =
      timestep_weights(T, o.timestep_bias, o.timestep_bias_multiplier, o.timestep_bias_portion);  // [T]
  BatchPrefetcher data(o.seed_base, o.batch, o.image_size, o.max_objects);
  // Position and shape steps draw single-object scenes from their own seeds, far from the
  // general ones and from each other.
  BatchPrefetcher position_data(o.seed_base + (uint64_t{1} << 40), o.batch, o.image_size, 1);
  // With --shape-crop, as many crops as make up the pixels of the batch's whole images.
  const int crops_per_image =
      o.shape_crop ? (o.image_size / o.shape_crop) * (o.image_size / o.shape_crop) : 1;
  BatchPrefetcher shape_data(o.seed_base + (uint64_t{2} << 40), o.batch * crops_per_image,
                             o.image_size, 1, o.shape_crop);
  torch::Generator gen = at::detail::createCPUGenerator(o.seed_base);

  StepBudget budget(step, o.steps, o.time_budget);
  using Clock = std::chrono::steady_clock;
  auto last = Clock::now();
  double loss_avg = 0, data_wait = 0, grounding_avg = 0, position_grounding_avg = 0;
  int window = 0, grounding_window = 0, position_window = 0;
  int64_t total = budget.at(step);
  for (; step < total; total = budget.at(++step)) {
    gen.set_current_seed(o.seed_base + static_cast<uint64_t>(step));  // resumable stream
    for (size_t g = 0; g < opt.param_groups().size(); ++g) {
      static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[g].options())
          .lr(learning_rate(step, total, o.lr) * lr_scales[g]);
    }
    const StepPlan plan = plan_step(step, o.position_every, o.shape_every);
    const double grounding_weight = plan.position() ? o.position_grounding : o.grounding_weight;
    const bool ground_positions = plan.position() || o.ground_positions;
    const double object_weight = plan.shape() ? o.shape_object_weight : o.object_weight;
    const double edge_weight = plan.shape() ? o.shape_edge_weight : 0.0;
    const auto wait_start = Clock::now();
    SceneBatch batch = (plan.position() ? position_data
                        : plan.shape()  ? shape_data
                                        : data)
                           .get(plan.batch);
    data_wait += std::chrono::duration<double>(Clock::now() - wait_start).count();
    const int64_t scenes = batch.rgb.size(0);
    const int64_t B = scenes * o.noise_draws;
    torch::Tensor latents;
    {
      torch::NoGradGuard no_grad;
      AutocastScope autocast(bf16, device.type());
      torch::Tensor images = batch.images(device).contiguous(format);  // [scenes, 3, S, S]
      torch::Tensor z = vae->encode(images).mean.to(torch::kFloat32);  // [scenes, C, h, w]
      latents = ((z - latent_mean) / latent_std).repeat({o.noise_draws, 1, 1, 1}).contiguous(format);
    }
    torch::Tensor drop = torch::rand({B}, gen);
    std::vector<int64_t> ids, pair_sample, pair_token;
    std::vector<torch::Tensor> pair_mask;
    for (int64_t i = 0; i < B; ++i) {
      const int64_t image = i % scenes;  // the scene behind sample i (noise_draws samples each)
      const bool dropped = drop[i].item<double>() < o.cfg_dropout;
      const TokenizedText t = tokenizer->encode(dropped ? "" : batch.captions[image]);
      ids.insert(ids.end(), t.ids.begin(), t.ids.end());
      if (grounding_weight <= 0 || dropped) continue;
      for (const auto& [token, object] : object_tokens(t, batch.specs[image], ground_positions)) {
        pair_sample.push_back(i);
        pair_token.push_back(token);
        pair_mask.push_back(batch.masks[image][object]);  // [M, M]
      }
    }
    GroundingTargets targets;
    if (!pair_sample.empty()) {
      targets.sample = torch::tensor(pair_sample, torch::kLong).to(device);
      targets.token = torch::tensor(pair_token, torch::kLong).to(device);
      targets.mask = torch::stack(pair_mask).unsqueeze(1).to(device);  // [N, 1, M, M]
    }
    torch::Tensor input_ids = torch::tensor(ids, torch::kLong).view({B, -1}).to(device);  // [B, L]
    // Unbiased runs keep randint: the same random stream as before the bias existed, so
    // their checkpoints resume on the batches they would have seen.
    torch::Tensor t =
        (plan.position()             ? noisiest_timesteps(T, o.position_portion, B, gen)
         : plan.shape()              ? timestep_band(T, o.shape_band_from, o.shape_band_to, B, gen)
         : o.timestep_bias == "none" ? torch::randint(0, T, {B}, gen, torch::kLong)
                                     : torch::multinomial(t_weights, B, /*replacement=*/true, gen))
            .to(device);  // [B]
    // Offset noise: a random per-sample, per-channel constant hides the latents' mean in
    // x_t, so that the model takes colours from the caption, not from the noise.
    torch::Tensor noise = (torch::randn(latents.sizes(), gen) +
                           o.offset_noise * torch::randn({B, latents.size(1), 1, 1}, gen)).to(device);
    torch::Tensor a = alphas.index_select(0, t).view({B, 1, 1, 1}).to(torch::kFloat32);
    torch::Tensor noisy = a.sqrt() * latents + (1 - a).sqrt() * noise;

    torch::Tensor pred;
    {
      AutocastScope autocast(bf16, device.type());
      torch::Tensor context = te->forward(input_ids);     // [B, L, D]
      pred = unet->forward(noisy, t, context).to(torch::kFloat32);  // [B, 4, h, w]
    }
    torch::Tensor target = diffusion_target(prediction, latents, noise, a);
    torch::Tensor error = (pred - target).pow(2);  // [B, 4, h, w]
    if (object_weight > 0 || edge_weight > 0) {
      error = error * object_loss_weights(batch.masks.repeat({o.noise_draws, 1, 1, 1}).to(device),
                                          object_weight, edge_weight);
    }
    torch::Tensor per_sample = error.mean({1, 2, 3});  // [B]
    if (o.snr_gamma > 0) per_sample = per_sample * min_snr_weight(prediction, a.view({B}), o.snr_gamma);
    torch::Tensor loss = per_sample.mean();
    if (grounding) {
      if (grounding_weight > 0) {
        torch::Tensor g = grounding_loss(grounding->probabilities(), targets);
        // The progress reports the general steps' grounding; position steps' is their own.
        (plan.position() ? position_grounding_avg : grounding_avg) += g.item<double>();
        ++(plan.position() ? position_window : grounding_window);
        loss = loss + grounding_weight * g;
        if (o.grounding_pixel > 0)
          loss =
              loss + o.grounding_pixel * grounding_pixel_loss(grounding->probabilities(), targets);
      }
      grounding->clear();
    }
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();
    ema.update();

    loss_avg += per_sample.mean().item<double>();
    ++window;
    const bool save = (step + 1) % o.save_every == 0 || step + 1 == total;
    if (save) save_checkpoint(o.checkpoint, modules, &opt, &ema, step + 1);
    if (progress && (window == 20 || save)) {
      const auto now = Clock::now();
      Progress p;
      p.step = step + 1;
      p.total = total;
      p.loss = loss_avg / window;
      p.seconds_per_step = std::chrono::duration<double>(now - last).count() / window;
      p.metric = data_wait / window / std::max(1e-9, p.seconds_per_step);  // share of time waiting for data
      if (grounding_window > 0) p.grounding = grounding_avg / grounding_window;
      if (position_window > 0) p.position_grounding = position_grounding_avg / position_window;
      progress(p);
      last = now;
      loss_avg = data_wait = grounding_avg = position_grounding_avg = 0;
      window = grounding_window = position_window = 0;
    }
  }
  if (!o.weights_out.empty()) save_checkpoint(o.weights_out, modules, nullptr, &ema, step);
}

}  // namespace hd::train
