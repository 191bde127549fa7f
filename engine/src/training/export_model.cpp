// Writes the trained default model as a diffusers folder with fp16 safetensors weights.
#include <fstream>

#include <torch/torch.h>

#include "common/error.h"
#include "io/json_config.h"
#include "io/safetensors.h"
#include "tokenizers/tokenizer.h"
#include "training/checkpoint.h"
#include "training/model_factory.h"
#include "training/trainers.h"

namespace hd::train {
namespace fs = std::filesystem;
namespace {

void write_weights_fp16(torch::nn::Module& module, const fs::path& file) {
  SafetensorsWriter w;
  auto add = [&](const std::string& name, const torch::Tensor& value) {
    torch::Tensor h = value.detach().to(torch::kCPU, torch::kFloat16).contiguous();
    w.add(name, DType::kF16, h.sizes().vec(), h.data_ptr(), static_cast<size_t>(h.numel()) * 2);
  };
  for (const auto& p : module.named_parameters()) add(p.key(), p.value());
  for (const auto& b : module.named_buffers()) add(b.key(), b.value());
  w.set_metadata("format", "pt");
  fs::create_directories(file.parent_path());
  w.write(file);
}

void write_json(const nlohmann::json& j, const fs::path& file) {
  fs::create_directories(file.parent_path());
  const fs::path tmp = file.string() + ".tmp";
  std::ofstream(tmp) << j.dump(2) << "\n";
  fs::rename(tmp, file);
}

}  // namespace

void export_model(const ExportOptions& o) {
  torch::NoGradGuard no_grad;
  auto tokenizer = load_tokenizer(o.tokenizer_dir);
  AutoencoderKL vae = make_vae(o.config_dir);
  load_vae(vae, o.vae_checkpoint, torch::kCPU);
  vae->eval();
  UNet2DConditionModel unet = make_unet(o.config_dir);
  CLIPTextModel te = make_text_encoder(o.config_dir, tokenizer->vocab_size(), tokenizer->max_length());
  std::vector<torch::Tensor> params = unet->parameters();
  for (auto& p : te->parameters()) params.push_back(p);
  Ema ema(params, 0.999);
  if (load_checkpoint(o.unet_checkpoint, {{"unet", unet.get()}, {"text_encoder", te.get()}}, nullptr, &ema) < 0) {
    fail(o.unet_checkpoint.string(), ": no UNet checkpoint");
  }
  if (o.use_ema) ema.copy_to_params();  // export the averaged weights
  const LatentStats stats = latent_statistics(vae, 64, 256);

  fs::create_directories(o.out);
  write_weights_fp16(*unet, o.out / "unet" / "diffusion_pytorch_model.safetensors");
  write_weights_fp16(*vae, o.out / "vae" / "diffusion_pytorch_model.safetensors");
  write_weights_fp16(*te, o.out / "text_encoder" / "model.safetensors");

  nlohmann::json vae_cfg = JsonConfig::load(o.config_dir / "vae" / "config.json").raw();
  vae_cfg["scaling_factor"] = 1.0;
  vae_cfg["latents_mean"] = stats.mean;
  vae_cfg["latents_std"] = stats.std;
  write_json(vae_cfg, o.out / "vae" / "config.json");
  write_json(JsonConfig::load(o.config_dir / "unet" / "config.json").raw(), o.out / "unet" / "config.json");
  nlohmann::json te_cfg = JsonConfig::load(o.config_dir / "text_encoder" / "config.json").raw();
  te_cfg["vocab_size"] = tokenizer->vocab_size();
  te_cfg["max_position_embeddings"] = tokenizer->max_length();
  te_cfg["torch_dtype"] = "float16";
  write_json(te_cfg, o.out / "text_encoder" / "config.json");
  write_json(JsonConfig::load(o.config_dir / "scheduler" / "scheduler_config.json").raw(),
             o.out / "scheduler" / "scheduler_config.json");
  write_json(JsonConfig::load(o.config_dir / "model_index.json").raw(), o.out / "model_index.json");
  fs::create_directories(o.out / "tokenizer");
  for (const auto& entry : fs::directory_iterator(o.tokenizer_dir)) {
    fs::copy_file(entry.path(), o.out / "tokenizer" / entry.path().filename(), fs::copy_options::overwrite_existing);
  }
}

}  // namespace hd::train
