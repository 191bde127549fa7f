// The parts of a Stable Diffusion model, loaded and ready on one device.
#pragma once

#include <memory>
#include <string>

#include "hd/engine.h"
#include "models/autoencoder_kl.h"
#include "models/clip_text_model.h"
#include "models/unet_2d_condition.h"
#include "schedulers/noise_schedule.h"
#include "tokenizers/tokenizer.h"

namespace hd {

struct SDComponents {
  UNet2DConditionModel unet{nullptr};
  CLIPTextModel text_encoder{nullptr};
  AutoencoderKL vae{nullptr};
  std::shared_ptr<const Tokenizer> tokenizer;
  DDIMSchedulerConfig scheduler;
  ModelInfo info;
};

}  // namespace hd
