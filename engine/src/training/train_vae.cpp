// VAE training: L1 reconstruction + a small KL term, on random crops of procedural scenes.
#include <chrono>
#include <cmath>

#include <torch/torch.h>

#include "common/error.h"
#include "io/png_file.h"
#include "training/checkpoint.h"
#include "training/model_factory.h"
#include "training/scene_batches.h"
#include "training/step_budget.h"
#include "training/trainers.h"

namespace hd::train {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: crop offsets from the step number
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {  // inputs in [-1, 1]
  const double mse = torch::mse_loss((a.clamp(-1, 1) + 1) / 2, (b + 1) / 2).item<double>();
  return 10.0 * std::log10(1.0 / std::max(mse, 1e-12));
}

}  // namespace

double learning_rate(int64_t step, int64_t total, double lr, int64_t warmup, double final_fraction) {
  if (step < warmup) return lr * static_cast<double>(step + 1) / warmup;
  const double progress = std::min(1.0, static_cast<double>(step - warmup) / std::max<int64_t>(1, total - warmup));
  return lr * (final_fraction + (1 - final_fraction) * 0.5 * (1 + std::cos(M_PI * progress)));
}

void train_vae(const VaeOptions& o, const ProgressFn& progress) {
  torch::manual_seed(1);
  const torch::Device device = training_device(o.device);
  AutoencoderKL vae = make_vae(o.config_dir);
  vae->to(device);
  vae->train();
  NamedModules modules = {{"vae", vae.get()}};
  std::vector<torch::Tensor> params = vae->parameters();
  if (o.decoder_only) {
    if (load_checkpoint(o.init, modules, nullptr, nullptr, device) < 0) {
      fail(o.init.string(), ": no VAE checkpoint to fine-tune");
    }
    for (auto& p : vae->encoder->parameters()) p.set_requires_grad(false);
    if (vae->quant_conv) for (auto& p : vae->quant_conv->parameters()) p.set_requires_grad(false);
    params = vae->decoder->parameters();
    if (vae->post_quant_conv) for (auto& p : vae->post_quant_conv->parameters()) params.push_back(p);
  }
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(o.lr).weight_decay(0.0));
  int64_t step = std::max<int64_t>(0, load_checkpoint(o.checkpoint, modules, &opt, nullptr, device));
  BatchPrefetcher data(o.seed_base, o.batch, o.image_size);
  StepBudget budget(step, o.steps, o.time_budget);
  auto last = std::chrono::steady_clock::now();
  double loss_avg = 0, psnr_avg = 0;
  int window = 0;
  for (int64_t total = budget.at(step); step < total; total = budget.at(++step)) {
    for (auto& group : opt.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(learning_rate(step, total, o.lr));
    }
    SceneBatch batch = data.get(step);
    torch::Tensor x = batch.images(device);  // [B, 3, S, S]
    if (o.crop > 0 && o.crop < o.image_size) {
      const uint64_t r = mix(step);
      const int64_t range = o.image_size - o.crop;
      const int64_t y0 = static_cast<int64_t>(r % (range / 4 + 1)) * 4;  // multiples of 4 (the VAE factor)
      const int64_t x0 = static_cast<int64_t>((r >> 32) % (range / 4 + 1)) * 4;
      x = x.slice(2, y0, y0 + o.crop).slice(3, x0, x0 + o.crop).contiguous();
    }
    torch::Tensor recon, loss;
    if (o.decoder_only) {
      torch::Tensor z;
      {
        torch::NoGradGuard no_grad;
        z = vae->encode(x).mean;
      }
      recon = vae->decode(z);
      // L1 + MSE: MSE weighs the large errors that PSNR measures.
      loss = torch::l1_loss(recon, x) + torch::mse_loss(recon, x);
    } else {
      auto posterior = vae->encode(x);
      torch::Tensor z = posterior.mean + torch::exp(0.5 * posterior.logvar) * torch::randn_like(posterior.mean);
      recon = vae->decode(z);
      torch::Tensor kl = 0.5 * (posterior.mean.pow(2) + posterior.logvar.exp() - 1 - posterior.logvar).mean();
      loss = torch::l1_loss(recon, x) + o.kl_weight * kl;
    }
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();

    loss_avg += loss.item<double>();
    psnr_avg += psnr(recon.detach(), x);
    ++window;
    const bool save = (step + 1) % o.save_every == 0 || step + 1 == total;
    if (save) save_checkpoint(o.checkpoint, modules, &opt, nullptr, step + 1);
    if (progress && (window == 20 || save)) {
      const auto now = std::chrono::steady_clock::now();
      Progress p;
      p.step = step + 1;
      p.total = total;
      p.loss = loss_avg / window;
      p.metric = psnr_avg / window;
      p.seconds_per_step = std::chrono::duration<double>(now - last).count() / window;
      progress(p);
      last = now;
      loss_avg = psnr_avg = 0;
      window = 0;
    }
  }
}

double evaluate_vae(const std::filesystem::path& config_dir, const std::filesystem::path& checkpoint,
                    int count, int image_size, const std::filesystem::path& sheet) {
  torch::NoGradGuard no_grad;
  AutoencoderKL vae = make_vae(config_dir);
  load_vae(vae, checkpoint, torch::kCPU);
  vae->eval();
  double total = 0;
  int n = 0;
  for (int i = 0; i < count; i += 8) {
    SceneBatch b = make_scene_batch(800'000'000ull + i, std::min(8, count - i), image_size, /*held_out=*/true);
    const torch::Tensor images = b.images();  // [B, 3, S, S]
    torch::Tensor recon = vae->decode(vae->encode(images).mean);
    for (int64_t j = 0; j < recon.size(0); ++j, ++n) total += psnr(recon[j], images[j]);
    if (i == 0 && !sheet.empty()) {  // [2 rows of B images] -> HWC uint8
      torch::Tensor rows = torch::cat({torch::cat(images.unbind(0), 2), torch::cat(recon.clamp(-1, 1).unbind(0), 2)}, 1);
      torch::Tensor u8 = ((rows + 1) * 127.5).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
      write_png(sheet, u8.data_ptr<uint8_t>(), static_cast<int>(u8.size(1)),
                static_cast<int>(u8.size(0)), 3);
    }
  }
  return total / n;
}

}  // namespace hd::train
