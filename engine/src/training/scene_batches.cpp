#include "training/scene_batches.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/error.h"
#include "data/scene.h"

namespace hd::train {

torch::Tensor SceneBatch::images(torch::Device device) const {
  return rgb.to(device).permute({0, 3, 1, 2}).to(torch::kFloat32).div(127.5).sub(1.0);  // [B, 3, S, S]
}

SceneBatch make_scene_batch(uint64_t first_seed, int batch, int size, bool held_out,
                            int max_objects) {
  SceneBatch out;
  out.rgb = torch::empty({batch, size, size, 3}, torch::kUInt8);  // [B, S, S, 3]
  out.captions.resize(batch);
  out.specs.resize(batch);
  const int m = size / kMaskScale;
  out.masks = torch::zeros({batch, 3, m, m}, torch::kFloat32);  // [B, 3, M, M]
  data::SceneOptions opt;
  opt.size = size;
  opt.split = held_out ? data::Split::kHeldOut : data::Split::kTrain;
  opt.max_objects = max_objects;
  // Checked here, not in the workers: an exception must not escape a std::thread.
  if (max_objects < 1 || max_objects > 3)
    fail("scene batches: ", max_objects, " objects per scene is not in 1..3");
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
        out.specs[i] = scene.spec;
        for (size_t k = 0; k < scene.objects.size() && k < 3; ++k) {
          cv::Mat small, coverage(m, m, CV_32F, out.masks[i][static_cast<int64_t>(k)].data_ptr<float>());
          cv::resize(scene.objects[k].mask, small, {m, m}, 0, 0, cv::INTER_AREA);
          small.convertTo(coverage, CV_32F, 1.0 / 255.0);
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

std::future<SceneBatch> BatchPrefetcher::start(int64_t step) {
  const uint64_t first = base_ + static_cast<uint64_t>(step) * batch_;
  return std::async(std::launch::async, [=, this] {
    return make_scene_batch(first, batch_, size_, false, max_objects_);
  });
}

SceneBatch BatchPrefetcher::get(int64_t step) {
  SceneBatch batch = (pending_step_ == step && pending_.valid()) ? pending_.get() : start(step).get();
  pending_ = start(step + 1);
  pending_step_ = step + 1;
  return batch;
}

}  // namespace hd::train
