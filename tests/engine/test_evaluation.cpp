// Evaluation helpers of the public API (hd/evaluation.h) against the reference stack:
// the Frechet distance as pytorch-fid computes it (scipy.linalg.sqrtm), FID of two image
// folders through a TorchScript feature network, a TorchScript perceptual distance, and
// the scene checker behind prompt fidelity. Fixtures: tests/fixtures/make_eval_fixtures.py.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "data/scene.h"
#include "data/spec_json.h"
#include "hd/evaluation.h"
#include "io/png_file.h"

namespace hd {
namespace {
namespace fs = std::filesystem;

fs::path eval_dir() {
  return fs::path(HD_TEST_DATA_DIR) / "eval";
}

nlohmann::json golden() {
  std::ifstream in(eval_dir() / "golden.json");
  return nlohmann::json::parse(in);
}

// A random SPD pair in 5 dimensions, computed by scipy: agreement to 1e-8 relative.
TEST(FrechetDistance, MatchesScipyOnGaussians) {
  const auto g = golden()["gaussians"];
  const double d =
      frechet_distance(g["mu1"].get<std::vector<double>>(), g["sigma1"].get<std::vector<double>>(),
                       g["mu2"].get<std::vector<double>>(), g["sigma2"].get<std::vector<double>>());
  const double expected = g["frechet_distance"].get<double>();
  EXPECT_NEAR(d, expected, 1e-8 * expected);
}

// Commuting (diagonal) covariances have the closed form
// |mu1 - mu2|^2 + sum_i (s1_i + s2_i - 2 sqrt(s1_i s2_i)).
TEST(FrechetDistance, DiagonalClosedForm) {
  const double d = frechet_distance({0, 1}, {1, 0, 0, 4}, {3, 1}, {9, 0, 0, 1});
  EXPECT_NEAR(d, 9 + (1 + 9 - 2 * 3) + (4 + 1 - 2 * 2), 1e-10);
  EXPECT_NEAR(frechet_distance({1, 2}, {2, 1, 1, 2}, {1, 2}, {2, 1, 1, 2}), 0.0, 1e-10);
}

TEST(FrechetDistance, MismatchedSizesAreNamed) {
  try {
    frechet_distance({0, 0}, {1, 0, 0, 1}, {0, 0}, {1, 0, 0});
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("sigma2 has 3 entries, expected 2 x 2"), std::string::npos)
        << e.what();
  }
}

// FID of two folders through the tiny TorchScript network equals pytorch-fid's formula on
// the reference's features; a folder against itself gives 0.
TEST(FeatureNetwork, FolderFidMatchesReference) {
  const auto g = golden()["folders"];
  FeatureNetwork net;
  ASSERT_TRUE(
      net.load((eval_dir() / "tiny_features.pt").string(), g["network_input_size"].get<int>())
          .ok());
  double fid = -1;
  Status st =
      folder_fid(net, (eval_dir() / "images_a").string(), (eval_dir() / "images_b").string(), &fid);
  ASSERT_TRUE(st.ok()) << st.message();
  const double expected = g["fid"].get<double>();
  EXPECT_NEAR(fid, expected, 1e-5 * expected + 1e-9);
  ASSERT_TRUE(
      folder_fid(net, (eval_dir() / "images_a").string(), (eval_dir() / "images_a").string(), &fid)
          .ok());
  EXPECT_NEAR(fid, 0.0, 1e-6);  // round-off of a rank-deficient covariance (8 images, 8 features)
  FeatureStatistics s;
  ASSERT_TRUE(net.folder_statistics((eval_dir() / "images_b").string(), &s).ok());
  EXPECT_EQ(s.count, 8);
  EXPECT_EQ(s.dim, 8);
}

TEST(FeatureNetwork, BadFilesAreNamed) {
  FeatureNetwork net;
  Status st = net.load("/nonexistent/inception.pt");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent/inception.pt: no such file"), std::string::npos)
      << st.message();
  const std::string json = (eval_dir() / "golden.json").string();
  st = net.load(json);
  EXPECT_NE(st.message().find(json + ": not a TorchScript module"), std::string::npos)
      << st.message();
  st = net.folder_statistics((eval_dir() / "images_a").string(), nullptr);
  EXPECT_NE(st.message().find("not loaded"), std::string::npos) << st.message();
}

Image read_fixture_png(const fs::path& p) {
  RgbImage png = read_png_rgb(p);
  Image img;
  img.width = png.width;
  img.height = png.height;
  img.rgb = std::move(png.rgb);
  return img;
}

// The tiny perceptual network's distance equals the reference's on the first image pair.
TEST(PerceptualDistance, MatchesReference) {
  PerceptualDistance lpips;
  ASSERT_TRUE(lpips.load((eval_dir() / "tiny_lpips.pt").string()).ok());
  double d = -1;
  Status st = lpips.distance(read_fixture_png(eval_dir() / "images_a" / "00000.png"),
                             read_fixture_png(eval_dir() / "images_b" / "00000.png"), &d);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_NEAR(d, golden()["lpips_first_pair"].get<double>(), 1e-6);
}

// A generated scene passes the checker against its own spec and fails, on colour, against
// a spec that names another colour.
TEST(CheckScene, GradesGeneratedScenes) {
  data::SceneOptions opt;
  opt.size = 256;
  const data::Scene scene = data::generate_scene(12345, opt);
  Image img;
  img.width = scene.rgb.cols;
  img.height = scene.rgb.rows;
  img.rgb.assign(scene.rgb.data, scene.rgb.data + scene.rgb.total() * 3);
  SceneCheck c;
  Status st = check_scene(img, data::spec_to_json(scene.spec, scene.caption).dump(), &c);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.objects, static_cast<int>(scene.spec.objects.size()));
  data::SceneSpec wrong = scene.spec;
  wrong.objects[0].colour = wrong.objects[0].colour == "red" ? "blue" : "red";
  ASSERT_TRUE(check_scene(img, data::spec_to_json(wrong, scene.caption).dump(), &c).ok());
  EXPECT_FALSE(c.ok);
  EXPECT_FALSE(c.colour_ok);
  st = check_scene(img, "{not json", &c);
  EXPECT_NE(st.message().find("the spec is not JSON"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace hd
