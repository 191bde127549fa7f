// Internals of the scene checker (not a public API).
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace hd::data::detail {

inline constexpr int kWorkSide = 256;  // the checker analyses images at this size
inline constexpr uint8_t kLabelBackground = 254;
inline constexpr uint8_t kLabelUnknown = 255;

// Per-pixel colour labels of an RGB image: 0..9 = palette colour, kLabelBackground or
// kLabelUnknown. The background is estimated from the image border.
cv::Mat label_colours(const cv::Mat& rgb);

// One connected region of one colour label.
struct Region {
  int colour = -1;
  int component = -1;  // id in that colour's component image
  int area = 0;
  cv::Rect bbox;
  cv::Point2d centroid;
  int kind = -1;  // classified kind
};

// The connected regions (8-connected) of label `colour` with at least `min_area` pixels,
// largest first, at most `max_regions`, with their kinds classified. `components` receives
// the component image (CV_32S) that Region::component indexes.
std::vector<Region> colour_regions(const cv::Mat& labels, int colour, int min_area, int max_regions,
                                   cv::Mat* components);

// Shape features of a binary region (CV_8U, nonzero inside) and the nearest-prototype kind.
std::vector<float> shape_features(const cv::Mat& region);
int classify_kind_index(const cv::Mat& region);

}  // namespace hd::data::detail
