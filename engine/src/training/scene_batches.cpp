#include "training/scene_batches.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include <torch/torch.h>

#include "data/scene.h"

namespace hd::train {

torch::Tensor SceneBatch::images(torch::Device device) const {
  return rgb.to(device).permute({0, 3, 1, 2}).to(torch::kFloat32).div(127.5).sub(1.0);  // [B, 3, S, S]
}

SceneBatch make_scene_batch(uint64_t first_seed, int batch, int size, bool held_out) {
  SceneBatch out;
  out.rgb = torch::empty({batch, size, size, 3}, torch::kUInt8);  // [B, S, S, 3]
  out.captions.resize(batch);
  data::SceneOptions opt;
  opt.size = size;
  opt.split = held_out ? data::Split::kHeldOut : data::Split::kTrain;
  // Scenes are independent (one seed each): draw them on every core, so that a GPU trainer
  // is not starved. Plain threads, not libtorch's pool, which the training step is using.
  const int workers = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, batch);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (int i = w; i < batch; i += workers) {
        data::Scene scene = data::generate_scene(first_seed + i, opt);
        std::memcpy(out.rgb[i].data_ptr<uint8_t>(), scene.rgb.data, static_cast<size_t>(size) * size * 3);
        out.captions[i] = scene.caption;
      }
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

std::future<SceneBatch> BatchPrefetcher::start(int64_t step) {
  const uint64_t first = base_ + static_cast<uint64_t>(step) * batch_;
  return std::async(std::launch::async, [=, this] { return make_scene_batch(first, batch_, size_); });
}

SceneBatch BatchPrefetcher::get(int64_t step) {
  SceneBatch batch = (pending_step_ == step && pending_.valid()) ? pending_.get() : start(step).get();
  pending_ = start(step + 1);
  pending_step_ = step + 1;
  return batch;
}

}  // namespace hd::train
