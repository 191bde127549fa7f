// The procedural training domain: captioned scenes of one to three simple coloured objects on
// a background, with ground-truth masks, and a held-out split of (colour, kind) pairs.
//
// Vocabulary (every word below appears verbatim in captions):
//   kinds:   circle, square, triangle, star, ring, heart, house, tree, moon, cross, diamond,
//            flower
//   colours: red, orange, yellow, green, blue, purple, pink, white, black, brown
//   sizes:   small (~12-14% of the image side), medium (~19-23%, never said), large (~29-34%)
//   backgrounds: plain light "white" (248,248,248), "light gray" (212,212,212), "light blue"
//            (198,222,244), "cream" (250,238,205); "vertical gradient" and "horizontal
//            gradient" (light pastel pairs); "stripes" (pastel pairs); textures "grass", "sky"
//            (blue with soft clouds), "water" (waves), "sand". Objects are only drawn in colours
//            that stand out from the background (colour_fits_background): no green, black or
//            brown on grass, no blue or purple on water, no pink on sand, white only on grass
//            and water.
//   relations (2 objects): "above", "below", "left of", "right of", "next to".
//   positions (1 object):  "in the top left", "at the top", "in the top right", "on the left",
//            "in the center", "on the right", "in the bottom left", "at the bottom",
//            "in the bottom right".
//   Scenes of three objects carry no relation (relation is empty).
//
// Held-out split: the (colour, kind) pair with colour index c and kind index k (in the order
// listed above) is held out iff (4 * c + k) % 9 == 0. That reserves 14 of the 120 pairs
// (11.7%), every colour and every kind at least once:
//   red circle, red cross, orange heart, yellow square, yellow diamond, green house,
//   blue triangle, blue flower, purple tree, pink star, white moon, black ring, brown circle,
//   brown cross.
// Split::kTrain scenes never contain a held-out pair; Split::kHeldOut scenes (one or two
// objects) always contain at least one.
//
// Determinism: a scene depends on (seed, options) alone. The generator uses its own PRNG
// (data/rng.h) and OpenCV's integer rasterisation, so the same seed gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace hd::data {

enum class Split { kTrain, kHeldOut };

struct ObjectSpec {
  std::string kind;    // one of kinds()
  std::string colour;  // one of colours()
  std::string size;    // "small", "medium" or "large"
  bool operator==(const ObjectSpec&) const = default;
};

struct SceneSpec {
  std::vector<ObjectSpec> objects;  // one to three
  std::string background;           // one of backgrounds()
  // Two objects: one of relations(), read as "objects[0] <relation> objects[1]".
  // One object: one of positions(), or empty for a caption that says no position (a crop
  // of a scene; caption_for takes it, render_spec does not). Three objects: empty.
  std::string relation;
  bool operator==(const SceneSpec&) const = default;
};

struct SceneObject {
  ObjectSpec spec;
  cv::Rect bbox;         // tight box of the mask
  cv::Point2f centroid;  // mean of the mask's pixels
  cv::Mat mask;          // CV_8U, 0 or 255, full image size, visible pixels (coverage >= 50%)
};

struct Scene {
  cv::Mat rgb;  // CV_8UC3 in RGB order, size x size
  std::vector<SceneObject> objects;
  SceneSpec spec;
  std::string caption;
  uint64_t seed = 0;
};

struct SceneOptions {
  int size = 256;
  Split split = Split::kTrain;
  int min_objects = 1;
  int max_objects = 3;  // Split::kHeldOut uses at most 2
};

// Vocabulary, in the fixed order that the held-out rule indexes.
const std::vector<std::string>& kinds();
const std::vector<std::string>& colours();
const std::vector<std::string>& sizes();
const std::vector<std::string>& backgrounds();
const std::vector<std::string>& relations();
const std::vector<std::string>& positions();

// The palette colour (RGB order) of a colour word; throws hd::Error for an unknown word.
cv::Vec3b colour_rgb(const std::string& colour);
// Whether objects of this colour stay clearly visible on this background (the generator only
// draws such combinations: e.g. no green object on grass, no white object on a light plain).
bool colour_fits_background(const std::string& colour, const std::string& background);
// The held-out rule above; throws hd::Error for unknown words.
bool is_held_out_pair(const std::string& colour, const std::string& kind);
// The 14 held-out pairs as {colour, kind}.
std::vector<std::pair<std::string, std::string>> held_out_pairs();

// The random spec of a scene (what generate_scene draws). Throws hd::Error on bad options.
SceneSpec sample_spec(uint64_t seed, const SceneOptions& opt = {});
// A random scene; the same (seed, options) give bit-identical results.
Scene generate_scene(uint64_t seed, const SceneOptions& opt = {});
// Draws a scene that matches `spec` (layout, jitter and caption from `seed`). Throws
// hd::Error for an invalid spec (unknown words, wrong relation for the object count, a single
// object without a position).
Scene render_spec(const SceneSpec& spec, uint64_t seed, int size = 256);
// Throws hd::Error naming the problem when `spec` is not a valid scene description.
void validate_spec(const SceneSpec& spec);

// An English caption for `spec`, e.g. "a small red star above a blue house on sand".
// Colour and kind words appear verbatim, so does the relation or position phrase (none for a
// single object whose relation is empty); the wording varies with `variant_seed`. Always fewer
// than 20 words.
std::string caption_for(const SceneSpec& spec, uint64_t variant_seed);

// `count` held-out specs with `objects` (1 or 2) objects each, deterministic in `seed`. One
// object of each (at a random index) cycles through the held-out pairs, so all of them are
// covered evenly; the other object of a pair may be any (colour, kind).
std::vector<SceneSpec> evaluation_specs(int count, int objects, uint64_t seed);

}  // namespace hd::data
