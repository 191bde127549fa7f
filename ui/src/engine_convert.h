// Conversions between the engine's plain structs (hd/engine.h) and the UI's Qt value types
// (types.h). Together with the worker, the only place where the UI sees engine types.
#pragma once

#include "hd/engine.h"
#include "types.h"

namespace hdui {

QImage toQImage(const hd::Image& image);
HeatMap toHeatMap(const hd::FloatMap& map);
QImage toMaskImage(const hd::ByteMask& mask);
MaskData toMaskData(const hd::MaskReport& mask);
AttentionData toAttentionData(const hd::AttentionReport& report);
StepData toStepData(const hd::StepEvent& event, quint64 runId, Pass pass);
RunResult toRunResult(const hd::GenerateResult& result, quint64 runId, Pass pass,
                      const GenerationParams& params);
ModelInfoData toModelInfo(const hd::ModelInfo& info, Device device);

hd::HighlightOptions toHighlightOptions(const HighlightParams& params);
hd::GenerateRequest toGenerateRequest(const GenerationParams& params);
// The inverse of toAttentionData, for Engine::remask: maps, tokens and words (the mask is
// what remask recomputes and is left empty).
hd::AttentionReport toAttentionReport(const AttentionData& data);

}  // namespace hdui
