// Dense and Highlight Diffusion on the same request and seed, compared: latency per step
// kind, MACs, mask, highlighted words and the highlight image's similarity to the dense one.
// Shared by `hd bench prompts` and `hd eval`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "hd/engine.h"

namespace hd::cli {

struct SideBySide {
  GenerateResult dense, highlight;
  double speedup = 0;    // dense total time / highlight total time
  double mac_ratio = 0;  // highlight UNet MACs / dense UNet MACs
  double full_step_ms = 0, partial_step_ms = 0, dense_step_ms = 0;  // medians
  float mask_area = 1;        // of the refined mask (1 when none was made)
  std::string token;          // the highlighted word(s), space separated
  double psnr = 0, ssim = 0;  // highlight image vs dense image
};

// Runs `request` twice, highlight off then on; throws std::runtime_error naming the prompt.
SideBySide run_side_by_side(Engine& engine, GenerateRequest request);

// The options every side-by-side command takes: model, steps, guidance, seed, limit,
// interval, threshold, threads, device.
std::vector<OptionSpec> side_by_side_options();
// The engine those options describe, with its model loaded (throws on failure).
std::unique_ptr<Engine> load_engine(const Args& args);
// The request for prompt `index` of a file: seed = --seed + index.
GenerateRequest side_by_side_request(const Args& args, const std::string& prompt, size_t index);

double median(std::vector<double> v);
double mean(const std::vector<double>& v);

}  // namespace hd::cli
