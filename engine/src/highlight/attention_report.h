// From captured cross-attention maps to the highlighted token and its refined mask.
#pragma once

#include <torch/types.h>

#include "hd/highlight.h"
#include "tokenizers/tokenizer.h"

namespace hd {

// Token list, per-token maps and statistics from maps [S, H, W] (S = tokenizer length).
// Padding after EOS is dropped.
AttentionReport make_attention_report(const torch::Tensor& maps, const TokenizedText& text,
                                      int step);

// Chooses the highlighted token(s) -- the user's words, or the candidate noun with the
// highest statistic -- and builds the raw and refined masks (threshold on the map normalised
// to 0..255, then connected regions under min_area of the image dropped). Fills
// tokens[].selected, reason, mask.raw, mask.refined and mask.area. Throws hd::Error when
// user words are not in the prompt.
void select_and_mask(AttentionReport& report, const HighlightOptions& options);

}  // namespace hd
