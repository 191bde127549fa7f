#include "training/scene_batches.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/error.h"
#include "data/rng.h"
#include "data/scene.h"

namespace hd::train {

torch::Tensor SceneBatch::images(torch::Device device) const {
  return rgb.to(device).permute({0, 3, 1, 2}).to(torch::kFloat32).div(127.5).sub(1.0);  // [B, 3, S, S]
}

namespace {

// The top-left corner (x, y) of a side x side window of a size x size image that holds `box`,
// on the grid of `step` pixels, at a random place among those that do.
cv::Point crop_origin(const cv::Rect& box, int size, int side, int step, uint64_t seed) {
  data::Rng rng(data::derive_seed(seed, 0xC409));
  auto pick = [&](int lo_px, int hi_px, int fallback) {
    const int lo = (std::max(0, lo_px) + step - 1) / step;  // in steps, rounded inwards
    const int hi = std::min(hi_px, size - side) / step;
    if (lo > hi) return std::clamp(fallback, 0, size - side) / step * step;  // box wider than side
    return (lo + rng.below(hi - lo + 1)) * step;
  };
  const int x = pick(box.x + box.width - side, box.x, box.x + (box.width - side) / 2);
  const int y = pick(box.y + box.height - side, box.y, box.y + (box.height - side) / 2);
  return {x, y};
}

}  // namespace

SceneBatch make_scene_batch(uint64_t first_seed, int batch, int size, bool held_out,
                            int max_objects, int crop) {
  if (crop != 0 && (crop < 16 || crop % 16 != 0 || crop > size))
    fail("scene batches: crop ", crop, " is not a multiple of 16 in [16, ", size, "]");
  if (crop != 0 && max_objects != 1)
    fail("scene batches: crops are of single objects, not of up to ", max_objects);
  const int side = crop ? crop : size;
  SceneBatch out;
  out.rgb = torch::empty({batch, side, side, 3}, torch::kUInt8);  // [B, S, S, 3]
  out.captions.resize(batch);
  out.specs.resize(batch);
  const int m = side / kMaskScale;
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
        cv::Rect window(0, 0, size, size);
        if (crop) {
          window =
              cv::Rect(crop_origin(scene.objects[0].bbox, size, crop, kMaskScale, first_seed + i),
                       cv::Size(crop, crop));
          scene.spec.relation.clear();
          scene.caption = data::caption_for(scene.spec, data::derive_seed(first_seed + i, 0xCA9C));
        }
        cv::Mat pixels(side, side, CV_8UC3, out.rgb[i].data_ptr<uint8_t>());
        scene.rgb(window).copyTo(pixels);
        out.captions[i] = scene.caption;
        out.specs[i] = scene.spec;
        for (size_t k = 0; k < scene.objects.size() && k < 3; ++k) {
          cv::Mat small, coverage(m, m, CV_32F, out.masks[i][static_cast<int64_t>(k)].data_ptr<float>());
          cv::resize(scene.objects[k].mask(window), small, {m, m}, 0, 0, cv::INTER_AREA);
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
    return make_scene_batch(first, batch_, size_, false, max_objects_, crop_);
  });
}

SceneBatch BatchPrefetcher::get(int64_t step) {
  SceneBatch batch = (pending_step_ == step && pending_.valid()) ? pending_.get() : start(step).get();
  pending_ = start(step + 1);
  pending_step_ = step + 1;
  return batch;
}

}  // namespace hd::train
