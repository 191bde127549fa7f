// Highlight Diffusion's decisions: the step plan, noun candidates from WordNet, token
// selection and mask refinement, and the whole method through the public API.
#include "hd/engine.h"
#include "highlight/attention_report.h"
#include "highlight/attention_store.h"
#include "highlight/nouns.h"
#include "highlight/step_plan.h"
#include "pipeline/cached_prediction.h"
#include "sparse/tile_geometry.h"
#include "torch_test_util.h"

namespace hd {
namespace {

// The paper's reference point: 50 steps, collection at 20%, interval 5 -> 19 full steps
// (0..10, 15, 20, ..., 45, 49) and 31 partial ones.
TEST(StepPlan, PaperScheduleHas19FullAnd31PartialSteps) {
  StepPlan p = make_step_plan(50, HighlightOptions{});
  EXPECT_EQ(p.collect_step, 10);
  EXPECT_EQ(p.full_steps(), 19);
  EXPECT_EQ(p.partial_steps(), 31);
  for (int i : {0, 10, 15, 20, 45, 49}) EXPECT_EQ(p.modes[i], StepMode::kFull) << i;
  for (int i : {11, 14, 16, 48}) EXPECT_EQ(p.modes[i], StepMode::kPartial) << i;
  EXPECT_TRUE(p.capture[10]);
  EXPECT_FALSE(p.capture[15]);
  // Only full steps that partial steps follow keep caches (10, 15, ..., 45); the warm-up steps
  // and the last run the plain dense UNet.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(p.keeps_cache[i], i >= 10 && i <= 45 && i % 5 == 0) << i;
}

// The public count of the plan: the paper's schedule runs 11 plain dense steps (0..9, 49), 8
// full steps keeping caches and 31 partial steps; with highlight off, all 50 are dense.
TEST(StepPlan, CountsDenseFullAndPartialSteps) {
  const StepCounts c = count_steps(50, HighlightOptions{});
  EXPECT_EQ(c.dense, 11);
  EXPECT_EQ(c.full, 8);
  EXPECT_EQ(c.partial, 31);
  HighlightOptions off;
  off.enabled = false;
  EXPECT_EQ(count_steps(50, off).dense, 50);
  HighlightOptions bad;
  bad.interval = 0;
  EXPECT_THROW(count_steps(50, bad), Error);
}

// Refreshing the mask captures maps again at every later full step but the last.
TEST(StepPlan, RefreshCapturesAtFullSteps) {
  HighlightOptions o;
  o.refresh_mask = true;
  StepPlan p = make_step_plan(50, o);
  EXPECT_TRUE(p.capture[15]);
  EXPECT_TRUE(p.capture[45]);
  EXPECT_FALSE(p.capture[49]);
  EXPECT_FALSE(p.capture[12]);
}

// Disabled highlight, or too few steps, is an all-dense plan; a bad interval is an error.
TEST(StepPlan, DenseWhenDisabledAndErrorsOnBadOptions) {
  HighlightOptions off;
  off.enabled = false;
  EXPECT_EQ(make_step_plan(50, off).partial_steps(), 0);
  EXPECT_EQ(make_step_plan(2, HighlightOptions{}).partial_steps(), 0);
  HighlightOptions bad;
  bad.interval = 0;
  EXPECT_THROW(make_step_plan(50, bad), Error);
}

// The heads of noun phrases are candidates; adjectives, colours used as modifiers,
// prepositions and articles are not.
TEST(Nouns, HeadsOfNounPhrases) {
  const std::vector<std::string> words = {"a", "small", "red", "star", "above", "a", "blue", "house",
                                          "on", "a", "sandy", "background"};
  const std::vector<bool> c = noun_candidates(words);
  std::vector<std::string> picked;
  for (size_t i = 0; i < words.size(); ++i) {
    if (c[i]) picked.push_back(words[i]);
  }
  EXPECT_EQ(picked, (std::vector<std::string>{"star", "house", "background"}));
  EXPECT_TRUE(wordnet_has_noun("circles"));  // plural reduced to "circle"
  EXPECT_FALSE(wordnet_has_noun("sandy"));
  EXPECT_EQ(noun_candidates({"the", ",", "quickly"}), (std::vector<bool>{false, false, false}));
}

// A synthetic report: token maps of 16x16, a compact blob for "star", diffuse maps elsewhere.
AttentionReport synthetic_report() {
  TokenizedText t;
  t.words = {"a", "red", "star", "above", "a", "house"};
  t.tokens = {"<s>", "a", "red", "star", "above", "a", "house", "</s>"};
  t.word_index = {-1, 0, 1, 2, 3, 4, 5, -1};
  t.ids.assign(8, 0);
  t.num_kept_tokens = 6;
  torch::Tensor maps = torch::full({8, 16, 16}, 0.01f);
  maps[3].slice(0, 4, 8).slice(1, 4, 8) = 0.5f;    // "star": compact, high variance
  maps[3][14][14] = 0.5f;                           // plus a one-pixel speck
  maps[6].slice(0, 0, 16).slice(1, 8, 16) = 0.1f;   // "house": wide, larger sum, lower variance
  return make_attention_report(maps, t, 10);
}

// The noun with the highest variance is highlighted, with the reason stated; its mask keeps
// the blob and drops the speck smaller than min_area.
TEST(AttentionReport, VarianceSelectsCompactNounAndRefinementDropsSpecks) {
  AttentionReport r = synthetic_report();
  ASSERT_EQ(r.tokens.size(), 8u);
  EXPECT_TRUE(r.tokens[3].candidate);
  EXPECT_TRUE(r.tokens[6].candidate);
  EXPECT_FALSE(r.tokens[2].candidate);  // "red" modifies "star"
  HighlightOptions o;
  o.min_area = 0.01f;  // 2.56 pixels of 256: the speck (1 px) goes, the blob (16 px) stays
  select_and_mask(r, o);
  EXPECT_TRUE(r.tokens[3].selected);
  EXPECT_NE(r.reason.find("star"), std::string::npos);
  EXPECT_NE(r.reason.find("variance"), std::string::npos);
  EXPECT_EQ(std::count(r.mask.raw.data.begin(), r.mask.raw.data.end(), 255), 17);
  EXPECT_EQ(std::count(r.mask.refined.data.begin(), r.mask.refined.data.end(), 255), 16);
  EXPECT_FLOAT_EQ(r.mask.area, 16.0f / 256.0f);
}

// Sum prefers the wide map; user words override the statistic; an absent word is an error
// that lists the prompt's words.
TEST(AttentionReport, StatisticAndUserChoice) {
  AttentionReport r = synthetic_report();
  HighlightOptions o;
  o.statistic = TokenStatistic::kSum;
  select_and_mask(r, o);
  EXPECT_TRUE(r.tokens[6].selected);
  o.tokens = {"HOUSE"};
  o.statistic = TokenStatistic::kVariance;
  select_and_mask(r, o);
  EXPECT_TRUE(r.tokens[6].selected);
  EXPECT_FALSE(r.tokens[3].selected);
  EXPECT_EQ(r.reason, "chosen by the user");
  o.tokens = {"tree"};
  try {
    select_and_mask(r, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'tree' is not in the prompt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("house"), std::string::npos) << e.what();
  }
}

// Block grids: a tile is active exactly when the mask touches it, at every level.
TEST(TileGeometry, ActiveTilesCoverTheMask) {
  ByteMask m;
  m.width = m.height = 32;
  m.data.assign(1024, 0);
  m.data[5 * 32 + 9] = 255;  // one pixel at (y 5, x 9)
  SparseGeometry g = make_sparse_geometry(m, 3);
  ASSERT_EQ(g.levels.size(), 3u);
  EXPECT_EQ(g.levels[0].count(), 1);
  EXPECT_EQ(g.levels[0].ys[0], 4);
  EXPECT_EQ(g.levels[0].xs[0], 8);
  EXPECT_EQ(g.levels[0].block, 4);    // 32x32: tiles of 4
  EXPECT_EQ(g.levels[1].height, 16);  // 16x16: tiles of 2, pixel (2, 4) -> tile (2, 4)
  EXPECT_EQ(g.levels[1].block, 2);
  EXPECT_EQ(g.levels[1].ys[0], 2);
  EXPECT_EQ(g.levels[1].xs[0], 4);
  EXPECT_EQ(g.levels[2].block, 2);    // 8x8: tiles of 2
  EXPECT_EQ(g.levels[0].active_pixels(), 16);
  EXPECT_EQ(g.levels[1].active_pixels(), 4);
  EXPECT_EQ(g.total_tiles(), 64 + 64 + 16);
}

// The store keeps only the layers whose maps are the latent downsampled by a factor asked
// for, and says which factors the UNet has when none of them was asked.
TEST(AttentionStore, KeepsTheMapFactorsAsked) {
  const torch::Tensor fine = torch::full({1, 64, 2}, 0.5f);  // [heads, 8*8, S]
  torch::manual_seed(3);
  const torch::Tensor coarse = torch::rand({1, 16, 2});  // [heads, 4*4, S]
  AttentionStore all(8, 8), half(8, 8, {2}), none(8, 8, {8});
  for (AttentionStore* s : {&all, &half, &none}) {
    s->add(fine, 8, 8);
    s->add(coarse, 4, 4);
  }
  EXPECT_EQ(all.layers(), 2);
  ASSERT_EQ(half.layers(), 1);
  EXPECT_FALSE(half.accepts(8));
  EXPECT_TRUE(half.accepts(4));
  // A latent that is no multiple of the factors: 65 -> 33 -> 17 are levels 1, 2 and 4.
  AttentionStore odd(65, 65, {2});
  EXPECT_FALSE(odd.accepts(65));
  EXPECT_TRUE(odd.accepts(33));
  EXPECT_FALSE(odd.accepts(17));
  const torch::Tensor up =
      torch::nn::functional::interpolate(coarse[0].transpose(0, 1).reshape({1, 2, 4, 4}),
                                         torch::nn::functional::InterpolateFuncOptions()
                                             .size(std::vector<int64_t>{8, 8})
                                             .mode(torch::kBilinear)
                                             .align_corners(false))[0];
  EXPECT_TRUE(torch::allclose(half.maps(), up, 0, 1e-6));
  EXPECT_TRUE(torch::allclose(all.maps(), (up + 0.5f) / 2, 0, 1e-6));
  try {
    none.maps();
    ADD_FAILURE() << "maps from no layer";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("factor(s) 8; this UNet's are at 1, 2"), std::string::npos)
        << e.what();
  }
}

// Through the public API: the collection step carries the maps and the mask, the steps follow
// the plan, partial steps cost fewer MACs, and remask re-thresholds without running the model.
// Runs `req`, keeping every step's event.
Status generate_with_events(Engine& engine, const GenerateRequest& req, GenerateResult* result,
                            std::vector<StepEvent>* events) {
  return engine.generate(req, result, [events](const StepEvent& e) {
    events->push_back(e);
    return true;
  });
}

// Where a partial step keeps the last full step, a v-prediction model's cached output is
// re-expressed at the current timestep: if the model's clean-sample and noise estimates hold,
// the kept pixels are exactly the v the model would give now; recomputed pixels are left as
// they are; an epsilon model's cached output (its noise estimate) is kept unchanged.
TEST(CachedPrediction, KeepsTheFullStepsEstimatesNotItsOutput) {
  torch::manual_seed(0);
  const torch::Tensor x0 = torch::randn({1, 4, 6, 8}), eps = torch::randn({1, 4, 6, 8});
  auto v_at = [&](double ab) { return std::sqrt(ab) * eps - std::sqrt(1 - ab) * x0; };
  auto x_at = [&](double ab) { return std::sqrt(ab) * x0 + std::sqrt(1 - ab) * eps; };
  const double full = 0.05, now = 0.3;  // alpha_bar at the full step and at the partial step
  torch::Tensor region = torch::zeros({6, 8}, torch::kBool);
  region.slice(0, 2, 4).slice(1, 0, 3).fill_(true);
  const torch::Tensor fresh = torch::randn({1, 4, 6, 8});  // what the partial step computed

  CachedPrediction v("v_prediction");
  ASSERT_TRUE(v.active());
  EXPECT_TRUE(torch::equal(v.at(fresh, region, now), fresh));  // nothing remembered yet
  v.remember(x_at(full), v_at(full), full);
  const torch::Tensor out = v.at(fresh, region, now);
  const torch::Tensor inside = region.view({1, 1, 6, 8}).expand({1, 4, 6, 8});
  EXPECT_TRUE(torch::equal(out.masked_select(inside), fresh.masked_select(inside)));
  EXPECT_LT(test::max_abs_diff(out.masked_select(~inside), v_at(now).masked_select(~inside)), 1e-5);
  // The raw cached output would be off by far more.
  EXPECT_GT(test::max_abs_diff(v_at(full), v_at(now)), 0.5);
  // At the full step's own timestep, the cached output itself.
  EXPECT_LT(test::max_abs_diff(v.at(fresh, region, full).masked_select(~inside),
                               v_at(full).masked_select(~inside)),
            1e-5);

  CachedPrediction e("epsilon");
  EXPECT_FALSE(e.active());
  e.remember(x_at(full), eps, full);
  EXPECT_TRUE(torch::equal(e.at(fresh, region, now), fresh));
}

// Wired into the pipeline: on the embedded (v-prediction) model, consecutive partial steps keep
// the last full step's clean-sample estimate outside the active tiles, so their previews (a
// per-pixel projection of that estimate) agree there, while the tiles' pixels move on. Keeping
// the raw v output instead moves the estimate at every step.
TEST(HighlightPipeline, VPredictionPartialStepsKeepTheEstimateOutsideTheTiles) {
  Engine engine;
  ASSERT_TRUE(engine.load(HD_SOURCE_DIR "/resources/models/hd-shapes").ok());
  GenerateRequest req;
  req.prompt = "a large red star on a plain cream background, on the right";
  req.steps = 12;
  req.seed = 3;
  req.previews = true;
  std::vector<StepEvent> events;
  GenerateResult result;
  Status st = generate_with_events(engine, req, &result, &events);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_TRUE(result.attention);
  const BlockGridLevel& g = result.attention->mask.grids.front();  // latent resolution
  ASSERT_GT(g.active_count, 0);
  ASSERT_LT(g.active_count, g.tiles_x * g.tiles_y);
  int pairs = 0;
  for (size_t i = 1; i < events.size(); ++i) {
    if (events[i - 1].mode != StepMode::kPartial || events[i].mode != StepMode::kPartial) continue;
    const Image& a = *events[i - 1].preview;
    const Image& b = *events[i].preview;
    ASSERT_EQ(a.width, g.width);
    int outside_changed = 0, inside_changed = 0;
    for (int y = 0; y < a.height; ++y) {
      for (int x = 0; x < a.width; ++x) {
        const bool active = g.active[(y / g.block) * g.tiles_x + x / g.block] != 0;
        bool changed = false;
        for (int c = 0; c < 3; ++c) {
          const size_t k = (static_cast<size_t>(y) * a.width + x) * 3 + c;
          changed = changed || std::abs(a.rgb[k] - b.rgb[k]) > 1;  // one level of rounding
        }
        (active ? inside_changed : outside_changed) += changed;
      }
    }
    EXPECT_EQ(outside_changed, 0) << "steps " << i - 1 << ", " << i;
    EXPECT_GT(inside_changed, 0) << "steps " << i - 1 << ", " << i;
    ++pairs;
  }
  EXPECT_GT(pairs, 0);
}

TEST(HighlightPipeline, EventsCarryMapsMaskAndModes) {
  Engine engine;
  ASSERT_TRUE(engine.load((test::data_dir() / "pipeline_a").string()).ok());
  GenerateRequest req;
  req.prompt = "a red star above a blue house";
  req.steps = 12;
  req.seed = 5;
  req.previews = true;
  std::vector<StepEvent> events;
  GenerateResult result;
  Status st = generate_with_events(engine, req, &result, &events);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(events.size(), 12u);
  const StepPlan plan = make_step_plan(12, req.highlight);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].mode, plan.modes[i]) << i;
    ASSERT_TRUE(events[i].preview) << i;
    EXPECT_EQ(events[i].preview->width, 16);
    if (events[i].mode == StepMode::kPartial) {
      EXPECT_LT(events[i].macs, events[i].dense_macs);
    }
    EXPECT_EQ(events[i].attention != nullptr, static_cast<int>(i) == plan.collect_step) << i;
  }
  ASSERT_TRUE(result.attention);
  const AttentionReport& r = *result.attention;
  EXPECT_EQ(r.maps.size(), r.tokens.size());
  EXPECT_EQ(r.maps[0].width, 16);
  EXPECT_EQ(result.full_steps, plan.full_steps());
  EXPECT_LT(result.macs, result.dense_macs);
  int selected = 0;
  for (const auto& t : r.tokens) selected += t.selected;
  EXPECT_EQ(selected, 1);
  EXPECT_FALSE(r.mask.grids.empty());
  EXPECT_GT(r.mask.mac_fraction, 0.0);
  EXPECT_LE(r.mask.mac_fraction, 1.0);

  AttentionReport low, high;
  HighlightOptions o = req.highlight;
  o.threshold = 40;
  ASSERT_TRUE(engine.remask(r, o, 32, 32, &low).ok());
  o.threshold = 240;
  ASSERT_TRUE(engine.remask(r, o, 32, 32, &high).ok());
  EXPECT_GE(low.mask.area, high.mask.area);
  EXPECT_GE(low.mask.mac_fraction, high.mask.mac_fraction);
}

