// Shape (kind) classification for the scene checker.
//
// A region is described by contour features: holes, convex-hull solidity, box fill,
// circularity, aspect ratio, where its mass sits in its box, the Fourier magnitudes of its
// radial profile (rotation invariant: 5 lobes for stars and flowers, 4 for crosses, 3 for
// triangles...), a coarse 4 x 4 occupancy grid of its box and a 12 x 12 one of the region
// centred and scaled to a fixed area. The kind is that of the nearest prototype; prototypes
// are the generator's own shapes at all sizes, as drawn, squashed, turned and with wobbled
// outlines, clean and degraded (blur plus downscaling), measured through the same colour
// labelling as a checked image.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/checker_internal.h"
#include "data/scene_internal.h"

namespace hd::data::detail {
namespace {

constexpr int kRadialBins = 64;
constexpr int kHarmonics = 8;
constexpr int kGrid = 4;
constexpr int kNorm = 12;            // side of the moment-normalised occupancy image
constexpr float kNormWeight = 0.5f;  // weight of each of its cells
constexpr int kNumFeatures = 7 + kHarmonics + kGrid * kGrid + kNorm * kNorm;

// Relative weights of the features (after scaling each to unit spread over the prototypes).
std::vector<float> feature_weights() {
  std::vector<float> w = {4.0f, 3.0f, 1.5f, 1.5f, 1.5f, 1.0f, 1.0f};
  for (int k = 0; k < kHarmonics; ++k) w.push_back(1.0f);
  for (int k = 0; k < kGrid * kGrid; ++k) w.push_back(0.4f);
  for (int k = 0; k < kNorm * kNorm; ++k) w.push_back(kNormWeight);
  return w;
}

// Fourier magnitudes 1..kHarmonics of the radial profile (max radius per angle bin) of a
// contour around `centre`, relative to the mean radius.
void radial_harmonics(const std::vector<cv::Point>& contour, const cv::Point2d& centre,
                      float* out) {
  std::vector<double> r(kRadialBins, -1.0);
  for (const auto& p : contour) {
    const double dx = p.x - centre.x, dy = p.y - centre.y;
    const double a = std::atan2(dy, dx) + std::numbers::pi;
    int bin = static_cast<int>(a / (2.0 * std::numbers::pi) * kRadialBins);
    bin = std::clamp(bin, 0, kRadialBins - 1);
    r[bin] = std::max(r[bin], std::hypot(dx, dy));
  }
  // Empty bins (small regions): the mean of the nearest filled bins on either side.
  std::vector<double> filled = r;
  for (int i = 0; i < kRadialBins; ++i) {
    if (r[i] >= 0.0) continue;
    double left = -1.0, right = -1.0;
    for (int k = 1; k < kRadialBins && left < 0.0; ++k)
      left = r[(i - k + kRadialBins) % kRadialBins];
    for (int k = 1; k < kRadialBins && right < 0.0; ++k) right = r[(i + k) % kRadialBins];
    filled[i] = 0.5 * (std::max(left, 0.0) + std::max(right, 0.0));
  }
  double mean = 0.0;
  for (double v : filled) mean += v;
  mean /= kRadialBins;
  for (int k = 1; k <= kHarmonics; ++k) {
    double re = 0.0, im = 0.0;
    for (int j = 0; j < kRadialBins; ++j) {
      const double a = 2.0 * std::numbers::pi * j * k / kRadialBins;
      re += filled[j] * std::cos(a);
      im -= filled[j] * std::sin(a);
    }
    out[k - 1] = mean > 0.0 ? static_cast<float>(std::hypot(re, im) / kRadialBins / mean) : 0.0f;
  }
}

// The patch with its outline wobbled: every pixel displaced by a smooth random field
// (control points kWobbleGrid x kWobbleGrid apart over the patch, cubic in between) of at
// most `amount` x the patch side. A model draws outlines that wobble like this.
cv::Mat wobble(const cv::Mat& patch, double amount, Rng& rng) {
  constexpr int kWobbleGrid = 5;
  cv::Mat coarse[2];
  for (auto& c : coarse) {
    c.create(kWobbleGrid, kWobbleGrid, CV_32F);
    for (int i = 0; i < kWobbleGrid * kWobbleGrid; ++i)
      c.at<float>(i) = static_cast<float>(rng.uniform(-1.0, 1.0) * amount * patch.cols);
  }
  cv::Mat dx, dy;
  cv::resize(coarse[0], dx, patch.size(), 0, 0, cv::INTER_CUBIC);
  cv::resize(coarse[1], dy, patch.size(), 0, 0, cv::INTER_CUBIC);
  cv::Mat map_x(patch.size(), CV_32F), map_y(patch.size(), CV_32F);
  for (int y = 0; y < patch.rows; ++y) {
    for (int x = 0; x < patch.cols; ++x) {
      map_x.at<float>(y, x) = static_cast<float>(x) + dx.at<float>(y, x);
      map_y.at<float>(y, x) = static_cast<float>(y) + dy.at<float>(y, x);
    }
  }
  cv::Mat out;
  cv::remap(patch, out, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  return out;
}

struct Prototypes {
  std::vector<float> scale;  // per feature: weight / spread
  std::vector<std::vector<float>> features;
  std::vector<int> kinds;
};

// Mask of the largest 8-connected region of `colour` in `labels`, padded by one pixel.
cv::Mat largest_region(const cv::Mat& labels, int colour) {
  cv::Mat comp, stats, centroids;
  const int n =
      cv::connectedComponentsWithStats(labels == colour, comp, stats, centroids, 8, CV_32S);
  int best = -1, best_area = 0;
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) > best_area) {
      best_area = stats.at<int>(i, cv::CC_STAT_AREA);
      best = i;
    }
  }
  if (best < 0) return {};
  const cv::Rect box(stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
                     stats.at<int>(best, cv::CC_STAT_WIDTH),
                     stats.at<int>(best, cv::CC_STAT_HEIGHT));
  cv::Mat padded;
  cv::copyMakeBorder(comp(box) == best, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  return padded;
}

Prototypes build_prototypes() {
  static const double kExtents[] = {0.12, 0.135, 0.16, 0.19, 0.23, 0.27, 0.3, 0.34};
  struct Degradation {
    double sigma;
    int factor;
  };
  static const Degradation kDegradations[] = {{0.0, 1}, {1.5, 4}, {1.0, 2}};
  static const cv::Vec3b kBackgrounds[] = {
      {248, 248, 248}, {212, 212, 212}, {250, 238, 205}, {198, 222, 244}};
  static const int kColours[] = {0, 4, 8, 3, 5, 1};  // red, blue, black, green, purple, orange
  // Wobble variants: the largest displacement, as a fraction of the patch side.
  static const double kWobble[] = {0.04, 0.08, 0.12};
  constexpr int kVariants = 4 + static_cast<int>(std::size(kWobble));

  Prototypes p;
  int counter = 0;
  for (int kind = 0; kind < kNumKinds; ++kind) {
    for (size_t e = 0; e < std::size(kExtents); ++e) {
      // Variants: as drawn, 15% narrower, 15% flatter, turned by 15 degrees more, outline
      // wobbled a little and more (a model's shapes are rarely exact).
      for (int variant = 0; variant < kVariants; ++variant) {
        for (const auto& deg : kDegradations) {
          // Wobbled outlines only undegraded: blurred as well, a wobbled flower's lobes pass
          // for a small star's points.
          if (variant >= 4 && deg.sigma > 0) continue;
          Rng rng(derive_seed(static_cast<uint64_t>(counter), 0x5EED));
          const int colour = kColours[counter % std::size(kColours)];
          const cv::Vec3b bg = kBackgrounds[counter % std::size(kBackgrounds)];
          ++counter;
          cv::Mat patch = draw_shape(kind, kExtents[e] * kWorkSide, rng);
          if (variant == 1 || variant == 2) {
            const cv::Size squashed(variant == 1 ? patch.cols * 85 / 100 : patch.cols,
                                    variant == 2 ? patch.rows * 85 / 100 : patch.rows);
            cv::resize(patch, patch, squashed, 0, 0, cv::INTER_AREA);
          } else if (variant == 3) {
            const double c = (patch.cols - 1) * 0.5;
            const cv::Mat turn =
                cv::getRotationMatrix2D(cv::Point2f(static_cast<float>(c), static_cast<float>(c)),
                                        e % 2 ? 15.0 : -15.0, 1.0);
            cv::warpAffine(patch, patch, turn, patch.size(), cv::INTER_LINEAR);
          } else if (variant >= 4) {
            patch = wobble(patch, kWobble[variant - 4], rng);
          }
          const int side = (std::max(patch.cols, patch.rows) + 16 + 3) / 4 * 4;
          cv::Mat canvas(side, side, CV_8UC3, cv::Scalar(bg[0], bg[1], bg[2]));
          const int ox = (side - patch.cols) / 2 - 2 + rng.below(4);
          const int oy = (side - patch.rows) / 2 - 2 + rng.below(4);
          const cv::Vec3b c = palette()[colour];
          for (int y = 0; y < patch.rows; ++y) {
            for (int x = 0; x < patch.cols; ++x) {
              const int w = patch.at<uint8_t>(y, x);
              auto& px = canvas.at<cv::Vec3b>(y + oy, x + ox);
              for (int k = 0; k < 3; ++k) {
                px[k] = static_cast<uint8_t>((px[k] * (255 - w) + c[k] * w + 127) / 255);
              }
            }
          }
          const cv::Mat seen = degrade(canvas, deg.sigma * kWorkSide / side, deg.factor);
          const cv::Mat region = largest_region(label_colours(seen), colour);
          if (region.empty()) continue;
          p.features.push_back(shape_features(region));
          p.kinds.push_back(kind);
        }
      }
    }
  }
  // Scale every feature to unit spread over the prototypes, times its weight.
  const auto weights = feature_weights();
  p.scale.assign(kNumFeatures, 1.0f);
  for (int f = 0; f < kNumFeatures; ++f) {
    double mean = 0.0, sq = 0.0;
    for (const auto& v : p.features) mean += v[f];
    mean /= static_cast<double>(p.features.size());
    for (const auto& v : p.features) sq += (v[f] - mean) * (v[f] - mean);
    const double sd = std::sqrt(sq / static_cast<double>(p.features.size()));
    p.scale[f] = static_cast<float>(weights[f] / std::max(sd, 1e-3));
  }
  for (auto& v : p.features) {
    for (int f = 0; f < kNumFeatures; ++f) v[f] *= p.scale[f];
  }
  return p;
}

const Prototypes& prototypes() {
  static const Prototypes p = build_prototypes();
  return p;
}

}  // namespace

