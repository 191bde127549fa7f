// Batches of procedural scenes for training, drawn from deterministic seeds so that a
// resumed run sees the same data stream.
#pragma once

#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include <torch/types.h>

namespace hd::train {

struct SceneBatch {
  torch::Tensor images;               // [B, 3, S, S] float32 in [-1, 1]
  std::vector<std::string> captions;  // B captions
};

// Scenes of the training split with seeds first_seed .. first_seed + batch - 1.
SceneBatch make_scene_batch(uint64_t first_seed, int batch, int size, bool held_out = false);

// Produces batch `step` in the background while the caller trains on the previous one.
class BatchPrefetcher {
 public:
  BatchPrefetcher(uint64_t seed_base, int batch, int size) : base_(seed_base), batch_(batch), size_(size) {}
  SceneBatch get(int64_t step);

 private:
  std::future<SceneBatch> start(int64_t step);
  uint64_t base_;
  int batch_, size_;
  int64_t pending_step_ = -1;
  std::future<SceneBatch> pending_;
};

// Converts an RGB 8-bit HxWx3 buffer to [3, H, W] in [-1, 1].
torch::Tensor rgb_to_tensor(const uint8_t* rgb, int height, int width);

}  // namespace hd::train
