// hd inspect: parameters, dtypes and UNet MACs of a model or of a bundled config.
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "hd/engine.h"

namespace hd::cli {
namespace {

const std::vector<OptionSpec>& specs() {
  static const std::vector<OptionSpec> s = {
      {"model", true, false, "diffusers folder or SD v1.x .safetensors", "PATH"},
      {"config", true, false, "a bundled config (e.g. sd-v1-4) or a folder of configs: random weights", "NAME"},
      {"width", true, false, "image width for the MAC count (default: the model's)", "W"},
      {"height", true, false, "image height for the MAC count (default: the model's)", "H"},
      {"help", false, false, "show this help"},
  };
  return s;
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& argv) {
  Args args(specs(), argv);
  if (args.has("help")) {
    std::printf(
        "%s",
        usage("hd inspect", "Print parameter counts, dtypes and UNet MACs.", specs()).c_str());
    return 0;
  }
  if (args.has("model") == args.has("config")) {
    throw std::invalid_argument("give exactly one of --model or --config");
  }
  Engine engine;
  Status st = args.has("model") ? engine.load(*args.get("model")) : engine.load_random(*args.get("config"));
  if (!st.ok()) {
    std::fprintf(stderr, "hd: %s\n", st.message().c_str());
    return 1;
  }
  const ModelInfo& info = engine.info();
  const int width = args.get_int("width", info.default_width);
  const int height = args.get_int("height", info.default_height);
  std::printf("model      %s (%s)\n", info.path.c_str(), info.format.c_str());
  std::printf("tokenizer  %s\n", info.tokenizer.c_str());
  std::string sizes, factors;
  for (int f : info.attention_factors) {
    const int h = info.default_height / info.vae_scale_factor / f,
              w = info.default_width / info.vae_scale_factor / f;
    if (!sizes.empty()) {  // (not `"," + std::string`: GCC 12 warns about it, -Wrestrict)
      sizes += ", ";
      factors += ",";
    }
    sizes += std::to_string(w) + "x" + std::to_string(h);
    factors += std::to_string(f);
  }
  std::printf("maps       cross-attention at %s (--map-factors %s)\n", sizes.c_str(),
              factors.c_str());
  std::printf("%s\n\n", runtime_line().c_str());
  std::printf("%-14s %15s  %s\n", "component", "parameters", "dtype");
  long long total = 0;
  for (const auto& c : info.components) {
    std::printf("%-14s %15s  %s\n", c.name.c_str(), with_commas(c.parameters).c_str(), c.dtype.c_str());
    total += c.parameters;
  }
  std::printf("%-14s %15s\n\n", "total", with_commas(total).c_str());

  Engine::MacReport macs;
  st = engine.unet_macs(width, height, &macs);
  if (!st.ok()) {
    std::fprintf(stderr, "hd: %s\n", st.message().c_str());
    return 1;
  }
  const int f = info.vae_scale_factor;
  std::printf("UNet MACs per evaluation at %dx%d (latents %dx%d, batch 1):\n", width, height,
              width / f, height / f);
  std::printf("  convolutions       %20s\n", with_commas(macs.conv).c_str());
  std::printf("  linear layers      %20s\n", with_commas(macs.linear).c_str());
  std::printf("  attention matmuls  %20s\n", with_commas(macs.attention).c_str());
  std::printf("  total              %20s  (%.1f GMACs; %.1f G without attention matmuls)\n",
              with_commas(macs.total()).c_str(), macs.total() / 1e9,
              (macs.conv + macs.linear) / 1e9);
  std::printf("  per guided step (2 evaluations): %.1f GMACs\n", 2 * macs.total() / 1e9);
  return 0;
}

}  // namespace hd::cli
