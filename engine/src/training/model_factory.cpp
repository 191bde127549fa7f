#include "training/model_factory.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/host_memory.h"
#include "io/json_config.h"
#include "io/weights.h"
#include "training/checkpoint.h"
#include "training/scene_batches.h"
#include "training/trainers.h"

namespace hd::train {
namespace fs = std::filesystem;

void set_threads(int threads) {
  at::set_num_threads(threads);
  keep_freed_host_memory();  // as the Engine does: training steps reuse their activations
}

torch::Device training_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name != "cuda") fail("--device: '", name, "' is neither cpu nor cuda");
  if (!torch::cuda::is_available()) fail("--device cuda: this libtorch sees no CUDA GPU");
  at::globalContext().setFloat32MatmulPrecision("high");  // TF32 tensor cores
  at::globalContext().setBenchmarkCuDNN(true);
  return torch::Device(torch::kCUDA, 0);
}

AutoencoderKL make_vae(const fs::path& dir) {
  return AutoencoderKL(vae_config_from_json(JsonConfig::load(dir / "vae" / "config.json")));
}

void load_vae(AutoencoderKL& vae, const fs::path& source, torch::Device device) {
  if (!fs::is_directory(source)) {
    if (load_checkpoint(source, {{"vae", vae.get()}}, nullptr, nullptr, device) < 0) {
      fail(source.string(), ": no VAE checkpoint and no model folder (train the VAE first)");
    }
    return;
  }
  const fs::path dir = fs::is_directory(source / "vae") ? source / "vae" : source;
  torch::NoGradGuard no_grad;
  load_weights(*vae, open_component_weights(dir, "diffusion_pytorch_model"), "vae");
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

LatentStats latent_statistics(AutoencoderKL& vae, int count, int image_size) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> means;
  for (int i = 0; i < count; i += 8) {
    SceneBatch b = make_scene_batch(900'000'000ull + i, 8, image_size);
    means.push_back(vae->encode(b.images(vae->parameters().front().device())).mean);
  }
  torch::Tensor z = torch::cat(means).to(torch::kCPU, torch::kFloat64);  // [N, C, h, w]
  torch::Tensor per_channel = z.transpose(0, 1).reshape({z.size(1), -1});  // [C, N*h*w]
  torch::Tensor mean = per_channel.mean(1), std = per_channel.std(1);
  LatentStats s;
  s.mean.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
  s.std.assign(std.data_ptr<double>(), std.data_ptr<double>() + std.numel());
  return s;
}

}  // namespace hd::train
