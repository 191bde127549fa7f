#include "training/model_factory.h"

#include <torch/torch.h>

#include "io/json_config.h"
#include "training/scene_batches.h"
#include "training/trainers.h"

namespace hd::train {
namespace fs = std::filesystem;

void set_threads(int threads) { at::set_num_threads(threads); }

AutoencoderKL make_vae(const fs::path& dir) {
  return AutoencoderKL(vae_config_from_json(JsonConfig::load(dir / "vae" / "config.json")));
}

UNet2DConditionModel make_unet(const fs::path& dir) {
  return UNet2DConditionModel(UNet2DConditionConfig::from_json(JsonConfig::load(dir / "unet" / "config.json")));
}

CLIPTextModel make_text_encoder(const fs::path& dir, int vocab_size, int max_length) {
  ClipTextConfig c = ClipTextConfig::from_json(JsonConfig::load(dir / "text_encoder" / "config.json"));
  c.vocab_size = vocab_size;
  c.max_position_embeddings = max_length;
  return CLIPTextModel(c);
}

double latent_scaling_factor(AutoencoderKL& vae, int count, int image_size) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> means;
  for (int i = 0; i < count; i += 8) {
    SceneBatch b = make_scene_batch(900'000'000ull + i, 8, image_size);
    means.push_back(vae->encode(b.images).mean);
  }
  return 1.0 / torch::cat(means).std().item<double>();
}

}  // namespace hd::train
