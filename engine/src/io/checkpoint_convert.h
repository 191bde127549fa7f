// SD v1.x single-file checkpoints (CompVis / LDM key layout) -> diffusers names.
//
// The one place that knows the foreign layout: a table of LDM key prefixes and their
// diffusers names, generated from the configs (levels, layers per level, which levels
// have attention), applied to every key of the file.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/weights.h"
#include "models/unet_2d_condition.h"
#include "models/vae.h"

namespace hd {

struct ConvertedCheckpoint {
  WeightSource unet, vae, text_encoder;
};

// Prefix pairs (LDM, diffusers) for the UNet under "model.diffusion_model." and the VAE
// under "first_stage_model.".
std::vector<std::pair<std::string, std::string>> ldm_unet_prefixes(const UNet2DConditionConfig& c);
std::vector<std::pair<std::string, std::string>> ldm_vae_prefixes(const VaeConfig& c);

// Splits and renames the tensors of an LDM checkpoint. Keys the table does not know
// (EMA copies, optimizer state, ...) are ignored, except under the three model prefixes,
// where an unknown key is an error naming it.
ConvertedCheckpoint convert_ldm_checkpoint(std::shared_ptr<const SafetensorsFile> file,
                                           const UNet2DConditionConfig& unet,
                                           const VaeConfig& vae);

}  // namespace hd
