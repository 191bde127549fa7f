// RunRecord: everything one generation reported, kept for replay (the step scrubber), for
// re-masking after the run, for saving and for export: the steps of the highlight run and of
// the dense baseline, the attention reports, the results, PSNR and speedup.
#pragma once

#include <QMap>
#include <QString>
#include <QVector>
#include <optional>

#include "types.h"

namespace hdui {

class RunRecord {
 public:
  void reset(quint64 runId, const GenerationParams& params, const ModelInfoData& model);
  bool isEmpty() const { return runId_ == 0; }
  quint64 runId() const { return runId_; }
  const GenerationParams& params() const { return params_; }
  const ModelInfoData& model() const { return model_; }

  void addStep(const StepData& step);
  void setResult(const RunResult& result);
  void setFailed(Pass pass, const QString& message, bool cancelled);

  int stepCount(Pass pass = Pass::Highlight) const;
  const StepData* step(int index, Pass pass = Pass::Highlight) const;
  int totalSteps() const { return params_.steps; }
  const RunResult* result(Pass pass = Pass::Highlight) const;
  bool failed() const { return failed_; }
  bool cancelled() const { return cancelled_; }

  // The attention report in effect at `step` of the highlight run (the latest captured at or
  // before it; the result's after the run), or a null report. A re-masked version replaces
  // the engine's when one was stored.
  AttentionData attentionAt(int step) const;
  // The engine's own report in effect at `step` (never re-masked).
  AttentionData originalAttentionAt(int step) const;
  bool hasAttention() const;

  // Re-masked reports, by the step of the report they rebuild, with the options used.
  void setRemasked(const AttentionData& attention, const HighlightParams& options);
  void clearRemasked();
  HighlightParams maskOptionsAt(int step) const;  // what the shown mask was built with

  // Between the highlight and baseline images (dB); nullopt without both.
  std::optional<double> psnr() const;
  // Denoising time of the baseline over that of the highlight run; nullopt without both.
  std::optional<double> speedup() const;

  // step,pass,mode,timestep,ms,elapsed_ms,active_tiles,total_tiles,macs,dense_macs
  QString latencyCsv() const;

  static double psnr(const QImage& a, const QImage& b);

 private:
  quint64 runId_ = 0;
  GenerationParams params_;
  ModelInfoData model_;
  QVector<StepData> steps_[2];
  std::optional<RunResult> results_[2];
  QVector<AttentionData> reports_;  // in step order
  QMap<int, AttentionData> remasked_;
  HighlightParams remaskOptions_;
  bool failed_ = false, cancelled_ = false;
};

}  // namespace hdui
