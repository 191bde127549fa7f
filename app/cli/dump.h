// hd generate --dump DIR: the method's intermediate results as files.
#pragma once

#include <string>

#include "hd/engine.h"

namespace hd::cli {

// Writes per-token heatmaps (token_NN_<text>.png), mask_raw.png, mask_refined.png,
// blocks_<level>.png per resolution, and steps.csv (step, mode, ms, active tiles, MACs).
// Throws std::runtime_error naming the file that could not be written.
void write_dump(const std::string& dir, const GenerateResult& result,
                const std::vector<StepEvent>& events);

}  // namespace hd::cli
