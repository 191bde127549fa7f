// Backgrounds of the scene generator: plain light colours, gradients, stripes and textures.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/scene_internal.h"

namespace hd::data::detail {
namespace {

using Rgb = cv::Vec3b;

// Background indices, in the order of backgrounds().
enum Background {
  kWhite,
  kLightGray,
  kLightBlue,
  kCream,
  kVerticalGradient,
  kHorizontalGradient,
  kStripes,
  kGrass,
  kSky,
  kWater,
  kSand
};

struct Pair {
  Rgb a, b;
};

// Light pastel pairs of the gradients and of the stripes.
const Pair kGradientPairs[] = {
    {{250, 222, 200}, {214, 222, 250}},  // peach - periwinkle
    {{252, 244, 200}, {204, 236, 222}},  // light yellow - mint
    {{200, 224, 246}, {246, 246, 246}},  // light blue - white
    {{244, 216, 236}, {226, 218, 246}},  // light pink - lavender
};
const Pair kStripePairs[] = {
    {{246, 246, 246}, {222, 226, 236}},
    {{250, 240, 215}, {236, 222, 194}},
    {{214, 234, 250}, {240, 248, 255}},
    {{236, 246, 226}, {214, 234, 204}},
};

const Rgb kPlainWhite{248, 248, 248}, kPlainGray{212, 212, 212};
const Rgb kPlainBlue{198, 222, 244}, kPlainCream{250, 238, 205};
const Rgb kGrassLight{112, 178, 72}, kGrassDark{62, 128, 42};
const Rgb kBladeDark{50, 105, 35}, kBladeLight{140, 195, 90};
const Rgb kSkyTop{110, 170, 235}, kSkyBottom{190, 218, 246}, kCloud{250, 250, 252};
const Rgb kWaterTop{48, 112, 178}, kWaterBottom{28, 88, 158}, kWave{100, 160, 212};
const Rgb kSandTop{240, 218, 168}, kSandBottom{224, 198, 148};
const Rgb kSandDark{196, 166, 116}, kSandLight{250, 236, 196};

inline uint8_t clamp8(int v) {
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

Rgb lerp(const Rgb& a, const Rgb& b, double t) {
  Rgb out;
  for (int c = 0; c < 3; ++c)
    out[c] = clamp8(static_cast<int>(std::lround(a[c] + (b[c] - a[c]) * t)));
  return out;
}

void fill_rows(cv::Mat& rgb, const Rgb& top, const Rgb& bottom) {
  const int n = rgb.rows;
  for (int y = 0; y < n; ++y) {
    const Rgb c = lerp(top, bottom, n > 1 ? static_cast<double>(y) / (n - 1) : 0.0);
    auto* row = rgb.ptr<Rgb>(y);
    std::fill(row, row + rgb.cols, c);
  }
}

void fill_columns(cv::Mat& rgb, const Rgb& left, const Rgb& right) {
  const int n = rgb.cols;
  std::vector<Rgb> row(n);
  for (int x = 0; x < n; ++x)
    row[x] = lerp(left, right, n > 1 ? static_cast<double>(x) / (n - 1) : 0.0);
  for (int y = 0; y < rgb.rows; ++y) std::copy(row.begin(), row.end(), rgb.ptr<Rgb>(y));
}

// Adds per-pixel noise in [-amp, amp] scaled per channel by `gain` (in eighths).
void add_noise(cv::Mat& rgb, Rng& rng, int amp, const int gain[3]) {
  const int span = 2 * amp + 1;
  for (int y = 0; y < rgb.rows; ++y) {
    auto* row = rgb.ptr<Rgb>(y);
    uint64_t bits = 0;
    for (int x = 0; x < rgb.cols; ++x) {
      if ((x & 7) == 0) bits = rng.next();
      const int n = static_cast<int>((bits & 0xFF) * span >> 8) - amp;
      bits >>= 8;
      for (int c = 0; c < 3; ++c) row[x][c] = clamp8(row[x][c] + n * gain[c] / 8);
    }
  }
}

void draw_stripes(cv::Mat& rgb, Rng& rng) {
  const Pair& p = kStripePairs[rng.below(4)];
  const int dir = rng.below(3);  // 0 horizontal, 1 vertical, 2 diagonal
  const int width = std::max(2, static_cast<int>(std::lround(rgb.cols * rng.uniform(0.04, 0.07))));
  const int offset = rng.below(2 * width);
  for (int y = 0; y < rgb.rows; ++y) {
    auto* row = rgb.ptr<Rgb>(y);
    for (int x = 0; x < rgb.cols; ++x) {
      const int k = dir == 0 ? y : (dir == 1 ? x : x + y);
      row[x] = ((k + offset) / width) % 2 == 0 ? p.a : p.b;
    }
  }
}

void draw_grass(cv::Mat& rgb, Rng& rng) {
  fill_rows(rgb, kGrassLight, kGrassDark);
  const int gain[3] = {4, 8, 3};
  add_noise(rgb, rng, 8, gain);
  const int s = rgb.cols;
  const int blades = s * s / 180;
  for (int i = 0; i < blades; ++i) {
    const cv::Point p0(rng.below(s), rng.below(s));
    const double len = s * rng.uniform(0.03, 0.07);
    const double a = rng.uniform(-0.45, 0.45);
    const cv::Point p1(p0.x + static_cast<int>(std::lround(len * std::sin(a))),
                       p0.y - static_cast<int>(std::lround(len * std::cos(a))));
    const Rgb& c = rng.chance(0.6) ? kBladeDark : kBladeLight;
    cv::line(rgb, p0, p1, cv::Scalar(c[0], c[1], c[2]), 1, cv::LINE_AA);
  }
}

void draw_sky(cv::Mat& rgb, Rng& rng) {
  fill_rows(rgb, kSkyTop, kSkyBottom);
  // Clouds: clusters of ellipses on a quarter-size canvas, blurred and scaled up.
  const int c = std::max(8, rgb.cols / 4);
  cv::Mat alpha(c, c, CV_8U, cv::Scalar(0));
  const int clouds = 2 + rng.below(3);
  for (int i = 0; i < clouds; ++i) {
    const double cx = rng.uniform(0.0, 1.0) * c, cy = rng.uniform(0.05, 0.8) * c;
    const double w = rng.uniform(0.12, 0.22) * c;
    const int puffs = 3 + rng.below(3);
    for (int j = 0; j < puffs; ++j) {
      const cv::Point centre(static_cast<int>(cx + rng.uniform(-1.0, 1.0) * w),
                             static_cast<int>(cy + rng.uniform(-0.3, 0.3) * w));
      const cv::Size axes(std::max(1, static_cast<int>(w * rng.uniform(0.5, 0.9))),
                          std::max(1, static_cast<int>(w * rng.uniform(0.3, 0.5))));
      cv::ellipse(alpha, centre, axes, 0, 0, 360, cv::Scalar(230), cv::FILLED, cv::LINE_8);
    }
  }
  cv::GaussianBlur(alpha, alpha, cv::Size(5, 5), 0);
  cv::Mat big;
  cv::resize(alpha, big, rgb.size(), 0, 0, cv::INTER_LINEAR);
  for (int y = 0; y < rgb.rows; ++y) {
    auto* row = rgb.ptr<Rgb>(y);
    const auto* a = big.ptr<uint8_t>(y);
    for (int x = 0; x < rgb.cols; ++x) {
      if (a[x] == 0) continue;
      for (int k = 0; k < 3; ++k) {
        row[x][k] = static_cast<uint8_t>((row[x][k] * (255 - a[x]) + kCloud[k] * a[x] + 127) / 255);
      }
    }
  }
}

void draw_water(cv::Mat& rgb, Rng& rng) {
  fill_rows(rgb, kWaterTop, kWaterBottom);
  const int s = rgb.cols;
  const double spacing = s / 11.0;
  const int thickness = std::max(1, s / 128);
  const cv::Scalar colour(kWave[0], kWave[1], kWave[2]);
  for (double y0 = rng.uniform(0.2, 0.8) * spacing; y0 < s; y0 += spacing * rng.uniform(0.8, 1.2)) {
    const double wavelength = s * rng.uniform(0.12, 0.2);
    const double amp = s * 0.012;
    for (double x0 = -rng.uniform(0.0, wavelength); x0 < s;
         x0 += wavelength * rng.uniform(1.2, 2.0)) {
      // One crest: half a sine period.
      std::vector<cv::Point> pts;
      for (int i = 0; i <= 8; ++i) {
        const double x = x0 + wavelength * 0.5 * i / 8.0;
        const double y = y0 - amp * std::sin(std::numbers::pi * i / 8.0);
        pts.emplace_back(static_cast<int>(std::lround(x * 16)),
                         static_cast<int>(std::lround(y * 16)));
      }
      cv::polylines(rgb, pts, false, colour, thickness, cv::LINE_AA, 4);
    }
  }
}

void draw_sand(cv::Mat& rgb, Rng& rng) {
  fill_rows(rgb, kSandTop, kSandBottom);
  const int gain[3] = {8, 8, 8};
  add_noise(rgb, rng, 6, gain);
  const int s = rgb.cols;
  const int grains = s * s / 90;
  for (int i = 0; i < grains; ++i) {
    const int x = rng.below(s), y = rng.below(rgb.rows);
    rgb.at<Rgb>(y, x) = rng.chance(0.6) ? kSandDark : kSandLight;
  }
}

}  // namespace

const std::vector<cv::Vec3b>& background_keys(int background) {
  static const std::vector<std::vector<Rgb>> keys = [] {
    std::vector<std::vector<Rgb>> k(kNumBackgrounds);
    k[kWhite].push_back(kPlainWhite);
    k[kLightGray].push_back(kPlainGray);
    k[kLightBlue].push_back(kPlainBlue);
    k[kCream].push_back(kPlainCream);
    for (const auto& p : kGradientPairs) {
      for (int b : {kVerticalGradient, kHorizontalGradient}) {
        k[b].push_back(p.a);
        k[b].push_back(p.b);
      }
    }
    for (const auto& p : kStripePairs) {
      k[kStripes].push_back(p.a);
      k[kStripes].push_back(p.b);
    }
    for (const Rgb* c : {&kGrassLight, &kGrassDark, &kBladeDark, &kBladeLight})
      k[kGrass].push_back(*c);
    for (const Rgb* c : {&kSkyTop, &kSkyBottom, &kCloud}) k[kSky].push_back(*c);
    for (const Rgb* c : {&kWaterTop, &kWaterBottom, &kWave}) k[kWater].push_back(*c);
    for (const Rgb* c : {&kSandTop, &kSandBottom, &kSandDark, &kSandLight}) k[kSand].push_back(*c);
    return k;
  }();
  if (background < 0 || background >= kNumBackgrounds) {
    fail("background_keys: background index ", background, " out of range");
  }
  return keys[background];
}

void draw_background(int background, cv::Mat& rgb, Rng& rng) {
  if (rgb.type() != CV_8UC3 || rgb.empty()) fail("draw_background: expected a CV_8UC3 image");
  switch (background) {
    case kWhite:
    case kLightGray:
    case kLightBlue:
    case kCream: {
      const Rgb c = background_keys(background)[0];
      rgb.setTo(cv::Scalar(c[0], c[1], c[2]));
      break;
    }
    case kVerticalGradient:
    case kHorizontalGradient: {
      const Pair& p = kGradientPairs[rng.below(4)];
      const bool flip = rng.chance(0.5);
      const Rgb& a = flip ? p.b : p.a;
      const Rgb& b = flip ? p.a : p.b;
      if (background == kVerticalGradient) {
        fill_rows(rgb, a, b);
      } else {
        fill_columns(rgb, a, b);
      }
      break;
    }
    case kStripes:
      draw_stripes(rgb, rng);
      break;
    case kGrass:
      draw_grass(rgb, rng);
      break;
    case kSky:
      draw_sky(rgb, rng);
      break;
    case kWater:
      draw_water(rgb, rng);
      break;
    case kSand:
      draw_sand(rgb, rng);
      break;
    default:
      fail("draw_background: background index ", background, " out of range");
  }
}

const std::vector<std::string>& background_phrases(int background) {
  static const std::vector<std::vector<std::string>> phrases = {
      {"on a plain white background", "on a white background"},
      {"on a light gray background", "on a plain gray background"},
      {"on a light blue background", "on a pale blue background"},
      {"on a cream background", "on a plain cream background"},
      {"on a vertical gradient", "on a gradient background"},
      {"on a horizontal gradient", "on a gradient background"},
      {"on a striped background", "on stripes"},
      {"on grass", "on the grass", "on a grassy field"},
      {"under a blue sky", "in a cloudy sky", "against the sky"},
      {"on water", "on the water", "on rippling water"},
      {"on sand", "on a sandy background", "on a sandy beach"},
  };
  if (background < 0 || background >= kNumBackgrounds) {
    fail("background_phrases: background index ", background, " out of range");
  }
  return phrases[background];
}

}  // namespace hd::data::detail
