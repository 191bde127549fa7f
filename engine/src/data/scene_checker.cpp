// The scene checker: matches expected objects to colour regions and checks kinds and positions.
#include "data/scene_checker.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/checker_internal.h"
#include "data/scene_internal.h"

namespace hd::data {
namespace {

using detail::kWorkSide;
using detail::Region;

constexpr double kMinAreaFraction = 0.002;  // smaller regions are noise (a small star: ~0.5%)
constexpr int kCandidatesPerColour = 3;

// Regions and component images of the colours looked at so far.
class RegionCache {
 public:
  explicit RegionCache(cv::Mat labels) : labels_(std::move(labels)) {
    min_area_ = static_cast<int>(kMinAreaFraction * labels_.total());
  }

  const std::vector<Region>& regions(int colour) {
    auto it = regions_.find(colour);
    if (it == regions_.end()) {
      cv::Mat comp;
      auto r = detail::colour_regions(labels_, colour, min_area_, kCandidatesPerColour, &comp);
      components_[colour] = comp;
      it = regions_.emplace(colour, std::move(r)).first;
    }
    return it->second;
  }
  cv::Mat mask(const Region& r) const { return components_.at(r.colour) == r.component; }

 private:
  cv::Mat labels_;
  int min_area_ = 0;
  std::map<int, std::vector<Region>> regions_;
  std::map<int, cv::Mat> components_;
};

// Best assignment of candidate regions to the expected objects: most objects found, then
// most kinds right, then the largest regions; one region serves one object at most.
std::vector<const Region*> assign(const std::vector<std::vector<const Region*>>& cands,
                                  const std::vector<int>& want_kind) {
  const size_t n = cands.size();
  std::vector<const Region*> best(n, nullptr), cur(n, nullptr);
  long best_score = -1;
  auto rec = [&](auto&& self, size_t i, long score) -> void {
    if (i == n) {
      if (score > best_score) best_score = score, best = cur;
      return;
    }
    for (size_t c = 0; c <= cands[i].size(); ++c) {
      const Region* r = c < cands[i].size() ? cands[i][c] : nullptr;
      if (r && std::find(cur.begin(), cur.begin() + i, r) != cur.begin() + i) continue;
      cur[i] = r;
      long s = score;
      if (r) s += 100000 + (r->kind == want_kind[i] ? 1000 : 0) - static_cast<long>(c);
      self(self, i + 1, s);
    }
    cur[i] = nullptr;
  };
  rec(rec, 0, 0);
  return best;
}

}  // namespace

bool relation_holds(const std::string& relation, const cv::Point2f& a, const cv::Point2f& b,
                    int side) {
  const double dx = (b.x - a.x) / side, dy = (b.y - a.y) / side;
  if (relation == "above") return dy >= 0.05 && dy >= 0.75 * std::abs(dx);
  if (relation == "below") return -dy >= 0.05 && -dy >= 0.75 * std::abs(dx);
  if (relation == "left of") return dx >= 0.05 && dx >= 0.75 * std::abs(dy);
  if (relation == "right of") return -dx >= 0.05 && -dx >= 0.75 * std::abs(dy);
  if (relation == "next to") return std::abs(dx) >= 0.05 && std::abs(dx) >= 1.5 * std::abs(dy);
  fail("relation_holds: unknown relation '", relation, "'");
}

bool position_holds(const std::string& position, const cv::Point2f& c, int side) {
  const auto& all = positions();
  const auto it = std::find(all.begin(), all.end(), position);
  if (it == all.end()) fail("position_holds: unknown position '", position, "'");
  const int i = static_cast<int>(it - all.begin());
  const int col = i % 3, row = i / 3;
  auto band = [](double v, int k) {
    if (k == 0) return v < 0.38;
    if (k == 1) return v > 0.3 && v < 0.7;
    return v > 0.62;
  };
  const double x = c.x / side, y = c.y / side;
  // "at the top" / "at the bottom" name only the row, "on the left" / "on the right" only the
  // column; corners and the center name both.
  const bool check_col = !(col == 1 && row != 1);
  const bool check_row = !(row == 1 && col != 1);
  return (!check_col || band(x, col)) && (!check_row || band(y, row));
}

std::string classify_kind(const cv::Mat& region) {
  const int k = detail::classify_kind_index(region);
  return k >= 0 ? kinds()[k] : std::string();
}

CheckResult check_scene(const cv::Mat& rgb, const SceneSpec& expected) {
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    fail("check_scene: expected a non-empty CV_8UC3 RGB image, got ", rgb.cols, "x", rgb.rows,
         " of type ", rgb.type());
  }
  validate_spec(expected);
  cv::Mat work = rgb;
  if (rgb.cols != kWorkSide || rgb.rows != kWorkSide) {
    const bool shrink = rgb.cols > kWorkSide || rgb.rows > kWorkSide;
    cv::resize(rgb, work, cv::Size(kWorkSide, kWorkSide), 0, 0,
               shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  RegionCache cache(detail::label_colours(work));

  const auto& objs = expected.objects;
  const size_t n = objs.size();
  std::vector<int> want_colour(n), want_kind(n);
  std::vector<std::vector<const Region*>> cands(n);
  for (size_t i = 0; i < n; ++i) {
    want_colour[i] = detail::colour_index(objs[i].colour);
    want_kind[i] = detail::kind_index(objs[i].kind);
    for (const auto& r : cache.regions(want_colour[i])) cands[i].push_back(&r);
  }
  std::vector<const Region*> chosen = assign(cands, want_kind);

  // Objects without a region of their colour: the largest region of another colour that has
  // the expected kind (found, but with the wrong colour).
  for (size_t i = 0; i < n; ++i) {
    if (chosen[i]) continue;
    for (int c = 0; c < detail::kNumColours; ++c) {
      if (c == want_colour[i]) continue;
      for (const auto& r : cache.regions(c)) {
        if (r.kind != want_kind[i]) continue;
        if (std::find(chosen.begin(), chosen.end(), &r) != chosen.end()) continue;
        if (!chosen[i] || r.area > chosen[i]->area) chosen[i] = &r;
      }
    }
  }

  CheckResult result;
  result.objects.resize(n);
  const double sx = static_cast<double>(rgb.cols) / kWorkSide;
  const double sy = static_cast<double>(rgb.rows) / kWorkSide;
  for (size_t i = 0; i < n; ++i) {
    ObjectCheck& oc = result.objects[i];
    const Region* r = chosen[i];
    if (!r) continue;
    oc.found = true;
    oc.predicted_colour = colours()[r->colour];
    oc.predicted_kind = r->kind >= 0 ? kinds()[r->kind] : "";
    oc.colour_ok = r->colour == want_colour[i];
    oc.kind_ok = r->kind == want_kind[i];
    oc.centroid = {static_cast<float>((r->centroid.x + 0.5) * sx - 0.5),
                   static_cast<float>((r->centroid.y + 0.5) * sy - 0.5)};
    oc.area_fraction = static_cast<double>(r->area) / (kWorkSide * kWorkSide);
    cv::Mat m = cache.mask(*r);
    if (m.size() != rgb.size()) {
      cv::resize(m, m, rgb.size(), 0, 0, cv::INTER_LINEAR);
      cv::threshold(m, m, 127, 255, cv::THRESH_BINARY);
    }
    oc.mask = m;
    oc.bbox = cv::boundingRect(m);
  }

  // Positions, on the analysed (square) image.
  auto work_centroid = [&](size_t i) {
    return cv::Point2f(static_cast<float>(chosen[i]->centroid.x),
                       static_cast<float>(chosen[i]->centroid.y));
  };
  if (n == 1 && chosen[0]) {
    // A prompt that names no position ("a red heart on grass") takes any.
    result.objects[0].position_ok =
        expected.relation.empty() || position_holds(expected.relation, work_centroid(0), kWorkSide);
  } else if (n == 2 && chosen[0] && chosen[1]) {
    const bool ok =
        relation_holds(expected.relation, work_centroid(0), work_centroid(1), kWorkSide);
    result.objects[0].position_ok = result.objects[1].position_ok = ok;
  } else if (n == 3) {
    for (size_t i = 0; i < n; ++i) result.objects[i].position_ok = chosen[i] != nullptr;
  }
  result.ok = std::all_of(result.objects.begin(), result.objects.end(), [](const ObjectCheck& o) {
    return o.found && o.colour_ok && o.kind_ok && o.position_ok;
  });
  return result;
}

}  // namespace hd::data
