// UNet + text encoder training (diffusers examples/text_to_image semantics): epsilon
// prediction on VAE latents, uniform timesteps, min-SNR weighting, caption dropout for
// classifier-free guidance, EMA weights for export.
#include <chrono>

#include <torch/torch.h>

#include "common/error.h"
#include "io/json_config.h"
#include "schedulers/scheduling_ddim.h"
#include "sparse/sparse_ops.h"
#include "tokenizers/tokenizer.h"
#include "training/checkpoint.h"
#include "training/model_factory.h"
#include "training/scene_batches.h"
#include "training/trainers.h"

namespace hd::train {

void train_unet(const UNetOptions& o, const ProgressFn& progress) {
  torch::manual_seed(2);
  auto tokenizer = load_tokenizer(o.tokenizer_dir);
  AutoencoderKL vae = make_vae(o.config_dir);
  if (load_checkpoint(o.vae_checkpoint, {{"vae", vae.get()}}, nullptr, nullptr) < 0) {
    fail(o.vae_checkpoint.string(), ": no VAE checkpoint (train the VAE first)");
  }
  vae->eval();
  for (auto& p : vae->parameters()) p.set_requires_grad(false);
  const double scale = latent_scaling_factor(vae, 64, o.image_size);

  UNet2DConditionModel unet = make_unet(o.config_dir);
  CLIPTextModel te = make_text_encoder(o.config_dir, tokenizer->vocab_size(), tokenizer->max_length());
  unet->train();
  te->train();
  std::vector<torch::Tensor> params = unet->parameters();
  for (auto& p : te->parameters()) params.push_back(p);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(o.lr).weight_decay(1e-2));
  Ema ema(params, o.ema_decay);
  NamedModules modules = {{"unet", unet.get()}, {"text_encoder", te.get()}};
  int64_t step = std::max<int64_t>(0, load_checkpoint(o.checkpoint, modules, &opt, &ema));
  // Channels-last convolutions: oneDNN's fast layout on CPUs (forward and backward).
  convolutions_to_channels_last(*unet);
  convolutions_to_channels_last(*vae);

  DDIMScheduler schedule(DDIMSchedulerConfig::from_json(
      JsonConfig::load(o.config_dir / "scheduler" / "scheduler_config.json")));
  const torch::Tensor alphas = schedule.alphas_cumprod();  // [T]
  const int64_t T = alphas.size(0);
  BatchPrefetcher data(o.seed_base, o.batch, o.image_size);
  torch::Generator gen = at::detail::createCPUGenerator(o.seed_base);

  auto last = std::chrono::steady_clock::now();
  double loss_avg = 0;
  int window = 0;
  for (; step < o.steps; ++step) {
    gen.set_current_seed(o.seed_base + static_cast<uint64_t>(step));  // resumable stream
    for (auto& group : opt.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(learning_rate(step, o.steps, o.lr));
    }
    SceneBatch batch = data.get(step);
    const int64_t B = batch.images.size(0);
    torch::Tensor latents;
    {
      torch::NoGradGuard no_grad;
      latents = (vae->encode(batch.images.contiguous(kSparseFormat)).mean * scale).contiguous(kSparseFormat);  // [B, 4, h, w]
    }
    torch::Tensor drop = torch::rand({B}, gen);
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < B; ++i) {
      const std::string caption = drop[i].item<double>() < o.cfg_dropout ? "" : batch.captions[i];
      const TokenizedText t = tokenizer->encode(caption);
      ids.insert(ids.end(), t.ids.begin(), t.ids.end());
    }
    torch::Tensor input_ids = torch::tensor(ids, torch::kLong).view({B, -1});  // [B, L]
    torch::Tensor t = torch::randint(0, T, {B}, gen, torch::kLong);
    torch::Tensor noise = torch::randn(latents.sizes(), gen);
    torch::Tensor a = alphas.index_select(0, t).view({B, 1, 1, 1});
    torch::Tensor noisy = a.sqrt() * latents + (1 - a).sqrt() * noise;

    torch::Tensor context = te->forward(input_ids);        // [B, L, D]
    torch::Tensor pred = unet->forward(noisy, t, context);  // [B, 4, h, w]
    torch::Tensor per_sample = (pred - noise).pow(2).mean({1, 2, 3});  // [B]
    if (o.snr_gamma > 0) {
      torch::Tensor snr = a.view({B}) / (1 - a.view({B}));
      per_sample = per_sample * torch::clamp_max(snr, o.snr_gamma) / snr;
    }
    torch::Tensor loss = per_sample.mean();
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();
    ema.update();

    loss_avg += loss.item<double>();
    ++window;
    const bool save = (step + 1) % o.save_every == 0 || step + 1 == o.steps;
    if (save) save_checkpoint(o.checkpoint, modules, opt, &ema, step + 1);
    if (progress && (window == 20 || save)) {
      const auto now = std::chrono::steady_clock::now();
      Progress p;
      p.step = step + 1;
      p.total = o.steps;
      p.loss = loss_avg / window;
      p.metric = scale;
      p.seconds_per_step = std::chrono::duration<double>(now - last).count() / window;
      progress(p);
      last = now;
      loss_avg = 0;
      window = 0;
    }
  }
}

}  // namespace hd::train
