// How much a trained UNet relies on the words of one class (the scenes' kinds, their colours)
// when it denoises. A held-out scene of one object is noised to a few levels of the schedule;
// the UNet predicts the clean latents once from the scene's caption and once from the same
// caption with the object's kind (or colour) word swapped for another of its class. The
// prediction's squared error on the object's latent pixels grows with the swap by as much as
// the UNet uses that word (not at all: 0). Where word_separation asks whether the text
// encoder tells the words apart, this asks whether the UNet draws them apart.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "pipeline/sd_components.h"

namespace hd::train {

// One noised object scene and the captions to compare.
struct RelianceSample {
  torch::Tensor image;  // [1, 3, H, W] in [-1, 1]
  torch::Tensor mask;   // [1, 1, h, w] at latent resolution, 1 on the object
  torch::Tensor noise;  // [1, C, h, w]
  std::vector<int64_t> timesteps;
  std::vector<std::string> captions;  // the scene's caption first, then the swapped ones
};

// Mean squared error of the UNet's x0 prediction (from the conditional branch alone, no
// guidance) against the image's diffusion latents over the mask's pixels and every channel,
// averaged over the sample's timesteps: one value per caption, in order. The x0 estimate is
// the scheduler's (DDIMScheduler::predict_original_sample: epsilon, sample or v). Fails
// naming an empty mask, a timestep out of range, or a sample without timesteps or captions.
std::vector<double> object_x0_errors(SDComponents& model, const RelianceSample& sample);

struct WordReliance {
  double right = 0;    // mean object x0 error with the scene's caption
  double swapped = 0;  // the same with the word swapped
  // How much worse the prediction gets without the right word: 0 when the UNet ignores it.
  double gain() const { return right > 0 ? swapped / right - 1 : 0; }
};

struct WordRelianceOptions {
  int scenes = 24;                               // held-out scenes of one object
  int swaps = 3;                                 // other words of the class tried per scene
  std::vector<double> levels = {0.5, 0.7, 0.9};  // noise levels: fractions of the schedule
  uint64_t seed = 11;
};

struct WordRelianceReport {
  WordReliance kinds, colours;
};

// `model`: an exported model folder, loaded on the CPU. Deterministic in the options.
WordRelianceReport word_reliance(const std::filesystem::path& model,
                                 const WordRelianceOptions& options = {});

}  // namespace hd::train
