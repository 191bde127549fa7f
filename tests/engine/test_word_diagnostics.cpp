// The training tool's diagnostics of a trained model's words: how distinct its text encoder
// keeps the kind and colour words (word_separation), and how much its UNet relies on them
// (word_reliance), each checked against transformers and diffusers on the tiny pipeline.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "data/scene.h"
#include "io/model_loader.h"
#include "torch_test_util.h"
#include "training/word_reliance.h"
#include "training/word_separation.h"

namespace hd::train {
namespace {
namespace fs = std::filesystem;

// word_separation matches transformers' CLIPTextModel and CLIPTokenizer on the tiny random
// pipeline (tests/fixtures/make_word_separation_fixture.py): the mean and the closest pair's
// cosine similarity of the kind words' and the colour words' final states, words split into
// several tokens included (the pipeline's vocabulary is tiny); too few words or a word the
// caption does not hold are refused by name.
TEST(WordSeparation, MatchesTransformers) {
  const fs::path model = fs::path(HD_TEST_DATA_DIR) / "pipeline_a";
  std::ifstream in(fs::path(HD_TEST_DATA_DIR) / "word_separation.json");
  ASSERT_TRUE(in);
  const nlohmann::json ref = nlohmann::json::parse(in);
  const std::vector<WordSeparation> got_both =
      word_separation(model, {{hd::data::kinds(), "a large red ", " on a white background"},
                              {hd::data::colours(), "a large ", " circle on a white background"}});
  ASSERT_EQ(got_both.size(), 2u);
  for (const auto& [name, got] :
       {std::pair{"kinds", got_both[0]}, std::pair{"colours", got_both[1]}}) {
    const nlohmann::json& r = ref.at(name);
    EXPECT_NEAR(got.mean_cos, r.at("mean_cos").get<double>(), 1e-5) << name;
    EXPECT_NEAR(got.max_cos, r.at("max_cos").get<double>(), 1e-5) << name;
    EXPECT_EQ(got.closest_a, r.at("closest")[0].get<std::string>()) << name;
    EXPECT_EQ(got.closest_b, r.at("closest")[1].get<std::string>()) << name;
  }
  EXPECT_THROW(word_separation(model, {{{"circle"}, "a ", ""}}), Error);
  try {
    word_separation(model, {{{"circle", "zebra crossing"}, "a ", ""}});
    ADD_FAILURE() << "a two-word 'word' was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'zebra crossing' is not a word of 'a zebra crossing'"),
              std::string::npos)
        << e.what();
  }
}

// object_x0_errors against diffusers and transformers on the tiny random pipeline (fixture
// from tests/fixtures/make_word_reliance_fixture.py): the encoded red disk, noised with the
// stored noise to three timesteps, its x0 predictions' error over the disk for three
// captions, the UNet's output read as epsilon (the pipeline's scheduler) and as v.
TEST(WordReliance, ObjectErrorsMatchDiffusers) {
  const SafetensorsFile io =
      SafetensorsFile::open(hd::test::data_dir() / "word_reliance.safetensors");
  std::ifstream in(hd::test::data_dir() / "word_reliance.json");
  ASSERT_TRUE(in);
  const nlohmann::json ref = nlohmann::json::parse(in);
  SDComponents model = load_diffusers_folder(hd::test::data_dir() / "pipeline_a", torch::kCPU);
  RelianceSample s;
  s.image = hd::test::fixture_tensor(io, "image");
  s.mask = hd::test::fixture_tensor(io, "mask");
  s.noise = hd::test::fixture_tensor(io, "noise");
  s.timesteps = ref.at("timesteps").get<std::vector<int64_t>>();
  s.captions = ref.at("captions").get<std::vector<std::string>>();
  for (const std::string prediction : {"epsilon", "v"}) {
    model.scheduler.prediction_type = prediction == "v" ? "v_prediction" : "epsilon";
    const std::vector<double> got = object_x0_errors(model, s);
    const auto want = ref.at("errors_" + prediction).get<std::vector<double>>();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      // The captions' errors differ by 0.1-1%: a relative 1e-4 tells them apart.
      EXPECT_NEAR(got[i], want[i], 1e-4 * want[i]) << prediction << " caption " << i;
    }
  }
  RelianceSample empty = s;
  empty.mask = torch::zeros_like(s.mask);
  EXPECT_THROW(object_x0_errors(model, empty), Error);
  RelianceSample wrong = s;
  wrong.noise = torch::zeros({1, 4, 8, 8});
  try {
    object_x0_errors(model, wrong);
    ADD_FAILURE() << "noise of the wrong shape was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("noise [1,4,8,8]"), std::string::npos) << e.what();
  }
}

// word_reliance on a whole model folder: deterministic, one error per class, and the right
// caption's error is the same for both classes (the same scenes and noise).
TEST(WordReliance, IsDeterministicOverScenes) {
  WordRelianceOptions o;
  o.scenes = 2;
  o.swaps = 2;
  o.levels = {0.6};
  const fs::path model = hd::test::data_dir() / "pipeline_a";
  const WordRelianceReport a = word_reliance(model, o), b = word_reliance(model, o);
  EXPECT_EQ(a.kinds.right, b.kinds.right);
  EXPECT_EQ(a.kinds.swapped, b.kinds.swapped);
  EXPECT_EQ(a.colours.swapped, b.colours.swapped);
  EXPECT_EQ(a.kinds.right, a.colours.right);
  EXPECT_GT(a.kinds.right, 0.0);
  EXPECT_NE(a.kinds.swapped, a.kinds.right);  // other captions, other predictions
  EXPECT_NE(a.colours.swapped, a.kinds.swapped);
  o.levels = {1.5};
  EXPECT_THROW(word_reliance(model, o), Error);
}

}  // namespace
}  // namespace hd::train
