// Text-to-image with classifier-free guidance and DDIM (diffusers
// pipelines/stable_diffusion/pipeline_stable_diffusion.py), emitting per-step events.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <torch/types.h>

#include "hd/engine.h"
#include "pipeline/sd_components.h"

namespace hd {

// The noise prediction of one step: latents [B, C, h, w] at `timestep` with text context
// [B, S, D] -> [B, C, h, w]. The default calls the UNet; the highlight engine replaces it.
using NoisePredictor = std::function<torch::Tensor(const torch::Tensor& latents, int64_t timestep,
                                                   const torch::Tensor& context, int step)>;

class StableDiffusionPipeline {
 public:
  StableDiffusionPipeline(std::shared_ptr<SDComponents> components, torch::Device device);
  ~StableDiffusionPipeline();

  // [1, max_length, hidden] for one prompt; fills `tokens` when given.
  torch::Tensor encode_prompt(const std::string& prompt, TokenizedText* tokens = nullptr);
  // torch.randn(shape, generator=torch.Generator().manual_seed(seed)) on the CPU, then moved.
  torch::Tensor prepare_latents(torch::Generator& generator, int height, int width);
  // latents [B, C, h, w] -> image [B, 3, H, W] in [0, 1].
  torch::Tensor decode_latents(const torch::Tensor& latents);

  // Runs the whole generation. Throws hd::Error on bad requests; returns with
  // result->step_ms shorter than the steps when cancelled (see `cancelled`).
  void run(const GenerateRequest& request, GenerateResult* result, const StepCallback& on_step,
           const std::atomic<bool>& cancel_flag, bool* cancelled,
           const NoisePredictor& predictor = {});

  static Image to_image(const torch::Tensor& image);  // [1, 3, H, W] in [0, 1]

 private:
  std::shared_ptr<SDComponents> sd_;
  torch::Device device_;
  std::unique_ptr<class LatentPreview> preview_;  // fitted on first use
};

}  // namespace hd
