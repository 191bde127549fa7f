#include "io/checkpoint_convert.h"

#include <algorithm>

#include "common/error.h"

namespace hd {
namespace {

using Prefixes = std::vector<std::pair<std::string, std::string>>;

void add_unet_resnet(Prefixes& t, const std::string& ldm, const std::string& dif) {
  t.emplace_back(ldm + "in_layers.0.", dif + "norm1.");
  t.emplace_back(ldm + "in_layers.2.", dif + "conv1.");
  t.emplace_back(ldm + "emb_layers.1.", dif + "time_emb_proj.");
  t.emplace_back(ldm + "out_layers.0.", dif + "norm2.");
  t.emplace_back(ldm + "out_layers.3.", dif + "conv2.");
  t.emplace_back(ldm + "skip_connection.", dif + "conv_shortcut.");
}

void add_vae_resnet(Prefixes& t, const std::string& ldm, const std::string& dif) {
  for (const char* name : {"norm1.", "conv1.", "norm2.", "conv2."}) t.emplace_back(ldm + name, dif + name);
  t.emplace_back(ldm + "nin_shortcut.", dif + "conv_shortcut.");
}

void add_vae_mid(Prefixes& t, const std::string& ldm, const std::string& dif) {
  add_vae_resnet(t, ldm + "mid.block_1.", dif + "mid_block.resnets.0.");
  add_vae_resnet(t, ldm + "mid.block_2.", dif + "mid_block.resnets.1.");
  const std::string a = ldm + "mid.attn_1.", d = dif + "mid_block.attentions.0.";
  t.emplace_back(a + "norm.", d + "group_norm.");
  t.emplace_back(a + "q.", d + "to_q.");
  t.emplace_back(a + "k.", d + "to_k.");
  t.emplace_back(a + "v.", d + "to_v.");
  t.emplace_back(a + "proj_out.", d + "to_out.0.");
}

bool has_attention(const std::string& type) { return type.rfind("CrossAttn", 0) == 0; }

}  // namespace

std::vector<std::pair<std::string, std::string>> ldm_unet_prefixes(const UNet2DConditionConfig& c) {
  Prefixes t;
  t.emplace_back("time_embed.0.", "time_embedding.linear_1.");
  t.emplace_back("time_embed.2.", "time_embedding.linear_2.");
  t.emplace_back("input_blocks.0.0.", "conv_in.");
  t.emplace_back("out.0.", "conv_norm_out.");
  t.emplace_back("out.2.", "conv_out.");
  const size_t n = c.block_out_channels.size();
  int idx = 1;
  for (size_t l = 0; l < n; ++l) {
    for (int64_t j = 0; j < c.layers_per_block[l]; ++j, ++idx) {
      const std::string ldm = str("input_blocks.", idx, ".");
      const std::string dif = str("down_blocks.", l, ".");
      add_unet_resnet(t, ldm + "0.", str(dif, "resnets.", j, "."));
      if (has_attention(c.down_block_types[l])) t.emplace_back(ldm + "1.", str(dif, "attentions.", j, "."));
    }
    if (l + 1 < n) {
      t.emplace_back(str("input_blocks.", idx, ".0.op."), str("down_blocks.", l, ".downsamplers.0.conv."));
      ++idx;
    }
  }
  add_unet_resnet(t, "middle_block.0.", "mid_block.resnets.0.");
  t.emplace_back("middle_block.1.", "mid_block.attentions.0.");
  add_unet_resnet(t, "middle_block.2.", "mid_block.resnets.1.");
  idx = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t level = n - 1 - i;
    const int64_t num = c.layers_per_block[level] + 1;
    const bool attn = has_attention(c.up_block_types[i]);
    for (int64_t j = 0; j < num; ++j, ++idx) {
      const std::string ldm = str("output_blocks.", idx, ".");
      const std::string dif = str("up_blocks.", i, ".");
      add_unet_resnet(t, ldm + "0.", str(dif, "resnets.", j, "."));
      if (attn) t.emplace_back(ldm + "1.", str(dif, "attentions.", j, "."));
      if (i + 1 < n && j == num - 1) {
        t.emplace_back(str(ldm, attn ? 2 : 1, ".conv."), dif + "upsamplers.0.conv.");
      }
    }
  }
  return t;
}

