// What the UNet learns to predict, and how the timesteps are weighted (diffusers'
// examples/text_to_image semantics).
#pragma once

#include <string>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace hd::train {

// The regression target for x_t = sqrt(ab) x0 + sqrt(1 - ab) noise: `noise` for epsilon
// prediction, v = sqrt(ab) noise - sqrt(1 - ab) x0 for v_prediction (SD 2), which stays well
// posed at zero terminal SNR (ab = 0), where epsilon-prediction cannot recover x0.
// x0, noise: [B, C, H, W]; alphas_cumprod: [B, 1, 1, 1].
torch::Tensor diffusion_target(const std::string& prediction, const torch::Tensor& x0,
                               const torch::Tensor& noise, const torch::Tensor& alphas_cumprod);

// Min-SNR loss weights (Hang et al. 2023), capping the weight of nearly clean timesteps at
// gamma: epsilon min(snr, g) / snr; v min(snr + 1, g) / (snr + 1) -- the plain v loss at high
// noise (the paper's min(snr, g) / (snr + 1) would give a zero-terminal-SNR schedule's pure
// noise steps no weight at all). alphas_cumprod: [B] -> [B].
torch::Tensor min_snr_weight(const std::string& prediction, const torch::Tensor& alphas_cumprod,
                             double gamma);

// Per-pixel loss weights that favour the objects over the background: 1 + w inside any
// object's mask (soft coverage at latent resolution), normalised so that each sample's
// weights average to 1 and the loss keeps its scale. Textured backgrounds (water, grass,
// clouds) otherwise dominate the error of scenes whose objects cover a few percent of the
// image. `edge` adds weight on the objects' outlines: the band where the union of the masks,
// dilated by one latent pixel, differs from it eroded by one (about two latent pixels wide,
// inside and outside), which is what tells a star from a disc of the same colour and area.
// masks: [B, K, h, w] in 0..1 -> [B, 1, h, w].
torch::Tensor object_loss_weights(const torch::Tensor& masks, double w, double edge = 0.0);

// Sampling weights of the training timesteps (diffusers' --timestep_bias_strategy): "none"
// (uniform), "later" (the noisiest `portion` of the T timesteps weigh `multiplier`, the rest
// 1) or "earlier" (the cleanest `portion`). Layout and object presence are decided at the
// noisiest steps, where a model that already draws shapes from a half-noised scene may still
// fail to start them from pure noise. -> [T], summing to 1.
torch::Tensor timestep_weights(int64_t num_timesteps, const std::string& strategy, double multiplier,
                               double portion);

// `count` timesteps drawn uniformly from the noisiest `portion` of the T timesteps (at least
// one): T - n .. T - 1 with n = round(portion * T). -> [count] int64.
torch::Tensor noisiest_timesteps(int64_t num_timesteps, double portion, int64_t count,
                                 const torch::Generator& generator);

// `count` timesteps drawn uniformly from a band of the schedule: from round(from * T) to
// round(to * T) - 1, with 0 <= from < to <= 1 (0 the cleanest timestep, 1 past the noisiest),
// at least one timestep wide. -> [count] int64.
torch::Tensor timestep_band(int64_t num_timesteps, double from, double to, int64_t count,
                            const torch::Generator& generator);

}  // namespace hd::train
