// Builds the default model's modules from its config folder (resources/configs/hd-shapes).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "models/autoencoder_kl.h"
#include "models/clip_text_model.h"
#include "models/unet_2d_condition.h"

namespace hd::train {

// Resolves "cpu" / "cuda" (the first GPU), failing clearly when CUDA is not available, and
// on CUDA allows TF32 matrix products and cuDNN autotuning (training only).
torch::Device training_device(const std::string& name);

AutoencoderKL make_vae(const std::filesystem::path& config_dir);
// Loads a trained VAE from `source`: a train_vae checkpoint, an exported model folder (its
// vae/) or a vae/ folder itself, so that a UNet can be fine-tuned on the shipped model's
// latent space without the checkpoint it was exported from. Fails naming `source`.
void load_vae(AutoencoderKL& vae, const std::filesystem::path& source, torch::Device device);
UNet2DConditionModel make_unet(const std::filesystem::path& config_dir);
// The text encoder's vocab_size is taken from the tokenizer actually trained.
CLIPTextModel make_text_encoder(const std::filesystem::path& config_dir, int vocab_size, int max_length);
// Per-channel mean and std of the VAE's posterior means over `count` fixed training scenes.
// The UNet is trained on (z - mean) / std, and the export writes them as the VAE config's
// latents_mean / latents_std with scaling_factor 1. Centring matters here: the scenes' flat
// backgrounds give latents a large per-channel offset (about 1.2 std), which SD's schedule
// (terminal SNR above zero) leaks into x_T during training but pure noise lacks at sampling.
struct LatentStats {
  std::vector<double> mean, std;
};
LatentStats latent_statistics(AutoencoderKL& vae, int count, int image_size);

}  // namespace hd::train
