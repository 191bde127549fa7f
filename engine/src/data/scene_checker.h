// The scene checker: grades an image (e.g. a generated one) against the scene spec it was
// asked for, with OpenCV only.
//
// For each expected object it looks for regions of the expected palette colour (pixels are
// classified by the nearest palette colour, with the background, estimated from the image
// border, and blends of background and object colours taken into account), classifies the
// shape of the best candidate with contour features against prototypes drawn by the
// generator itself, and checks the position: the relation between the two objects' centroids,
// or the region of the image for a single object. The image is analysed at 256 x 256 (resized
// when needed); positions, boxes and masks are reported in the input's pixels.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "data/scene.h"

namespace hd::data {

struct ObjectCheck {
  bool found = false;            // a region was matched to the object (by colour, else by kind)
  bool colour_ok = false;        // the matched region has the expected colour
  bool kind_ok = false;          // its shape was classified as the expected kind
  bool position_ok = false;      // relation / absolute position holds (needs the objects found)
  std::string predicted_kind;    // empty when not found
  std::string predicted_colour;  // empty when not found
  cv::Point2f centroid;          // input pixels
  cv::Rect bbox;                 // input pixels
  double area_fraction = 0.0;    // region area / image area
  cv::Mat mask;                  // CV_8U 0/255 of the region at the input size; empty if none
};

struct CheckResult {
  bool ok = false;                   // every object found, with right colour, kind, position
  std::vector<ObjectCheck> objects;  // in the order of the spec's objects
};

// Grades `rgb` (CV_8UC3, RGB order, any size) against `expected`. Throws hd::Error for an
// empty or non-CV_8UC3 image or an invalid spec.
CheckResult check_scene(const cv::Mat& rgb, const SceneSpec& expected);

// The checker's geometric rules, on centroids in pixels of a side x side image:
// "a <rel> b" for a relation of relations(), and "object <position>" for one of positions().
bool relation_holds(const std::string& relation, const cv::Point2f& a, const cv::Point2f& b,
                    int side);
bool position_holds(const std::string& position, const cv::Point2f& c, int side);

// The kind (one of kinds()) of one binary region (CV_8U, nonzero = inside), as the checker
// classifies it; the region should be drawn at the scale of a 256 x 256 image.
std::string classify_kind(const cv::Mat& region);

}  // namespace hd::data
