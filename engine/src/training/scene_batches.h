// Batches of procedural scenes for training, drawn from deterministic seeds so that a
// resumed run sees the same data stream.
#pragma once

#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include <torch/types.h>

#include "data/scene.h"

namespace hd::train {

// Ground-truth object masks travel at the latent resolution (1/4 of the image side).
inline constexpr int kMaskScale = 4;

struct SceneBatch {
  torch::Tensor rgb;                  // [B, S, S, 3] uint8: a quarter of float32's bytes to copy
  std::vector<std::string> captions;  // B captions
  std::vector<data::SceneSpec> specs; // B specs: the objects, in the order the captions name them
  torch::Tensor masks;                // [B, 3, S/4, S/4] float32: each object's visible coverage
                                      // (0..1), zeros where a scene has fewer objects

  // The images as the models take them: float32 [B, 3, S, S] in [-1, 1], on `device`
  // (converted there, after the 8-bit copy).
  torch::Tensor images(torch::Device device = torch::kCPU) const;
};

// Scenes of the training split with seeds first_seed .. first_seed + batch - 1, each with
// one to `max_objects` objects (at most 3; held-out scenes have at most 2).
//
// `crop` > 0 (a multiple of 16, at most `size`; single objects only): each scene is cut to a
// crop x crop window that holds its whole object, at a random place (from the seed) on the
// latent grid, and captioned without the position its crop no longer shows ("a red heart on
// grass"). The object keeps its size in pixels, so a model learns its outline from a
// quarter of the pixels at crop = size / 2.
SceneBatch make_scene_batch(uint64_t first_seed, int batch, int size, bool held_out = false,
                            int max_objects = 3, int crop = 0);

// Produces batch `step` in the background while the caller trains on the previous one.
class BatchPrefetcher {
 public:
  BatchPrefetcher(uint64_t seed_base, int batch, int size, int max_objects = 3, int crop = 0)
      : base_(seed_base), batch_(batch), size_(size), max_objects_(max_objects), crop_(crop) {}
  SceneBatch get(int64_t step);

 private:
  std::future<SceneBatch> start(int64_t step);
  uint64_t base_;
  int batch_, size_, max_objects_, crop_;
  int64_t pending_step_ = -1;
  std::future<SceneBatch> pending_;
};

}  // namespace hd::train
