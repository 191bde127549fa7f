// Builds the default model's modules from its config folder (resources/configs/hd-shapes).
#pragma once

#include <filesystem>

#include "models/autoencoder_kl.h"
#include "models/clip_text_model.h"
#include "models/unet_2d_condition.h"

namespace hd::train {

AutoencoderKL make_vae(const std::filesystem::path& config_dir);
UNet2DConditionModel make_unet(const std::filesystem::path& config_dir);
// The text encoder's vocab_size is taken from the tokenizer actually trained.
CLIPTextModel make_text_encoder(const std::filesystem::path& config_dir, int vocab_size, int max_length);
// Latent scaling factor: 1 / std of the VAE's posterior means over `count` scenes.
double latent_scaling_factor(AutoencoderKL& vae, int count, int image_size);

}  // namespace hd::train