std::vector<std::pair<std::string, std::string>> ldm_vae_prefixes(const VaeConfig& c) {
  Prefixes t;
  const size_t n = c.block_out_channels.size();
  for (const char* part : {"encoder.", "decoder."}) {
    const std::string p = part;
    t.emplace_back(p + "conv_in.", p + "conv_in.");
    t.emplace_back(p + "conv_out.", p + "conv_out.");
    t.emplace_back(p + "norm_out.", p + "conv_norm_out.");
    add_vae_mid(t, p, p);
  }
  for (size_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < c.layers_per_block; ++j) {
      add_vae_resnet(t, str("encoder.down.", i, ".block.", j, "."), str("encoder.down_blocks.", i, ".resnets.", j, "."));
    }
    t.emplace_back(str("encoder.down.", i, ".downsample.conv."), str("encoder.down_blocks.", i, ".downsamplers.0.conv."));
    const size_t level = n - 1 - i;
    for (int64_t j = 0; j < c.layers_per_block + 1; ++j) {
      add_vae_resnet(t, str("decoder.up.", level, ".block.", j, "."), str("decoder.up_blocks.", i, ".resnets.", j, "."));
    }
    t.emplace_back(str("decoder.up.", level, ".upsample.conv."), str("decoder.up_blocks.", i, ".upsamplers.0.conv."));
  }
  t.emplace_back("quant_conv.", "quant_conv.");
  t.emplace_back("post_quant_conv.", "post_quant_conv.");
  return t;
}

namespace {

// Renames `key` by the longest LDM prefix that matches; empty if none does.
std::string rename(const Prefixes& table, const std::string& key) {
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& entry : table) {
    if (key.compare(0, entry.first.size(), entry.first) == 0 &&
        (!best || entry.first.size() > best->first.size())) {
      best = &entry;
    }
  }
  return best ? best->second + key.substr(best->first.size()) : std::string();
}

}  // namespace

ConvertedCheckpoint convert_ldm_checkpoint(std::shared_ptr<const SafetensorsFile> file,
                                           const UNet2DConditionConfig& unet_config,
                                           const VaeConfig& vae_config) {
  const Prefixes unet_table = ldm_unet_prefixes(unet_config);
  const Prefixes vae_table = ldm_vae_prefixes(vae_config);
  const std::string unet_p = "model.diffusion_model.", vae_p = "first_stage_model.";
  const std::string text_p = "cond_stage_model.transformer.";
  ConvertedCheckpoint out;
  for (const TensorView& view : file->tensors()) {
    const std::string& key = view.name;
    WeightSource::Entry entry{&view, file, false};
    auto starts = [&](const std::string& p) { return key.compare(0, p.size(), p) == 0; };
    if (starts(unet_p)) {
      const std::string name = rename(unet_table, key.substr(unet_p.size()));
      if (name.empty()) fail(file->path().string(), ": LDM UNet key ", key, " has no diffusers name for this config");
      out.unet.add(name, entry);
    } else if (starts(vae_p)) {
      const std::string name = rename(vae_table, key.substr(vae_p.size()));
      if (name.empty()) fail(file->path().string(), ": LDM VAE key ", key, " has no diffusers name for this config");
      // LDM's VAE attention stores 1x1 conv weights [C, C, 1, 1] for diffusers' Linear [C, C].
      entry.squeeze_to_target = name.find("mid_block.attentions.") != std::string::npos;
      out.vae.add(name, entry);
    } else if (starts(text_p)) {
      std::string rest = key.substr(text_p.size());
      if (rest.rfind("text_model.", 0) != 0) rest = "text_model." + rest;  // older transformers
      out.text_encoder.add(rest, entry);
    }
  }
  if (out.unet.empty()) fail(file->path().string(), ": no tensors under '", unet_p, "': not an SD v1.x single-file checkpoint");
  if (out.vae.empty()) fail(file->path().string(), ": no tensors under '", vae_p, "': the checkpoint has no VAE");
  if (out.text_encoder.empty()) {
    fail(file->path().string(), ": no tensors under '", text_p,
         "': the text encoder is missing (SD 2.x OpenCLIP checkpoints are not supported)");
  }
  return out;
}

}  // namespace hd
