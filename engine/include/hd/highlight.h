// Highlight Diffusion: the options and the reports of attention-guided sparse denoising.
// Plain data (no libtorch, no Qt), carried by StepEvent and GenerateResult.
//
// Plan of a generation with `steps` steps: dense ("full") steps up to the collection step
// round(collect_at * steps); at that step the cross-attention probabilities of the prompt's
// tokens are captured, one token (or the user's words) is selected, and its map becomes a
// mask; afterwards a full step every `interval` steps and at the last step, "partial" steps
// (only the masked blocks recomputed) otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hd {

enum class TokenStatistic { kVariance, kSum, kMax };
enum class StepMode { kFull, kPartial };

struct HighlightOptions {
  bool enabled = true;         // false: every step dense (the baseline)
  int interval = 5;            // a full step every `interval` steps after the collection step
  int threshold = 150;         // on the token's map normalised to 0..255
  float collect_at = 0.2f;     // fraction of the steps before the maps are captured
  TokenStatistic statistic = TokenStatistic::kVariance;
  std::vector<std::string> tokens;  // words to highlight; empty: automatic among the nouns
  bool refresh_mask = false;   // capture maps and rebuild the mask at every full step
  float min_area = 0.004f;     // refinement drops regions under this fraction of the image
  bool cuda_graphs = true;     // CUDA: replay partial steps as captured graphs (fewer launches)
  // Which cross-attention layers give the maps, by how much their feature map is downsampled
  // from the latent: 1, 2, 4, 8 are SD v1.4's 64, 32, 16 and 8 px maps at 512 x 512. Empty:
  // every cross-attention layer. Only the chosen layers pay for explicit probabilities.
  std::vector<int> map_factors;
};

struct FloatMap {  // row-major [height, width]
  int width = 0, height = 0;
  std::vector<float> data;
};

struct ByteMask {  // row-major [height, width], 0 or 255
  int width = 0, height = 0;
  std::vector<uint8_t> data;
};

struct TokenInfo {
  std::string text;        // readable token text
  int word = -1;           // index into AttentionReport::words; -1 for BOS/EOS
  bool candidate = false;  // a noun, eligible for automatic selection
  bool selected = false;   // highlighted
  float sum = 0, max = 0, variance = 0;  // statistics of its map (normalised to sum 1 over tokens)
};

// Active tiles of one feature-map resolution.
struct BlockGridLevel {
  int width = 0, height = 0;  // feature map size
  int block = 0;              // output tile size in pixels of this level
  int tiles_x = 0, tiles_y = 0;
  std::vector<uint8_t> active;  // [tiles_y * tiles_x], 1 = computed in partial steps
  int active_count = 0;
};

struct MaskReport {
  ByteMask raw;                       // the selected map thresholded (latent resolution)
  ByteMask refined;                   // after dropping small connected regions
  float area = 0;                     // refined mask: fraction of the image
  std::vector<BlockGridLevel> grids;  // one per UNet resolution, highest first
  double mac_fraction = 1.0;          // predicted MACs of a partial step / a dense step
};

struct AttentionReport {
  int step = 0;                       // the step whose maps these are
  std::vector<std::string> words;     // the prompt's words
  std::vector<TokenInfo> tokens;      // BOS, prompt tokens, EOS (no padding)
  std::vector<FloatMap> maps;         // one per token, latent resolution, mean over layers/heads
  bool truncated = false;             // the prompt was longer than the tokenizer's limit
  std::string reason;                 // why the selected token was chosen, for people
  MaskReport mask;
};

}  // namespace hd
