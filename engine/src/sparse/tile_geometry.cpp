#include "sparse/tile_geometry.h"

#include <algorithm>

#include <torch/torch.h>

#include "common/error.h"

namespace hd {

const torch::Tensor& LevelGeometry::token_index_on(const torch::Device& device) const {
  if (token_index.device() == device) return token_index;
  if (!token_index_device_.defined() || token_index_device_.device() != device) {
    token_index_device_ = token_index.to(device);
  }
  return token_index_device_;
}

int64_t SparseGeometry::total_tiles() const {
  int64_t n = 0;
  for (const auto& l : levels) n += l.tiles_x * l.tiles_y;
  return n;
}

int64_t SparseGeometry::active_tiles() const {
  int64_t n = 0;
  for (const auto& l : levels) n += l.count();
  return n;
}

std::vector<BlockGridLevel> SparseGeometry::grids() const {
  std::vector<BlockGridLevel> out;
  for (const auto& l : levels) {
    BlockGridLevel g;
    g.width = static_cast<int>(l.width);
    g.height = static_cast<int>(l.height);
    g.block = static_cast<int>(l.block);
    g.tiles_x = static_cast<int>(l.tiles_x);
    g.tiles_y = static_cast<int>(l.tiles_y);
    g.active = l.active;
    g.active_count = static_cast<int>(l.count());
    out.push_back(std::move(g));
  }
  return out;
}

SparseGeometry make_sparse_geometry(const ByteMask& mask, int levels, const TileOptions& o) {
  if (mask.width <= 0 || mask.height <= 0 ||
      mask.data.size() != static_cast<size_t>(mask.width) * mask.height) {
    fail("sparse geometry: mask of ", mask.width, "x", mask.height, " has ", mask.data.size(), " pixels");
  }
  SparseGeometry g;
  std::vector<uint8_t> cur(mask.data.begin(), mask.data.end());
  int64_t H = mask.height, W = mask.width;
  for (int level = 0; level < levels; ++level) {
    if (level > 0) {  // max-pool by 2 (ceil for odd sizes, as the UNet's strided convs)
      const int64_t h2 = (H + 1) / 2, w2 = (W + 1) / 2;
      std::vector<uint8_t> next(static_cast<size_t>(h2 * w2), 0);
      for (int64_t y = 0; y < H; ++y) {
        for (int64_t x = 0; x < W; ++x) {
          if (cur[y * W + x]) next[(y / 2) * w2 + x / 2] = 255;
        }
      }
      cur.swap(next);
      H = h2;
      W = w2;
    }
    std::vector<uint8_t> m = cur;
    for (int d = 0; d < o.dilation; ++d) {  // 3x3 dilation
      std::vector<uint8_t> next = m;
      for (int64_t y = 0; y < H; ++y) {
        for (int64_t x = 0; x < W; ++x) {
          if (!m[y * W + x]) continue;
          for (int64_t dy = -1; dy <= 1; ++dy) {
            for (int64_t dx = -1; dx <= 1; ++dx) {
              const int64_t yy = y + dy, xx = x + dx;
              if (yy >= 0 && yy < H && xx >= 0 && xx < W) next[yy * W + xx] = 255;
            }
          }
        }
      }
      m.swap(next);
    }
    LevelGeometry l;
    l.height = H;
    l.width = W;
    l.block = std::min<int64_t>(H, W) > o.small_block_up_to ? o.block : o.small_block;
    l.whole_maps = o.whole_maps;
    l.tiles_y = (H + l.block - 1) / l.block;
    l.tiles_x = (W + l.block - 1) / l.block;
    l.active.assign(static_cast<size_t>(l.tiles_y * l.tiles_x), 0);
    std::vector<int64_t> tokens;
    for (int64_t ty = 0; ty < l.tiles_y; ++ty) {
      for (int64_t tx = 0; tx < l.tiles_x; ++tx) {
        bool on = false;
        for (int64_t y = ty * l.block; y < std::min(H, (ty + 1) * l.block) && !on; ++y) {
          for (int64_t x = tx * l.block; x < std::min(W, (tx + 1) * l.block); ++x) {
            if (m[y * W + x]) {
              on = true;
              break;
            }
          }
        }
        if (!on) continue;
        l.active[ty * l.tiles_x + tx] = 1;
        l.ys.push_back(static_cast<int32_t>(ty * l.block));
        l.xs.push_back(static_cast<int32_t>(tx * l.block));
        for (int64_t y = ty * l.block; y < std::min(H, (ty + 1) * l.block); ++y) {
          for (int64_t x = tx * l.block; x < std::min(W, (tx + 1) * l.block); ++x) tokens.push_back(y * W + x);
        }
      }
    }
    l.token_index = torch::tensor(tokens, torch::kLong);
    g.levels.push_back(std::move(l));
  }
  return g;
}

}  // namespace hd
