// Object silhouettes of the scene generator, drawn as anti-aliased coverage patches.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <numbers>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/scene_internal.h"

namespace hd::data::detail {
namespace {

constexpr int kShift = 4;  // sub-pixel bits of OpenCV's fixed-point drawing
constexpr double kUnit = 1 << kShift;

// Maps shape coordinates (u, v) in [-1, 1] (v down) to fixed-point pixel coordinates of the
// patch: scale by half the extent, mirror, rotate, translate to the patch centre.
struct Frame {
  cv::Point2d centre;
  double half = 1.0;
  double cos_a = 1.0, sin_a = 0.0;
  double mirror = 1.0;

  cv::Point point(double u, double v) const {
    u *= mirror;
    const double x = centre.x + half * (cos_a * u - sin_a * v);
    const double y = centre.y + half * (sin_a * u + cos_a * v);
    return {static_cast<int>(std::lround(x * kUnit)), static_cast<int>(std::lround(y * kUnit))};
  }
  int radius(double r) const { return static_cast<int>(std::lround(r * half * kUnit)); }
};

// Primitives are drawn without anti-aliasing on a canvas kSuper times finer, where unions and
// cut-outs are exact, and averaged down to coverage at the end.
constexpr int kSuper = 4;

void polygon(cv::Mat& fine, const Frame& f, const std::vector<cv::Point2d>& uv, bool add) {
  std::vector<cv::Point> pts;
  pts.reserve(uv.size());
  for (const auto& p : uv) pts.push_back(f.point(p.x, p.y));
  cv::fillPoly(fine, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(add ? 255 : 0),
               cv::LINE_8, kShift);
}

void polygon(cv::Mat& fine, const Frame& f, std::initializer_list<cv::Point2d> uv, bool add) {
  polygon(fine, f, std::vector<cv::Point2d>(uv), add);
}

void disc(cv::Mat& fine, const Frame& f, double u, double v, double r, bool add) {
  cv::circle(fine, f.point(u, v), f.radius(r), cv::Scalar(add ? 255 : 0), cv::FILLED, cv::LINE_8,
             kShift);
}

double degrees(Rng& rng, double max_abs) {
  return rng.uniform(-max_abs, max_abs);
}

// Kind indices, in the order of kinds().
enum Kind {
  kCircle,
  kSquare,
  kTriangle,
  kStar,
  kRing,
  kHeart,
  kHouse,
  kTree,
  kMoon,
  kCross,
  kDiamond,
  kFlower
};

// Rotation jitter (degrees, +-) per kind; the flower turns freely.
constexpr double kJitter[kNumKinds] = {0, 8, 6, 10, 0, 8, 3, 4, 15, 8, 5, 0};

}  // namespace

cv::Mat draw_shape(int kind, double extent, Rng& rng) {
  if (kind < 0 || kind >= kNumKinds) fail("draw_shape: kind index ", kind, " out of range");
  if (!(extent >= 2.0)) fail("draw_shape: extent ", extent, " px is too small");
  const int side = static_cast<int>(std::ceil(extent * 1.3)) + 4;
  cv::Mat patch(side * kSuper, side * kSuper, CV_8U, cv::Scalar(0));

  double angle = degrees(rng, kJitter[kind]);
  Frame f;
  // Pixel centre x of the patch is at kSuper * x + (kSuper - 1) / 2 on the fine canvas.
  const double c = kSuper * (side - 1) * 0.5 + (kSuper - 1) * 0.5;
  f.centre = {c, c};
  f.half = extent * 0.5 * kSuper;
  f.mirror = rng.chance(0.5) ? -1.0 : 1.0;
  if (kind == kFlower) angle = rng.uniform(0.0, 72.0);
  // Only the moon is mirrored (crescents open to either side).
  if (kind != kMoon) f.mirror = 1.0;
  const double rad = angle * std::numbers::pi / 180.0;
  f.cos_a = std::cos(rad);
  f.sin_a = std::sin(rad);

  switch (kind) {
    case kCircle:
      disc(patch, f, 0, 0, 1.0, true);
      break;
    case kSquare:
      polygon(patch, f, {{-0.9, -0.9}, {0.9, -0.9}, {0.9, 0.9}, {-0.9, 0.9}}, true);
      break;
    case kTriangle:
      polygon(patch, f, {{0, -0.92}, {1.0, 0.84}, {-1.0, 0.84}}, true);
      break;
    case kStar: {
      std::vector<cv::Point2d> pts;
      for (int i = 0; i < 10; ++i) {
        const double a = (-90.0 + 36.0 * i) * std::numbers::pi / 180.0;
        const double r = (i % 2 == 0) ? 1.0 : 0.46;
        pts.push_back({r * std::cos(a), r * std::sin(a) + 0.095});
      }
      polygon(patch, f, pts, true);
      break;
    }
    case kRing:
      disc(patch, f, 0, 0, 1.0, true);
      disc(patch, f, 0, 0, 0.56, false);
      break;
    case kHeart: {
      std::vector<cv::Point2d> pts;
      for (int i = 0; i < 64; ++i) {
        const double t = 2.0 * std::numbers::pi * i / 64.0;
        const double s = std::sin(t);
        const double x = 16.0 * s * s * s;
        const double y =
            -(13.0 * std::cos(t) - 5.0 * std::cos(2 * t) - 2.0 * std::cos(3 * t) - std::cos(4 * t));
        pts.push_back({x / 16.0, (y - 2.5) / 16.0});
      }
      polygon(patch, f, pts, true);
      break;
    }
    case kHouse:
      polygon(patch, f,
              {{0, -1.0},
               {1.0, -0.08},
               {0.72, -0.08},
               {0.72, 1.0},
               {0.2, 1.0},
               {0.2, 0.45},
               {-0.2, 0.45},
               {-0.2, 1.0},
               {-0.72, 1.0},
               {-0.72, -0.08},
               {-1.0, -0.08}},
              true);
      break;
    case kTree:
      // A leafy crown of four discs on a trunk that widens towards the ground.
      disc(patch, f, 0, -0.52, 0.46, true);
      disc(patch, f, -0.36, -0.22, 0.42, true);
      disc(patch, f, 0.36, -0.22, 0.42, true);
      disc(patch, f, 0, -0.2, 0.44, true);
      polygon(patch, f, {{-0.14, 0.1}, {0.14, 0.1}, {0.22, 1.0}, {-0.22, 1.0}}, true);
      break;
    case kMoon:
      disc(patch, f, 0.28, 0, 1.0, true);
      disc(patch, f, 0.78, -0.14, 0.84, false);
      break;
    case kCross: {
      const double w = 0.34;
      polygon(patch, f,
              {{-w, -1},
               {w, -1},
               {w, -w},
               {1, -w},
               {1, w},
               {w, w},
               {w, 1},
               {-w, 1},
               {-w, w},
               {-1, w},
               {-1, -w},
               {-w, -w}},
              true);
      break;
    }
    case kDiamond:
      polygon(patch, f, {{0, -1.0}, {0.7, 0}, {0, 1.0}, {-0.7, 0}}, true);
      break;
    case kFlower:
      disc(patch, f, 0, 0, 0.4, true);
      for (int i = 0; i < 5; ++i) {
        const double a = (-90.0 + 72.0 * i) * std::numbers::pi / 180.0;
        disc(patch, f, 0.64 * std::cos(a), 0.64 * std::sin(a), 0.36, true);
      }
      break;
    default:
      break;
  }
  cv::Mat coverage;
  cv::resize(patch, coverage, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  return coverage;
}

ExtentRange size_extent(int size) {
  switch (size) {
    case 0:
      return {0.12, 0.14};
    case 1:
      return {0.19, 0.23};
    case 2:
      return {0.29, 0.34};
    default:
      fail("size_extent: size index ", size, " out of range");
  }
}

cv::Mat degrade(const cv::Mat& rgb, double sigma_at_256, int factor) {
  if (rgb.empty()) fail("degrade: empty image");
  if (factor < 1) fail("degrade: factor ", factor, " must be at least 1");
  cv::Mat out;
  const double sigma = sigma_at_256 * rgb.cols / 256.0;
  if (sigma > 0.0) {
    cv::GaussianBlur(rgb, out, cv::Size(), sigma, sigma, cv::BORDER_REFLECT101);
  } else {
    out = rgb.clone();
  }
  if (factor > 1) {
    cv::Mat small;
    cv::resize(out, small, cv::Size(std::max(1, rgb.cols / factor), std::max(1, rgb.rows / factor)),
               0, 0, cv::INTER_AREA);
    cv::resize(small, out, rgb.size(), 0, 0, cv::INTER_LINEAR);
  }
  return out;
}

}  // namespace hd::data::detail
