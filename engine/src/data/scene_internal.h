// Internals shared by the scene generator and the scene checker (not a public API).
#pragma once

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "data/rng.h"

namespace hd::data::detail {

inline constexpr int kNumKinds = 12;
inline constexpr int kNumColours = 10;
inline constexpr int kNumBackgrounds = 11;

// Index of a vocabulary word; throws hd::Error naming `what` and the word when unknown.
int kind_index(const std::string& kind);
int colour_index(const std::string& colour);
int background_index(const std::string& background);
int size_index(const std::string& size);

// Palette of the object colours, RGB order, indexed like colours().
const std::array<cv::Vec3b, kNumColours>& palette();

// Colours are compared in "weighted RGB": (sqrt(2) R, 2 G, sqrt(3) B) / 3, a rough perceptual
// weighting that stays a linear function of RGB, so that blends of two colours (anti-aliased
// edges, blur, downscaling) stay on the straight segment between them.
inline cv::Vec3f to_metric(const cv::Vec3d& rgb) {
  return {static_cast<float>(rgb[0] * 0.47140452), static_cast<float>(rgb[1] * 0.66666667),
          static_cast<float>(rgb[2] * 0.57735027)};
}
inline cv::Vec3f to_metric(const cv::Vec3b& rgb) {
  return to_metric(cv::Vec3d(rgb[0], rgb[1], rgb[2]));
}
inline float metric_distance(const cv::Vec3f& a, const cv::Vec3f& b) {
  const cv::Vec3f d = a - b;
  return std::sqrt(d.dot(d));
}
// Distance from x to the segment [a, b]; `t` receives the blend weight of b (0 at a, 1 at b).
inline float segment_distance(const cv::Vec3f& x, const cv::Vec3f& a, const cv::Vec3f& b,
                              float* t) {
  const cv::Vec3f ab = b - a;
  const float len2 = ab.dot(ab);
  float u = len2 > 1e-6f ? (x - a).dot(ab) / len2 : 0.0f;
  u = u < 0.0f ? 0.0f : (u > 1.0f ? 1.0f : u);
  if (t) *t = u;
  return metric_distance(x, a + ab * u);
}

// An object colour is drawn on a background only when its metric distance to every key colour
// of that background, and to every blend of two key colours, is at least this much.
inline constexpr float kMinObjectBackgroundDistance = 60.0f;

// Key colours (RGB) of a background: all colours its pixels are made of or blend between.
const std::vector<cv::Vec3b>& background_keys(int background);

// Fills `rgb` (CV_8UC3, RGB order) with background number `background`.
void draw_background(int background, cv::Mat& rgb, Rng& rng);

// Draws object kind `kind` with nominal extent `extent` pixels (its larger side before
// rotation) into a square CV_8U coverage patch (0..255, anti-aliased), centred, with a small
// random rotation / mirroring from `rng`.
cv::Mat draw_shape(int kind, double extent, Rng& rng);

// The background caption phrases of a background (first = canonical).
const std::vector<std::string>& background_phrases(int background);

// Nominal extent range of a size class as a fraction of the image side.
struct ExtentRange {
  double lo, hi;
};
ExtentRange size_extent(int size_index);

// The degradation used to test robustness and to build the checker's shape prototypes:
// Gaussian blur (sigma 1.5 at 256 px, scaled with the image), area downscale by `factor`
// and bilinear upscale back.
cv::Mat degrade(const cv::Mat& rgb, double sigma_at_256, int factor);

}  // namespace hd::data::detail
