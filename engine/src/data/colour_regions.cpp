// Colour labelling for the scene checker: palette colours against an estimated background.
//
// Every pixel is explained as the background, as a palette colour, or as a blend of a palette
// colour with the background (anti-aliased edges, blur, downscaling); blends go to whichever
// side has the larger weight. Distances are taken in the generator's weighted RGB, a linear
// space, so that blends stay on the straight segment between two colours. The background is
// modelled as a few clusters of the image border's colours plus the blends between them
// (gradients, stripe edges, cloud edges, texture noise).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/checker_internal.h"
#include "data/scene_internal.h"

namespace hd::data::detail {
namespace {

constexpr float kMergeDistance = 20.0f;    // border colours closer than this form one cluster
constexpr double kMinClusterShare = 0.02;  // clusters with less of the border are dropped
constexpr int kMaxClusters = 8;
constexpr float kObjectTouchingBorder = 25.0f;  // a border cluster this close to a palette
constexpr double kMaxObjectBorderShare = 0.2;   // colour and this small is an object
constexpr float kBackgroundExplained = 22.0f;   // closer to the background model: background
constexpr float kMaxDistance = 70.0f;           // farther from every explanation: unknown
constexpr uint8_t kUnset = 253;

// Cluster centres (weighted RGB) of the colours in the image border.
std::vector<cv::Vec3f> border_background(const cv::Mat& rgb) {
  const int band = std::max(2, static_cast<int>(std::lround(std::min(rgb.cols, rgb.rows) / 64.0)));
  std::vector<int> count(4096, 0);
  std::vector<cv::Vec3d> sum(4096, cv::Vec3d(0, 0, 0));
  auto add = [&](const cv::Vec3b& p) {
    const int q = ((p[0] >> 4) << 8) | ((p[1] >> 4) << 4) | (p[2] >> 4);
    ++count[q];
    sum[q] += cv::Vec3d(p[0], p[1], p[2]);
  };
  for (int y = 0; y < rgb.rows; ++y) {
    const auto* row = rgb.ptr<cv::Vec3b>(y);
    if (y < band || y >= rgb.rows - band) {
      for (int x = 0; x < rgb.cols; ++x) add(row[x]);
    } else {
      for (int x = 0; x < band; ++x) add(row[x]);
      for (int x = rgb.cols - band; x < rgb.cols; ++x) add(row[x]);
    }
  }
  std::vector<int> bins;
  int total = 0;
  for (int q = 0; q < 4096; ++q) {
    if (count[q] > 0) bins.push_back(q);
    total += count[q];
  }
  std::stable_sort(bins.begin(), bins.end(), [&](int a, int b) { return count[a] > count[b]; });

  struct Cluster {
    cv::Vec3f seed;
    cv::Vec3d sum;
    int n;
  };
  std::vector<Cluster> clusters;
  for (int q : bins) {
    const cv::Vec3d mean = sum[q] / count[q];
    const cv::Vec3f m = to_metric(mean);
    Cluster* best = nullptr;
    float best_d = kMergeDistance;
    for (auto& c : clusters) {
      const float d = metric_distance(c.seed, m);
      if (d < best_d) best_d = d, best = &c;
    }
    if (best) {
      best->sum += sum[q];
      best->n += count[q];
    } else {
      clusters.push_back({m, sum[q], count[q]});
    }
  }
  std::stable_sort(clusters.begin(), clusters.end(),
                   [](const Cluster& a, const Cluster& b) { return a.n > b.n; });
  std::vector<cv::Vec3f> centres;
  for (const auto& c : clusters) {
    if (static_cast<int>(centres.size()) == kMaxClusters) break;
    if (c.n < kMinClusterShare * total) continue;
    const cv::Vec3d mean = c.sum / c.n;
    const cv::Vec3f m = to_metric(mean);
    // A small cluster of a palette colour is an object touching the border, not background.
    bool object_like = false;
    for (const auto& p : palette()) {
      object_like = object_like || metric_distance(m, to_metric(p)) < kObjectTouchingBorder;
    }
    if (object_like && c.n < kMaxObjectBorderShare * total) continue;
    centres.push_back(m);
  }
  return centres;
}

class Labeler {
 public:
  explicit Labeler(std::vector<cv::Vec3f> bg) : bg_(std::move(bg)), lut_(32768, kUnset) {
    for (int c = 0; c < kNumColours; ++c) palette_[c] = to_metric(palette()[c]);
  }

