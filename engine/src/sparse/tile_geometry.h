// Active tiles of every UNet resolution for a mask: the block grid of Highlight Diffusion.
//
// The mask (latent resolution) is max-pooled to each level (a pixel of a coarser level is
// active when any latent pixel it covers is), optionally dilated, and cut into square output
// tiles; a tile is active when any active pixel falls inside it. Every layer of a level
// computes the same output tiles, reading a halo around them from full maps.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "hd/highlight.h"

namespace hd {

struct LevelGeometry {
  int64_t height = 0, width = 0;  // feature map size of this level
  int64_t block = 4;              // output tile size
  int64_t tiles_y = 0, tiles_x = 0;
  std::vector<uint8_t> active;    // [tiles_y * tiles_x]
  std::vector<int32_t> ys, xs;    // top-left corners of the active tiles
  torch::Tensor token_index;      // [Na] int64: flat y * width + x of every pixel of the active tiles
  // token_index on `device`, copied once (no host-to-device copy per step, none in CUDA graphs).
  const torch::Tensor& token_index_on(const torch::Device& device) const;
  int64_t active_pixels() const { return token_index.defined() ? token_index.size(0) : 0; }
  int64_t count() const { return static_cast<int64_t>(ys.size()); }
  // Every tile active (and whole maps allowed): the level's partial layers compute every
  // pixel, so they run as dense layers on the whole map (the same values without the tiles'
  // gathers, halo windows and scatters).
  bool all_active() const { return whole_maps && count() > 0 && count() == tiles_y * tiles_x; }
  bool whole_maps = true;  // TileOptions::whole_maps

 private:
  mutable torch::Tensor token_index_device_;
};

struct TileOptions {
  int block = 4;              // output tile size
  int small_block = 2;        // at levels of at most `small_block_up_to` pixels a side
  // 2-pixel tiles at 16x16 maps make a 5% mask's partial step faster than 4-pixel tiles, in
  // runs side by side on 2 CPU cores: hd-shapes 22.1 -> 16.2 ms, SD v1.4 at 512 1284 -> 956
  // ms, at 256 690 -> 580 ms; for 0-5% more error inside the mask (hd bench masks' error
  // ratio, random weights). At 32x32 they gain nothing.
  int small_block_up_to = 16;
  int dilation = 0;           // pixels added around the mask at every level
  // Levels whose tiles are all active run as whole maps (false: as tiles, for tests). SD v1.4
  // at 512, 100% mask, 2 CPU cores, side by side: partial step 5813 -> 5004 ms in float32
  // (84% -> 98% of its MAC bound), 3730 -> 3334 ms in bfloat16 (84% -> 98%); 20-50% masks,
  // whose levels are not all active, unchanged.
  bool whole_maps = true;
};

struct SparseGeometry {
  std::vector<LevelGeometry> levels;  // level 0 = latent resolution
  int64_t total_tiles() const;
  int64_t active_tiles() const;
  std::vector<BlockGridLevel> grids() const;  // for reports
};

// mask: [H, W] 0/255 at latent resolution; `levels` resolutions, each half the previous.
SparseGeometry make_sparse_geometry(const ByteMask& mask, int levels, const TileOptions& options = {});

}  // namespace hd