std::vector<float> shape_features(const cv::Mat& region) {
  std::vector<float> f(kNumFeatures, 0.0f);
  if (region.empty() || region.type() != CV_8U) return f;
  cv::Mat bin;
  cv::copyMakeBorder(region != 0, bin, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bin, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  if (contours.empty()) return f;
  size_t best = 0;
  for (size_t i = 1; i < contours.size(); ++i) {
    if (contours[i].size() > contours[best].size()) best = i;
  }
  const auto& contour = contours[best];
  cv::Mat filled(bin.size(), CV_8U, cv::Scalar(0));
  cv::drawContours(filled, contours, static_cast<int>(best), cv::Scalar(255), cv::FILLED);
  const double filled_area = std::max(1, cv::countNonZero(filled));
  const double area = cv::countNonZero(bin & filled);
  const double poly_area = cv::contourArea(contour);
  std::vector<cv::Point> hull;
  cv::convexHull(contour, hull);
  const double hull_area = cv::contourArea(hull);
  const double perimeter = cv::arcLength(contour, true);
  const cv::Rect box = cv::boundingRect(contour);
  const cv::Moments m = cv::moments(filled, true);
  const cv::Point2d centre(m.m10 / std::max(m.m00, 1.0), m.m01 / std::max(m.m00, 1.0));

  f[0] = static_cast<float>(std::max(0.0, 1.0 - area / filled_area));      // holes
  f[1] = static_cast<float>(hull_area > 0 ? poly_area / hull_area : 1.0);  // solidity
  f[2] = static_cast<float>(filled_area / std::max(1, box.area()));        // box fill
  f[3] = static_cast<float>(
      perimeter > 0 ? 4.0 * std::numbers::pi * poly_area / (perimeter * perimeter) : 0.0);
  f[4] = static_cast<float>(std::log(static_cast<double>(box.height) / std::max(1, box.width)));
  f[5] = static_cast<float>((centre.y - box.y + 0.5) / std::max(1, box.height) - 0.5);
  f[6] = static_cast<float>(std::abs((centre.x - box.x + 0.5) / std::max(1, box.width) - 0.5));
  radial_harmonics(contour, centre, f.data() + 7);
  cv::Mat grid;
  cv::resize(filled(box), grid, cv::Size(kGrid, kGrid), 0, 0, cv::INTER_AREA);
  for (int i = 0; i < kGrid * kGrid; ++i)
    f[7 + kHarmonics + i] = grid.at<uint8_t>(i / kGrid, i % kGrid) / 255.0f;
  // The filled region centred on its centroid and scaled to a fixed area (not to its box): a
  // square of its area would span 0.32 of the image, leaving room for long shapes. Its outline
  // at this coarse resolution moves by few cells when it wobbles.
  const double scale = 0.32 * kNorm / std::sqrt(filled_area);
  const cv::Matx23d to_norm(scale, 0, kNorm * 0.5 - scale * centre.x, 0, scale,
                            kNorm * 0.5 - scale * centre.y);
  cv::Mat fine;
  constexpr int kFine = 8;
  cv::warpAffine(filled, fine, to_norm * kFine, cv::Size(kNorm * kFine, kNorm * kFine),
                 cv::INTER_LINEAR);
  cv::Mat norm;
  cv::resize(fine, norm, cv::Size(kNorm, kNorm), 0, 0, cv::INTER_AREA);
  for (int i = 0; i < kNorm * kNorm; ++i)
    f[7 + kHarmonics + kGrid * kGrid + i] = norm.at<uint8_t>(i / kNorm, i % kNorm) / 255.0f;
  return f;
}

int classify_kind_index(const cv::Mat& region) {
  const Prototypes& p = prototypes();
  std::vector<float> f = shape_features(region);
  for (int i = 0; i < kNumFeatures; ++i) f[i] *= p.scale[i];
  float best = std::numeric_limits<float>::infinity();
  int kind = -1;
  for (size_t j = 0; j < p.features.size(); ++j) {
    float d = 0.0f;
    const auto& v = p.features[j];
    for (int i = 0; i < kNumFeatures; ++i) d += (f[i] - v[i]) * (f[i] - v[i]);
    if (d < best) best = d, kind = p.kinds[j];
  }
  return kind;
}

}  // namespace hd::data::detail