// Through the public API: map_factors picks the cross-attention layers of the maps (the
// pipeline_a UNet has them at latent/1 and latent/2); all layers together give a weighted
// mean of the two, and a factor the UNet lacks or that is no power of two is an error.
TEST(HighlightPipeline, MapFactorsChooseTheLayers) {
  Engine engine;
  ASSERT_TRUE(engine.load((test::data_dir() / "pipeline_a").string()).ok());
  EXPECT_EQ(engine.info().attention_factors, (std::vector<int>{1, 2}));
  auto maps_with = [&](std::vector<int> factors, Status* status = nullptr) {
    GenerateRequest req;
    req.prompt = "a red star above a blue house";
    req.steps = 5;
    req.seed = 5;
    req.highlight.map_factors = std::move(factors);
    GenerateResult result;
    Status st = engine.generate(req, &result);
    if (status) *status = st;
    std::vector<float> flat;
    if (st.ok()) {
      for (const auto& m : result.attention->maps)
        flat.insert(flat.end(), m.data.begin(), m.data.end());
    }
    return torch::tensor(flat);
  };
  const torch::Tensor m1 = maps_with({1}), m2 = maps_with({2}), both = maps_with({});
  ASSERT_EQ(m1.numel(), both.numel());
  ASSERT_EQ(m2.numel(), both.numel());
  EXPECT_GT((m1 - m2).abs().max().item<float>(), 1e-3);
  // both = w * m1 + (1 - w) * m2 with 0 < w < 1 (w = the share of latent/1 layers)
  const torch::Tensor d = m1 - m2;
  const double w = ((both - m2) * d).sum().item<double>() / (d * d).sum().item<double>();
  EXPECT_GT(w, 0.0);
  EXPECT_LT(w, 1.0);
  EXPECT_LT((both - (w * m1 + (1 - w) * m2)).abs().max().item<float>(), 1e-5);

  Status st;
  maps_with({8}, &st);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("factor(s) 8; this UNet's are at 1, 2"), std::string::npos)
      << st.message();
  maps_with({3}, &st);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("power of two from 1 to 64, got 3"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace hd
