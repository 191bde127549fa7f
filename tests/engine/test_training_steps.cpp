// What a training step draws (engine/src/training): scene batches (object masks, object
// counts, crops of single objects), the loss weights of their objects and outlines, the
// timesteps (bias, noisiest portion, band) and the plan of general, position and shape steps.
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "data/scene.h"
#include "training/diffusion_target.h"
#include "training/scene_batches.h"
#include "training/step_plan.h"

namespace hd::train {
namespace {

// Batches carry each object's coverage at the latent resolution, in the spec's order.
TEST(Grounding, SceneBatchesCarryObjectMasks) {
  const SceneBatch b = make_scene_batch(11, 2, 64);
  ASSERT_EQ(b.masks.sizes(), (std::vector<int64_t>{2, 3, 16, 16}));
  for (int i = 0; i < 2; ++i) {
    const data::Scene scene = data::generate_scene(11 + i, [] {
      data::SceneOptions o;
      o.size = 64;
      return o;
    }());
    EXPECT_EQ(b.specs[i], scene.spec);
    for (int k = 0; k < 3; ++k) {
      const double area = k < static_cast<int>(scene.objects.size())
                              ? cv::countNonZero(scene.objects[k].mask) / 4096.0
                              : 0;
      EXPECT_NEAR(b.masks[i][k].mean().item<double>(), area, 0.02) << i << " " << k;
    }
  }
}

// --max-objects: batches limited to two objects never hold a third (its mask stays empty),
// still hold both counts, and the default draws three-object scenes too.
TEST(SceneBatches, MaxObjectsLimitsTheObjectCount) {
  const SceneBatch limited = make_scene_batch(100, 24, 64, /*held_out=*/false, /*max_objects=*/2);
  const SceneBatch full = make_scene_batch(100, 24, 64);
  std::set<size_t> limited_counts, full_counts;
  for (int i = 0; i < 24; ++i) {
    limited_counts.insert(limited.specs[i].objects.size());
    full_counts.insert(full.specs[i].objects.size());
  }
  EXPECT_EQ(limited_counts, (std::set<size_t>{1, 2}));
  EXPECT_EQ(full_counts, (std::set<size_t>{1, 2, 3}));
  EXPECT_EQ(limited.masks.select(1, 2).abs().sum().item<double>(), 0.0);
  EXPECT_THROW(make_scene_batch(100, 1, 64, false, 4), std::exception);
}

// Crops of single objects (the shape steps' --shape-crop): the object whole inside the window
// (its mask covers what it covers in the whole scene), on the latent grid, captioned without
// the position; crops are of single objects, in multiples of 16.
TEST(SceneBatches, CropsHoldTheWholeObject) {
  const SceneBatch whole = make_scene_batch(300, 12, 256, false, 1);
  const SceneBatch crops = make_scene_batch(300, 12, 256, false, 1, /*crop=*/128);
  ASSERT_EQ(crops.rgb.sizes(), (std::vector<int64_t>{12, 128, 128, 3}));
  ASSERT_EQ(crops.masks.sizes(), (std::vector<int64_t>{12, 3, 32, 32}));
  for (int i = 0; i < 12; ++i) {
    const double area = whole.masks[i][0].sum().item<double>();
    EXPECT_GT(area, 4.0) << i;
    EXPECT_NEAR(crops.masks[i][0].sum().item<double>(), area, 1e-3) << i;
    EXPECT_TRUE(crops.specs[i].relation.empty()) << i;
    EXPECT_EQ(crops.specs[i].objects, whole.specs[i].objects) << i;
    EXPECT_NE(crops.captions[i].find(crops.specs[i].objects[0].kind), std::string::npos);
    for (const auto& p : data::positions())
      EXPECT_EQ(crops.captions[i].find(p), std::string::npos) << crops.captions[i];
    // The crop's pixels are a window of the scene's, 4-aligned: find it by its mask.
    bool found = false;
    for (int y = 0; y + 128 <= 256 && !found; y += 4) {
      for (int x = 0; x + 128 <= 256 && !found; x += 4) {
        found = torch::equal(whole.rgb[i].slice(0, y, y + 128).slice(1, x, x + 128), crops.rgb[i]);
      }
    }
    EXPECT_TRUE(found) << i;
  }
  EXPECT_THROW(make_scene_batch(300, 2, 256, false, 2, 128), hd::Error);
  EXPECT_THROW(make_scene_batch(300, 2, 256, false, 1, 120), hd::Error);
  EXPECT_THROW(make_scene_batch(300, 2, 256, false, 1, 512), hd::Error);
}

// Object pixels weigh 1 + w against the background's 1, overlapping masks count once, and
// each sample's weights average to 1 (the loss keeps its scale); a scene without objects
// stays uniform.
TEST(DiffusionTarget, ObjectLossWeightsFavourObjectsAndKeepTheScale) {
  torch::Tensor masks = torch::zeros({2, 3, 4, 4});
  masks[0][0].slice(0, 0, 2).fill_(1.0);  // top half: object 0
  masks[0][1].slice(0, 0, 1).fill_(1.0);  // first row: object 1 too (overlap)
  const torch::Tensor w = object_loss_weights(masks, 2.0);
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{2, 1, 4, 4}));
  // sample 0: 8 pixels at 3, 8 at 1 -> mean 2: 1.5 inside, 0.5 outside
  EXPECT_NEAR(w[0][0][0][0].item<double>(), 1.5, 1e-6);
  EXPECT_NEAR(w[0][0][3][3].item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(w[1].max().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(w[1].min().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(w[0].mean().item<double>(), 1.0, 1e-6);
  EXPECT_THROW(object_loss_weights(masks, -1.0), Error);
  EXPECT_THROW(object_loss_weights(masks[0], 1.0), Error);
}

// The edge weight lands on a ring one latent pixel either side of the outline: inside an
// object's interior and far outside it, only the object weight counts.
TEST(DiffusionTarget, EdgeWeightFavoursTheOutline) {
  torch::Tensor masks = torch::zeros({1, 3, 9, 9});
  masks[0][0].slice(0, 2, 7).slice(1, 2, 7).fill_(1.0);  // a 5x5 square at rows/cols 2..6
  const torch::Tensor w = object_loss_weights(masks, 1.0, 4.0)[0][0];  // [9, 9]
  // Raw weights: 1 two pixels or more outside (rows and columns 0 and 8), 1 + 4 on the ring
  // just outside, 1 + 1 + 4 on the square's own border, 1 + 1 at its 3x3 centre.
  const double far = w[0][0].item<double>();
  EXPECT_NEAR(w[1][4].item<double>() / far, 5.0, 1e-5);  // just outside the top edge
  EXPECT_NEAR(w[2][4].item<double>() / far, 6.0, 1e-5);  // the top edge itself
  EXPECT_NEAR(w[4][4].item<double>() / far, 2.0, 1e-5);  // the centre
  EXPECT_NEAR(w[8][4].item<double>() / far, 1.0, 1e-5);  // two pixels below
  EXPECT_NEAR(w.mean().item<double>(), 1.0, 1e-6);
  // Without an edge weight the outline is not singled out.
  const torch::Tensor plain = object_loss_weights(masks, 1.0)[0][0];
  EXPECT_NEAR(plain[2][4].item<double>(), plain[4][4].item<double>(), 1e-6);
  EXPECT_THROW(object_loss_weights(masks, 1.0, -1.0), Error);
}

// "later" multiplies the noisiest portion of the timesteps, "earlier" the cleanest; weights
// sum to 1 and bad strategies, multipliers and portions are refused.
TEST(DiffusionTarget, TimestepBiasFavoursThePortionAsked) {
  const torch::Tensor later = timestep_weights(1000, "later", 3.0, 0.25);
  EXPECT_NEAR(later.sum().item<double>(), 1.0, 1e-9);
  EXPECT_NEAR(later[999].item<double>() / later[0].item<double>(), 3.0, 1e-9);
  EXPECT_NEAR(later[750].item<double>() / later[749].item<double>(), 3.0, 1e-9);
  EXPECT_NEAR(later.slice(0, 750).sum().item<double>(), 750.0 / 1500.0,
              1e-9);  // 250 x 3 of 750 + 750
  const torch::Tensor earlier = timestep_weights(1000, "earlier", 2.0, 0.5);
  EXPECT_NEAR(earlier[0].item<double>() / earlier[999].item<double>(), 2.0, 1e-9);
  const torch::Tensor none = timestep_weights(10, "none", 5.0, 0.5);
  EXPECT_NEAR(none.max().item<double>(), 0.1, 1e-12);
  EXPECT_NEAR(none.min().item<double>(), 0.1, 1e-12);
  EXPECT_THROW(timestep_weights(1000, "middle", 2.0, 0.25), Error);
  EXPECT_THROW(timestep_weights(1000, "later", 0.0, 0.25), Error);
  EXPECT_THROW(timestep_weights(1000, "later", 2.0, 1.5), Error);
}

// Position steps draw their timesteps from the noisiest portion only, all of it, and refuse
// portions outside (0, 1].
TEST(DiffusionTarget, NoisiestTimestepsStayInThePortion) {
  torch::Generator gen = at::detail::createCPUGenerator(3);
  const torch::Tensor t = noisiest_timesteps(1000, 0.1, 4000, gen);  // [4000]
  EXPECT_EQ(t.scalar_type(), torch::kLong);
  EXPECT_EQ(t.min().item<int64_t>(), 900);
  EXPECT_EQ(t.max().item<int64_t>(), 999);
  EXPECT_EQ(std::get<0>(at::_unique(t)).numel(), 100);
  EXPECT_EQ(noisiest_timesteps(1000, 1e-5, 8, gen).min().item<int64_t>(), 999);  // at least one
  EXPECT_THROW(noisiest_timesteps(1000, 0.0, 8, gen), Error);
  EXPECT_THROW(noisiest_timesteps(1000, 1.5, 8, gen), Error);
}

// Shape steps draw their timesteps from a band of the schedule, all of it and nothing else;
// a band at the noisy end keeps the last timestep; empty or reversed bands are refused.
TEST(DiffusionTarget, TimestepBandStaysInTheBand) {
  torch::Generator gen = at::detail::createCPUGenerator(4);
  const torch::Tensor t = timestep_band(1000, 0.3, 0.8, 20000, gen);  // [20000]
  EXPECT_EQ(t.scalar_type(), torch::kLong);
  EXPECT_EQ(t.min().item<int64_t>(), 300);
  EXPECT_EQ(t.max().item<int64_t>(), 799);
  EXPECT_EQ(std::get<0>(at::_unique(t)).numel(), 500);
  EXPECT_EQ(timestep_band(1000, 0.9999, 1.0, 8, gen).min().item<int64_t>(), 999);
  EXPECT_EQ(timestep_band(1000, 0.0, 1e-5, 8, gen).max().item<int64_t>(), 0);  // at least one
  EXPECT_THROW(timestep_band(1000, 0.5, 0.5, 8, gen), Error);
  EXPECT_THROW(timestep_band(1000, 0.8, 0.3, 8, gen), Error);
  EXPECT_THROW(timestep_band(1000, -0.1, 0.3, 8, gen), Error);
  EXPECT_THROW(timestep_band(1000, 0.3, 1.2, 8, gen), Error);
}

// Every K-th step is a position step; each kind of step reads its own batch stream in order,
// with no gap and no repeat, so that both are prefetched and a resumed run continues them.
TEST(StepPlan, EveryKthStepIsAPositionStepAndStreamsAreConsecutive) {
  for (int64_t step = 0; step < 10; ++step) {
    EXPECT_EQ(plan_step(step, 0).kind, StepKind::kGeneral);
    EXPECT_EQ(plan_step(step, 0).batch, step);  // off: the stream of runs before the option
  }
  const int every = 4;
  std::vector<int64_t> general, position;
  for (int64_t step = 0; step < 400; ++step) {
    const StepPlan plan = plan_step(step, every);
    EXPECT_EQ(plan.position(), step % every == every - 1) << step;
    EXPECT_FALSE(plan.shape());
    (plan.position() ? position : general).push_back(plan.batch);
  }
  ASSERT_EQ(position.size(), 100u);
  ASSERT_EQ(general.size(), 300u);
  for (size_t i = 0; i < position.size(); ++i) EXPECT_EQ(position[i], static_cast<int64_t>(i));
  for (size_t i = 0; i < general.size(); ++i) EXPECT_EQ(general[i], static_cast<int64_t>(i));
}

// Shape steps fall on every K-th step that is not a position step; with position steps
// every 4 and shape steps every 3, of 1,200 steps 300 train positions, 300 shapes (400 less
// the 100 that fall on both) and 600 are general, each stream read in order without a gap.
// Shape steps alone leave the position-step plan as it was.
TEST(StepPlan, ShapeStepsYieldToPositionStepsAndKeepTheirOwnStream) {
  std::vector<int64_t> general, position, shape;
  for (int64_t step = 0; step < 1200; ++step) {
    const StepPlan plan = plan_step(step, 4, 3);
    const bool on_position = (step + 1) % 4 == 0, on_shape = (step + 1) % 3 == 0;
    EXPECT_EQ(plan.position(), on_position) << step;
    EXPECT_EQ(plan.shape(), on_shape && !on_position) << step;
    (plan.position() ? position : plan.shape() ? shape : general).push_back(plan.batch);
  }
  ASSERT_EQ(position.size(), 300u);
  ASSERT_EQ(shape.size(), 300u);
  ASSERT_EQ(general.size(), 600u);
  for (size_t i = 0; i < position.size(); ++i) EXPECT_EQ(position[i], static_cast<int64_t>(i));
  for (size_t i = 0; i < shape.size(); ++i) EXPECT_EQ(shape[i], static_cast<int64_t>(i));
  for (size_t i = 0; i < general.size(); ++i) EXPECT_EQ(general[i], static_cast<int64_t>(i));
  for (int64_t step = 0; step < 100; ++step) {  // shape steps only: every 5th, batches 0, 1, ...
    const StepPlan plan = plan_step(step, 0, 5);
    EXPECT_EQ(plan.shape(), step % 5 == 4) << step;
    EXPECT_EQ(plan.batch, plan.shape() ? step / 5 : step - step / 5);
  }
}

}  // namespace
}  // namespace hd::train