  uint8_t label(const cv::Vec3b& p) {
    const int q = ((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3);
    uint8_t& l = lut_[q];
    if (l == kUnset) {
      const cv::Vec3b centre(static_cast<uint8_t>((p[0] & 0xF8) | 4),
                             static_cast<uint8_t>((p[1] & 0xF8) | 4),
                             static_cast<uint8_t>((p[2] & 0xF8) | 4));
      l = compute(to_metric(centre));
    }
    return l;
  }

 private:
  uint8_t compute(const cv::Vec3f& x) const {
    float d_bg = std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < bg_.size(); ++i) {
      d_bg = std::min(d_bg, metric_distance(x, bg_[i]));
      for (size_t j = 0; j < i; ++j)
        d_bg = std::min(d_bg, segment_distance(x, bg_[i], bg_[j], nullptr));
    }
    if (d_bg < kBackgroundExplained) return kLabelBackground;
    float best = d_bg;
    uint8_t label = kLabelBackground;
    for (int c = 0; c < kNumColours; ++c) {
      const float d = metric_distance(x, palette_[c]);
      if (d < best) best = d, label = static_cast<uint8_t>(c);
      for (const auto& b : bg_) {
        float t = 0.0f;
        const float ds = segment_distance(x, b, palette_[c], &t);
        if (ds < best) best = ds, label = t >= 0.5f ? static_cast<uint8_t>(c) : kLabelBackground;
      }
    }
    return best > kMaxDistance ? kLabelUnknown : label;
  }

  std::vector<cv::Vec3f> bg_;
  std::array<cv::Vec3f, kNumColours> palette_;
  std::vector<uint8_t> lut_;
};

}  // namespace

cv::Mat label_colours(const cv::Mat& rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3) fail("label_colours: expected a CV_8UC3 image");
  Labeler labeler(border_background(rgb));
  cv::Mat labels(rgb.size(), CV_8U);
  for (int y = 0; y < rgb.rows; ++y) {
    const auto* in = rgb.ptr<cv::Vec3b>(y);
    auto* out = labels.ptr<uint8_t>(y);
    for (int x = 0; x < rgb.cols; ++x) out[x] = labeler.label(in[x]);
  }
  return labels;
}

std::vector<Region> colour_regions(const cv::Mat& labels, int colour, int min_area, int max_regions,
                                   cv::Mat* components) {
  const cv::Mat on = labels == colour;
  cv::Mat comp, stats, centroids;
  const int n = cv::connectedComponentsWithStats(on, comp, stats, centroids, 8, CV_32S);
  const int max_area = static_cast<int>(0.4 * labels.total());
  std::vector<Region> regions;
  for (int i = 1; i < n; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area < min_area || area > max_area) continue;
    Region r;
    r.colour = colour;
    r.component = i;
    r.area = area;
    r.bbox = {stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
              stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT)};
    r.centroid = {centroids.at<double>(i, 0), centroids.at<double>(i, 1)};
    regions.push_back(r);
  }
  std::stable_sort(regions.begin(), regions.end(),
                   [](const Region& a, const Region& b) { return a.area > b.area; });
  if (static_cast<int>(regions.size()) > max_regions) regions.resize(max_regions);
  for (auto& r : regions) {
    const cv::Mat roi = comp(r.bbox) == r.component;
    cv::Mat padded;
    cv::copyMakeBorder(roi, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    r.kind = classify_kind_index(padded);
  }
  if (components) *components = comp;
  return regions;
}

}  // namespace hd::data::detail
