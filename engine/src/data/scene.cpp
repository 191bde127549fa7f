// The scene generator: vocabulary, held-out rule, spec sampling, layout and compositing.
#include "data/scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/scene_internal.h"

namespace hd::data {

using detail::kNumBackgrounds;
using detail::kNumColours;
using detail::kNumKinds;

namespace {

// Independent random streams of one scene seed.
enum Stream : uint64_t {
  kSpecStream = 1,
  kLayoutStream = 2,
  kBackgroundStream = 3,
  kCaptionStream = 4
};

// The held-out rule on vocabulary indices (see scene.h).
constexpr bool held_out_indices(int colour, int kind) {
  return (4 * colour + kind) % 9 == 0;
}

constexpr double kMargin = 0.03;  // free border around objects, fraction of the side
constexpr double kGap = 0.03;     // minimum gap between two objects' boxes

int index_of(const std::vector<std::string>& words, const std::string& w, const char* what) {
  const auto it = std::find(words.begin(), words.end(), w);
  if (it == words.end()) {
    std::string known;
    for (const auto& k : words) known += (known.empty() ? "" : ", ") + k;
    fail("unknown ", what, " '", w, "' (known: ", known, ")");
  }
  return static_cast<int>(it - words.begin());
}

// An object's coverage patch with its tight box and centroid (patch coordinates), and where it
// is placed (patch origin in the image).
struct Placed {
  cv::Mat patch;
  cv::Rect tight;
  cv::Point2d centroid;
  cv::Point origin;

