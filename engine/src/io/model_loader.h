// Loading Stable Diffusion models: diffusers folders, SD v1.x single-file checkpoints
// (CompVis layout) and bundled configs with random weights.
#pragma once

#include <filesystem>

#include <torch/types.h>

#include "io/weights.h"
#include "pipeline/sd_components.h"

namespace hd {

// <dir>/model_index.json (optional), unet/, text_encoder/, tokenizer/, vae/, scheduler/.
SDComponents load_diffusers_folder(const std::filesystem::path& dir, torch::Device device);

// A CompVis-layout .safetensors (model.diffusion_model.*, first_stage_model.*,
// cond_stage_model.transformer.*), described by the configs of `config_dir` (a diffusers
// folder without weights is enough).
SDComponents load_single_file(const std::filesystem::path& file,
                              const std::filesystem::path& config_dir, torch::Device device);

// The architecture of `config_dir` with random weights drawn from `seed`.
SDComponents load_random(const std::filesystem::path& config_dir, uint64_t seed,
                         torch::Device device);

// One component folder (config.json + weights) each; `report` receives what was loaded.
UNet2DConditionModel load_unet(const std::filesystem::path& dir, LoadReport* report = nullptr);
CLIPTextModel load_text_encoder(const std::filesystem::path& dir, LoadReport* report = nullptr);
AutoencoderKL load_vae(const std::filesystem::path& dir, LoadReport* report = nullptr);

// Resolves "sd-v1-4" to <resources>/configs/sd-v1-4; a path is returned unchanged.
std::filesystem::path resolve_config_dir(const std::string& name_or_dir);

}  // namespace hd
