#include "io/model_loader.h"

#include <set>
#include <string>

#include <torch/torch.h>

#include "common/error.h"
#include "common/resources.h"
#include "io/checkpoint_convert.h"
#include "io/json_config.h"
#include "io/weights.h"

namespace hd {
namespace fs = std::filesystem;

namespace {

JsonConfig component_config(const fs::path& dir, const char* component) {
  const fs::path folder = dir / component;
  if (!fs::is_directory(folder)) fail(dir.string(), ": component folder '", component, "/' is missing");
  return JsonConfig::load(folder / "config.json");
}

JsonConfig scheduler_config(const fs::path& dir) {
  const fs::path folder = dir / "scheduler";
  if (fs::exists(folder / "scheduler_config.json")) return JsonConfig::load(folder / "scheduler_config.json");
  if (fs::exists(folder / "config.json")) return JsonConfig::load(folder / "config.json");
  fail(folder.string(), ": scheduler_config.json is missing");
}

std::shared_ptr<const Tokenizer> tokenizer_for(const fs::path& dir) {
  if (fs::is_directory(dir / "tokenizer")) return load_tokenizer(dir / "tokenizer");
  // Config folders (e.g. the bundled sd-v1-4) may rely on the bundled CLIP vocabulary.
  return load_tokenizer(fs::path(resource_dir()) / "tokenizers" / "clip-vit-large-patch14");
}

void check_model_index(const fs::path& dir) {
  const fs::path index = dir / "model_index.json";
  if (!fs::exists(index)) return;  // optional: the component folders are what matters
  JsonConfig c = JsonConfig::load(index);
  const std::string cls = c.get_string("_class_name", "StableDiffusionPipeline");
  if (cls.find("StableDiffusionXL") != std::string::npos || cls.find("Flux") != std::string::npos ||
      cls.find("StableDiffusion3") != std::string::npos) {
    fail(index.string(), ": _class_name '", cls, "' is not supported (Stable Diffusion 1.x/2.x only)");
  }
}

void check_text_encoder_arch(const JsonConfig& text_cfg) {
  const std::string arch = text_cfg.get_string_list("architectures", {"CLIPTextModel"}).front();
  if (arch != "CLIPTextModel") {
    fail(text_cfg.origin(), ": architecture '", arch, "' is not supported (CLIPTextModel only)");
  }
}

// Tokenizer, scheduler and model info of `dir`, around modules already in `sd`.
void complete(SDComponents& sd, const fs::path& dir) {
  sd.scheduler = DDIMSchedulerConfig::from_json(scheduler_config(dir));
  sd.tokenizer = tokenizer_for(dir);
  const auto& u = sd.unet->config();
  if (u.cross_attention_dim.front() != sd.text_encoder->config().hidden_size) {
    fail(dir.string(), ": unet cross_attention_dim ", u.cross_attention_dim.front(),
         " does not match the text encoder's hidden_size ", sd.text_encoder->config().hidden_size);
  }
  if (u.in_channels != sd.vae->config().latent_channels) {
    fail(dir.string(), ": unet in_channels ", u.in_channels, " does not match the VAE's latent_channels ",
         sd.vae->config().latent_channels);
  }
  ModelInfo& info = sd.info;
  info.path = dir.string();
  info.vae_scale_factor = static_cast<int>(sd.vae->scale_factor());
  info.latent_channels = static_cast<int>(u.in_channels);
  info.default_width = info.default_height = static_cast<int>(u.sample_size) * info.vae_scale_factor;
  info.tokenizer = sd.tokenizer->name();
  info.max_tokens = sd.tokenizer->max_length();
  // Down block i works at latent / 2^i, the mid block at the deepest level, up block j at
  // latent / 2^(n-1-j).
  std::set<int> factors;
  const int n = static_cast<int>(u.down_block_types.size());
  auto cross = [](const std::string& type) { return type.find("CrossAttn") != std::string::npos; };
  for (int i = 0; i < n; ++i) {
    if (cross(u.down_block_types[i])) factors.insert(1 << i);
  }
  if (cross(u.mid_block_type)) factors.insert(1 << (n - 1));
  for (int j = 0; j < static_cast<int>(u.up_block_types.size()) && j < n; ++j) {
    if (cross(u.up_block_types[j])) factors.insert(1 << (n - 1 - j));
  }
  info.attention_factors.assign(factors.begin(), factors.end());
}

// The modules of `dir`'s configs, randomly initialised.
SDComponents build(const fs::path& dir) {
  SDComponents sd;
  JsonConfig text_cfg = component_config(dir, "text_encoder");
  check_text_encoder_arch(text_cfg);
  sd.unet = UNet2DConditionModel(UNet2DConditionConfig::from_json(component_config(dir, "unet")));
  sd.text_encoder = CLIPTextModel(ClipTextConfig::from_json(text_cfg));
  sd.vae = AutoencoderKL(vae_config_from_json(component_config(dir, "vae")));
  complete(sd, dir);
  return sd;
}

int64_t count_parameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

void finish(SDComponents& sd, torch::Device device, const std::string& unet_dtype,
            const std::string& text_dtype, const std::string& vae_dtype) {
  sd.info.components = {{"unet", count_parameters(*sd.unet), unet_dtype},
                        {"text_encoder", count_parameters(*sd.text_encoder), text_dtype},
                        {"vae", count_parameters(*sd.vae), vae_dtype}};
  for (torch::nn::Module* m : std::initializer_list<torch::nn::Module*>{sd.unet.get(), sd.text_encoder.get(), sd.vae.get()}) {
    m->to(device);
    m->eval();
  }
}

// transformers >= 5 saves CLIPTextModel weights without the "text_model." prefix that
// earlier versions (and every SD release) use; accept both.
WeightSource text_encoder_weights(const fs::path& dir) {
  WeightSource w = open_component_weights(dir, "model");
  return w.any_key_starts_with("text_model.") ? w : w.with_prefix("text_model.");
}

const std::set<std::string> kTextEncoderExtras = {"text_model.embeddings.position_ids"};

}  // namespace

fs::path resolve_config_dir(const std::string& name_or_dir) {
  if (fs::is_directory(name_or_dir)) return name_or_dir;
  const fs::path bundled = fs::path(resource_dir()) / "configs" / name_or_dir;
  if (fs::is_directory(bundled)) return bundled;
  fail("config '", name_or_dir, "' is neither a folder nor a bundled config (looked in ",
       (fs::path(resource_dir()) / "configs").string(), ")");
}

UNet2DConditionModel load_unet(const fs::path& dir, LoadReport* report) {
  UNet2DConditionModel unet(UNet2DConditionConfig::from_json(JsonConfig::load(dir / "config.json")));
  LoadReport r = load_weights(*unet, open_component_weights(dir, "diffusion_pytorch_model"), "unet");
  if (report) *report = r;
  unet->eval();
  return unet;
}

CLIPTextModel load_text_encoder(const fs::path& dir, LoadReport* report) {
  CLIPTextModel te(ClipTextConfig::from_json(JsonConfig::load(dir / "config.json")));
  LoadReport r = load_weights(*te, text_encoder_weights(dir), "text_encoder", kTextEncoderExtras);
  if (report) *report = r;
  te->eval();
  return te;
}

AutoencoderKL load_vae(const fs::path& dir, LoadReport* report) {
  AutoencoderKL vae(vae_config_from_json(JsonConfig::load(dir / "config.json")));
  LoadReport r = load_weights(*vae, open_component_weights(dir, "diffusion_pytorch_model"), "vae");
  if (report) *report = r;
  vae->eval();
  return vae;
}

SDComponents load_diffusers_folder(const fs::path& dir, torch::Device device) {
  if (!fs::exists(dir)) fail(dir.string(), ": no such file or folder");
  if (!fs::is_directory(dir)) fail(dir.string(), ": not a folder");
  check_model_index(dir);
  for (const char* component : {"unet", "text_encoder", "vae"}) component_config(dir, component);
  check_text_encoder_arch(component_config(dir, "text_encoder"));
  SDComponents sd;
  LoadReport u, t, v;
  sd.unet = load_unet(dir / "unet", &u);
  sd.text_encoder = load_text_encoder(dir / "text_encoder", &t);
  sd.vae = load_vae(dir / "vae", &v);
  complete(sd, dir);
  sd.info.format = "diffusers";
  finish(sd, device, u.dtype, t.dtype, v.dtype);
  return sd;
}

SDComponents load_single_file(const fs::path& file, const fs::path& config_dir, torch::Device device) {
  if (!fs::exists(file)) fail(file.string(), ": no such file");
  if (file.extension() != ".safetensors") {
    fail(file.string(), ": only .safetensors single-file checkpoints are supported (.ckpt files are "
         "pickles that can run code when loaded)");
  }
  SDComponents sd = build(config_dir);
  auto st = std::make_shared<SafetensorsFile>(SafetensorsFile::open(file));
  ConvertedCheckpoint ck = convert_ldm_checkpoint(st, sd.unet->config(), sd.vae->config());
  LoadReport u = load_weights(*sd.unet, ck.unet, "unet");
  LoadReport t = load_weights(*sd.text_encoder, ck.text_encoder, "text_encoder", kTextEncoderExtras);
  LoadReport v = load_weights(*sd.vae, ck.vae, "vae");
  sd.info.path = file.string();
  sd.info.format = "single-file";
  finish(sd, device, u.dtype, t.dtype, v.dtype);
  return sd;
}

SDComponents load_random(const fs::path& config_dir, uint64_t seed, torch::Device device) {
  torch::manual_seed(seed);
  SDComponents sd = build(config_dir);
  sd.info.format = "config";
  finish(sd, device, "random", "random", "random");
  return sd;
}

}  // namespace hd