  cv::Rect box() const { return tight + origin; }
  cv::Point2d centre() const { return centroid + cv::Point2d(origin); }
  // Moves the patch so that its centroid lands near `c` (image coordinates).
  void place_centroid(const cv::Point2d& c) {
    origin = {static_cast<int>(std::lround(c.x - centroid.x)),
              static_cast<int>(std::lround(c.y - centroid.y))};
  }
};

Placed make_placed(const ObjectSpec& o, int side, Rng& rng) {
  const auto range = detail::size_extent(detail::size_index(o.size));
  const double extent = rng.uniform(range.lo, range.hi) * side;
  Placed p;
  p.patch = detail::draw_shape(detail::kind_index(o.kind), extent, rng);
  const cv::Mat on = p.patch >= 128;
  const cv::Moments m = cv::moments(on, true);
  if (m.m00 <= 0) fail("render_spec: image side ", side, " px is too small to draw a ", o.kind);
  p.tight = cv::boundingRect(on);
  p.centroid = {m.m10 / m.m00, m.m01 / m.m00};
  return p;
}

bool inside(const Placed& p, int side) {
  const int m = std::max(1, static_cast<int>(std::lround(kMargin * side)));
  const cv::Rect b = p.box();
  return b.x >= m && b.y >= m && b.x + b.width <= side - m && b.y + b.height <= side - m;
}

bool separated(const Placed& a, const Placed& b, int side) {
  const int g = std::max(1, static_cast<int>(std::lround(kGap * side)));
  cv::Rect ra = a.box();
  ra.x -= g;
  ra.y -= g;
  ra.width += 2 * g;
  ra.height += 2 * g;
  return (ra & b.box()).area() == 0;
}

// The generator's (strict) version of a relation between two centroids; the checker is more
// lenient, so that a drawn scene always passes it.
bool relation_strict(const std::string& rel, const cv::Point2d& a, const cv::Point2d& b, int side) {
  const double dx = (b.x - a.x) / side, dy = (b.y - a.y) / side;
  if (rel == "above") return dy >= 0.2 && std::abs(dx) <= 0.35 * dy;
  if (rel == "below") return -dy >= 0.2 && std::abs(dx) <= -0.35 * dy;
  if (rel == "left of") return dx >= 0.2 && std::abs(dy) <= 0.35 * dx;
  if (rel == "right of") return -dx >= 0.2 && std::abs(dy) <= -0.35 * dx;
  if (rel == "next to") return std::abs(dx) >= 0.2 && std::abs(dy) <= 0.08;
  return false;
}

// Column (0..2) and row (0..2) of an absolute position.
std::pair<int, int> position_cell(const std::string& pos) {
  const int i = index_of(positions(), pos, "position");
  return {i % 3, i / 3};
}

// A uniform centroid coordinate (pixels) in [lo, hi] and in the feasible range that keeps the
// object's box inside the image; the nearest feasible value when the two do not meet.
double sample_axis(Rng& rng, double lo, double hi, double feasible_lo, double feasible_hi) {
  const double a = std::max(lo, feasible_lo), b = std::min(hi, feasible_hi);
  if (a <= b) return rng.uniform(a, b);
  return lo > feasible_hi ? feasible_hi : feasible_lo;
}

// Feasible centroid ranges (pixels) of an object whose box must stay inside the margins.
struct Feasible {
  double x0, x1, y0, y1;
};
Feasible feasible(const Placed& p, int side) {
  const double m = std::max(1L, std::lround(kMargin * side));
  return {m - p.tight.x + p.centroid.x, side - m - p.tight.br().x + p.centroid.x,
          m - p.tight.y + p.centroid.y, side - m - p.tight.br().y + p.centroid.y};
}

void layout_one(Placed& p, const std::string& pos, int side, Rng& rng) {
  static const double kLo[3] = {0.1, 0.43, 0.73}, kHi[3] = {0.27, 0.57, 0.9};
  const auto [col, row] = position_cell(pos);
  const Feasible f = feasible(p, side);
  const double x = sample_axis(rng, kLo[col] * side, kHi[col] * side, f.x0, f.x1);
  const double y = sample_axis(rng, kLo[row] * side, kHi[row] * side, f.y0, f.y1);
  p.place_centroid({x, y});
}

void layout_two(Placed& a, Placed& b, const std::string& rel, int side, Rng& rng) {
  const Feasible fa = feasible(a, side);
  for (int attempt = 0; attempt < 4000; ++attempt) {
    a.place_centroid(
        {rng.uniform(fa.x0, std::max(fa.x0, fa.x1)), rng.uniform(fa.y0, std::max(fa.y0, fa.y1))});
    const double along = rng.uniform(0.2, 0.75) * side;
    const double across = rng.uniform(-0.35, 0.35) * along;
    cv::Point2d d;
    if (rel == "above") d = {across, along};
    if (rel == "below") d = {across, -along};
    if (rel == "left of") d = {along, across};
    if (rel == "right of") d = {-along, across};
    if (rel == "next to") {
      d = {rng.chance(0.5) ? along : -along, rng.uniform(-0.08, 0.08) * side};
    }
    b.place_centroid(a.centre() + d);
    if (inside(a, side) && inside(b, side) && separated(a, b, side) &&
        relation_strict(rel, a.centre(), b.centre(), side)) {
      return;
    }
  }
  // Fallback (not reached for the size classes): a at one end, b at the other.
  const Feasible fb = feasible(b, side);
  const double mx = side * 0.5, my = side * 0.5;
  if (rel == "above" || rel == "below") {
    const bool up = rel == "above";
    a.place_centroid({mx, up ? fa.y0 : fa.y1});
    b.place_centroid({mx, up ? fb.y1 : fb.y0});
  } else {
    const bool left = rel != "right of";
    a.place_centroid({left ? fa.x0 : fa.x1, my});
    b.place_centroid({left ? fb.x1 : fb.x0, my});
  }
  if (!(inside(a, side) && inside(b, side) && separated(a, b, side) &&
        relation_strict(rel, a.centre(), b.centre(), side))) {
    fail("render_spec: cannot lay out two objects with relation '", rel, "' in ", side, " px");
  }
}

void layout_many(std::vector<Placed>& ps, int side, Rng& rng) {
  for (int attempt = 0; attempt < 4000; ++attempt) {
    for (auto& p : ps) {
      const Feasible f = feasible(p, side);
      p.place_centroid(
          {rng.uniform(f.x0, std::max(f.x0, f.x1)), rng.uniform(f.y0, std::max(f.y0, f.y1))});
    }
    bool ok = true;
    for (size_t i = 0; i < ps.size() && ok; ++i) {
      ok = inside(ps[i], side);
      for (size_t j = 0; j < i && ok; ++j) ok = separated(ps[i], ps[j], side);
    }
    if (ok) return;
  }
  fail("render_spec: cannot fit ", ps.size(), " objects of these sizes into ", side, " px");
}

// Blends the patch's colour into `rgb` by its coverage; returns the object's mask.
cv::Mat composite(cv::Mat& rgb, const Placed& p, const cv::Vec3b& colour) {
  cv::Mat mask(rgb.size(), CV_8U, cv::Scalar(0));
  const cv::Rect dst = cv::Rect(p.origin, p.patch.size()) & cv::Rect(0, 0, rgb.cols, rgb.rows);
  for (int y = dst.y; y < dst.y + dst.height; ++y) {
    const auto* a = p.patch.ptr<uint8_t>(y - p.origin.y);
    auto* px = rgb.ptr<cv::Vec3b>(y);
    auto* mk = mask.ptr<uint8_t>(y);
    for (int x = dst.x; x < dst.x + dst.width; ++x) {
      const int w = a[x - p.origin.x];
      if (w == 0) continue;
      for (int c = 0; c < 3; ++c) {
        px[x][c] = static_cast<uint8_t>((px[x][c] * (255 - w) + colour[c] * w + 127) / 255);
      }
      if (w >= 128) mk[x] = 255;
    }
  }
  return mask;
}

const std::array<std::array<bool, kNumBackgrounds>, kNumColours>& fit_table() {
  static const auto table = [] {
    std::array<std::array<bool, kNumBackgrounds>, kNumColours> t{};
    for (int c = 0; c < kNumColours; ++c) {
      const cv::Vec3f x = detail::to_metric(detail::palette()[c]);
      for (int b = 0; b < kNumBackgrounds; ++b) {
        const auto& keys = detail::background_keys(b);
        float d = 1e9f;
        for (size_t i = 0; i < keys.size(); ++i) {
          const cv::Vec3f ki = detail::to_metric(keys[i]);
          d = std::min(d, detail::metric_distance(x, ki));
          for (size_t j = 0; j < i; ++j) {
            d = std::min(d, detail::segment_distance(x, ki, detail::to_metric(keys[j]), nullptr));
          }
        }
        t[c][b] = d >= detail::kMinObjectBackgroundDistance;
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

// ---- vocabulary ----------------------------------------------------------------------------

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> v = {"circle", "square", "triangle", "star",
                                             "ring",   "heart",  "house",    "tree",
                                             "moon",   "cross",  "diamond",  "flower"};
  return v;
}
const std::vector<std::string>& colours() {
  static const std::vector<std::string> v = {"red",    "orange", "yellow", "green", "blue",
                                             "purple", "pink",   "white",  "black", "brown"};
  return v;
}
const std::vector<std::string>& sizes() {
  static const std::vector<std::string> v = {"small", "medium", "large"};
  return v;
}
const std::vector<std::string>& backgrounds() {
  static const std::vector<std::string> v = {"white",
                                             "light gray",
                                             "light blue",
                                             "cream",
                                             "vertical gradient",
                                             "horizontal gradient",
                                             "stripes",
                                             "grass",
                                             "sky",
                                             "water",
                                             "sand"};
  return v;
}
const std::vector<std::string>& relations() {
  static const std::vector<std::string> v = {"above", "below", "left of", "right of", "next to"};
  return v;
}
const std::vector<std::string>& positions() {
  static const std::vector<std::string> v = {
      "in the top left",    "at the top",    "in the top right",
      "on the left",        "in the center", "on the right",
      "in the bottom left", "at the bottom", "in the bottom right"};
  return v;
}

namespace detail {
int kind_index(const std::string& kind) {
  return index_of(kinds(), kind, "kind");
}
int colour_index(const std::string& colour) {
  return index_of(colours(), colour, "colour");
}
int background_index(const std::string& bg) {
  return index_of(backgrounds(), bg, "background");
}
int size_index(const std::string& size) {
  return index_of(sizes(), size, "size");
}

const std::array<cv::Vec3b, kNumColours>& palette() {
  static const std::array<cv::Vec3b, kNumColours> p = {{
      {215, 35, 35},    // red
      {245, 140, 20},   // orange
      {245, 215, 30},   // yellow
      {40, 150, 60},    // green
      {35, 75, 210},    // blue
      {125, 45, 165},   // purple
      {240, 125, 185},  // pink
      {250, 250, 250},  // white
      {25, 25, 25},     // black
      {120, 70, 35},    // brown
  }};
  return p;
}
}  // namespace detail

cv::Vec3b colour_rgb(const std::string& colour) {
  return detail::palette()[detail::colour_index(colour)];
}

bool colour_fits_background(const std::string& colour, const std::string& background) {
  return fit_table()[detail::colour_index(colour)][detail::background_index(background)];
}

bool is_held_out_pair(const std::string& colour, const std::string& kind) {
  return held_out_indices(detail::colour_index(colour), detail::kind_index(kind));
}

std::vector<std::pair<std::string, std::string>> held_out_pairs() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : colours()) {
    for (const auto& k : kinds()) {
      if (is_held_out_pair(c, k)) out.emplace_back(c, k);
    }
  }
  return out;
}

void validate_spec(const SceneSpec& spec) {
  const size_t n = spec.objects.size();
  if (n < 1 || n > 3) fail("scene spec: expected 1 to 3 objects, got ", n);
  for (const auto& o : spec.objects) {
    detail::kind_index(o.kind);
    detail::colour_index(o.colour);
    detail::size_index(o.size);
  }
  detail::background_index(spec.background);
  if (n == 1 && !spec.relation.empty())
    index_of(positions(), spec.relation, "position (one object)");
  if (n == 2) index_of(relations(), spec.relation, "relation (two objects)");
  if (n == 3 && !spec.relation.empty()) {
    fail("scene spec: three objects take no relation, got '", spec.relation, "'");
  }
}

// ---- sampling --------------------------------------------------------------------------------

namespace {

// Draws a (colour, kind) for one object that fits `bg` (or any background when bg < 0),
// obeys the split and differs from the objects already chosen.
std::pair<int, int> draw_pair(Rng& rng, int bg, bool held_out, bool allow_held_out,
                              const std::vector<ObjectSpec>& taken) {
  static const auto pairs = held_out_pairs();
  for (int attempt = 0; attempt < 10000; ++attempt) {
    int c, k;
    if (held_out) {
      const auto& p = pairs[rng.below(static_cast<int>(pairs.size()))];
      c = detail::colour_index(p.first);
      k = detail::kind_index(p.second);
    } else {
      c = rng.below(kNumColours);
      k = rng.below(kNumKinds);
      if (!allow_held_out && held_out_indices(c, k)) continue;
    }
    if (bg >= 0 && !fit_table()[c][bg]) continue;
    const bool dup = std::any_of(taken.begin(), taken.end(), [&](const ObjectSpec& o) {
      return o.colour == colours()[c] && o.kind == kinds()[k];
    });
    if (!dup) return {c, k};
  }
  fail("scene sampling: no (colour, kind) fits background ", bg);
}

int draw_background_for(Rng& rng, int colour) {
  for (int attempt = 0; attempt < 10000; ++attempt) {
    const int b = rng.below(kNumBackgrounds);
    if (fit_table()[colour][b]) return b;
  }
  fail("scene sampling: no background fits colour ", colours()[colour]);
}

// A spec whose object `anchor` is drawn first (held out when `held_out`), then the
// background, then the other objects.
SceneSpec draw_spec(Rng& rng, int n, int anchor, bool held_out, bool allow_held_out) {
  SceneSpec spec;
  spec.objects.resize(n);
  std::vector<ObjectSpec> taken;
  const auto [c0, k0] = draw_pair(rng, -1, held_out, allow_held_out, taken);
  const int bg = draw_background_for(rng, c0);
  spec.background = backgrounds()[bg];
  spec.objects[anchor] = {kinds()[k0], colours()[c0], ""};
  taken.push_back(spec.objects[anchor]);
  for (int i = 0; i < n; ++i) {
    if (i == anchor) continue;
    const auto [c, k] = draw_pair(rng, bg, false, allow_held_out, taken);
    spec.objects[i] = {kinds()[k], colours()[c], ""};
    taken.push_back(spec.objects[i]);
  }
  bool large_seen = false;
  for (auto& o : spec.objects) {
    int s = rng.below(3);
    // Three objects: at most one large one, so that they always fit.
    if (n == 3 && s == 2 && large_seen) s = 1;
    large_seen = large_seen || s == 2;
    o.size = sizes()[s];
  }
  if (n == 1) spec.relation = positions()[rng.below(9)];
  if (n == 2) spec.relation = relations()[rng.below(5)];
  return spec;
}

}  // namespace

SceneSpec sample_spec(uint64_t seed, const SceneOptions& opt) {
  if (opt.size < 32 || opt.size > 4096)
    fail("scene options: size ", opt.size, " not in [32, 4096]");
  const int max_n = opt.split == Split::kHeldOut ? std::min(opt.max_objects, 2) : opt.max_objects;
  if (opt.min_objects < 1 || opt.min_objects > max_n || max_n > 3) {
    fail("scene options: objects [", opt.min_objects, ", ", opt.max_objects,
         "] not within [1, 3] (held-out scenes: [1, 2])");
  }
  Rng rng(derive_seed(seed, kSpecStream));
  const int n = opt.min_objects + rng.below(max_n - opt.min_objects + 1);
  const bool held_out = opt.split == Split::kHeldOut;
  const int anchor = rng.below(n);
  return draw_spec(rng, n, anchor, held_out, held_out);
}

Scene render_spec(const SceneSpec& spec, uint64_t seed, int size) {
  validate_spec(spec);
  if (spec.objects.size() == 1 && spec.relation.empty())
    fail("render_spec: a single ", spec.objects[0].kind, " needs a position (one of positions())");
  if (size < 32 || size > 4096) fail("render_spec: size ", size, " not in [32, 4096]");
  Rng layout(derive_seed(seed, kLayoutStream));
  std::vector<Placed> placed;
  for (const auto& o : spec.objects) placed.push_back(make_placed(o, size, layout));
  if (placed.size() == 1) layout_one(placed[0], spec.relation, size, layout);
  if (placed.size() == 2) layout_two(placed[0], placed[1], spec.relation, size, layout);
  if (placed.size() == 3) layout_many(placed, size, layout);

  Scene scene;
  scene.spec = spec;
  scene.seed = seed;
  scene.rgb.create(size, size, CV_8UC3);
  Rng bg_rng(derive_seed(seed, kBackgroundStream));
  detail::draw_background(detail::background_index(spec.background), scene.rgb, bg_rng);
  for (size_t i = 0; i < placed.size(); ++i) {
    SceneObject obj;
    obj.spec = spec.objects[i];
    obj.mask = composite(scene.rgb, placed[i], colour_rgb(obj.spec.colour));
    obj.bbox = placed[i].box();
    const cv::Point2d c = placed[i].centre();
    obj.centroid = {static_cast<float>(c.x), static_cast<float>(c.y)};
    scene.objects.push_back(std::move(obj));
  }
  scene.caption = caption_for(spec, derive_seed(seed, kCaptionStream));
  return scene;
}

Scene generate_scene(uint64_t seed, const SceneOptions& opt) {
  return render_spec(sample_spec(seed, opt), seed, opt.size);
}

std::vector<SceneSpec> evaluation_specs(int count, int objects, uint64_t seed) {
  if (count < 0) fail("evaluation_specs: count ", count, " is negative");
  if (objects < 1 || objects > 2) fail("evaluation_specs: objects ", objects, " must be 1 or 2");
  auto pairs = held_out_pairs();
  Rng rng(derive_seed(seed, 0xE7A1));
  for (int i = static_cast<int>(pairs.size()) - 1; i > 0; --i) {
    std::swap(pairs[i], pairs[rng.below(i + 1)]);
  }
  std::vector<SceneSpec> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    const auto& p = pairs[i % pairs.size()];
    const int c0 = detail::colour_index(p.first);
    const int anchor = rng.below(objects);
    SceneSpec spec;
    spec.objects.resize(objects);
    spec.objects[anchor] = {p.second, p.first, sizes()[rng.below(3)]};
    const int bg = draw_background_for(rng, c0);
    spec.background = backgrounds()[bg];
    if (objects == 2) {
      const auto [c, k] = draw_pair(rng, bg, false, true, {spec.objects[anchor]});
      spec.objects[1 - anchor] = {kinds()[k], colours()[c], sizes()[rng.below(3)]};
      spec.relation = relations()[rng.below(5)];
    } else {
      spec.relation = positions()[rng.below(9)];
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace hd::data
