#include "dump.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace hd::cli {
namespace {

void check(const Status& st) {
  if (!st.ok()) throw std::runtime_error(st.message());
}

// Nearest-neighbour upscaling so that small maps stay crisp.
Image gray(int w, int h, int scale, const std::function<uint8_t(int, int)>& value) {
  Image img;
  img.width = w * scale;
  img.height = h * scale;
  img.rgb.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const uint8_t v = value(x / scale, y / scale);
      uint8_t* p = &img.rgb[(static_cast<size_t>(y) * img.width + x) * 3];
      p[0] = p[1] = p[2] = v;
    }
  }
  return img;
}

std::string safe(const std::string& text) {
  std::string out;
  for (unsigned char c : text) out += std::isalnum(c) ? static_cast<char>(c) : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

void write_dump(const std::string& dir, const GenerateResult& result, const std::vector<StepEvent>& events) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  std::ostringstream csv;
  csv << "step,timestep,mode,ms,active_tiles,total_tiles,macs,dense_macs\n";
  for (const auto& e : events) {
    csv << e.step << ',' << e.timestep << ',' << (e.mode == StepMode::kFull ? "full" : "partial") << ','
        << e.ms << ',' << e.active_tiles << ',' << e.total_tiles << ',' << static_cast<long long>(e.macs) << ','
        << static_cast<long long>(e.dense_macs) << '\n';
  }
  check(save_text(csv.str(), (fs::path(dir) / "steps.csv").string()));
  if (!result.attention) return;
  const AttentionReport& r = *result.attention;
  const int scale = std::max(1, 256 / std::max(1, r.mask.refined.width));
  for (size_t i = 0; i < r.maps.size(); ++i) {
    const FloatMap& m = r.maps[i];
    const auto [lo, hi] = std::minmax_element(m.data.begin(), m.data.end());
    const float range = std::max(*hi - *lo, 1e-12f);
    char name[64];
    std::snprintf(name, sizeof name, "token_%02zu_%s.png", i, safe(r.tokens[i].text).c_str());
    check(save_png(gray(m.width, m.height, scale, [&](int x, int y) {
                     return static_cast<uint8_t>(255.0f * (m.data[y * m.width + x] - *lo) / range);
                   }),
                   (fs::path(dir) / name).string()));
  }
  for (const auto* mask : {&r.mask.raw, &r.mask.refined}) {
    check(save_png(gray(mask->width, mask->height, scale, [&](int x, int y) { return mask->data[y * mask->width + x]; }),
                   (fs::path(dir) / (mask == &r.mask.raw ? "mask_raw.png" : "mask_refined.png")).string()));
  }
  for (const auto& g : r.mask.grids) {
    const int s = std::max(1, 256 / std::max(1, g.width));
    check(save_png(gray(g.width, g.height, s,
                        [&](int x, int y) {
                          const bool on = g.active[(y / g.block) * g.tiles_x + x / g.block];
                          const bool edge = x % g.block == 0 || y % g.block == 0;
                          return static_cast<uint8_t>(on ? (edge ? 160 : 255) : (edge ? 60 : 0));
                        }),
                   (fs::path(dir) / ("blocks_" + std::to_string(g.width) + "x" + std::to_string(g.height) + ".png")).string()));
  }
}

}  // namespace hd::cli
