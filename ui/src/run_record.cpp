#include "run_record.h"

#include <QLocale>
#include <QTextStream>
#include <cmath>
#include <limits>

namespace hdui {
namespace {

int index(Pass pass) {
  return pass == Pass::Baseline ? 1 : 0;
}

}  // namespace

void RunRecord::reset(quint64 runId, const GenerationParams& params, const ModelInfoData& model) {
  *this = RunRecord();
  runId_ = runId;
  params_ = params;
  model_ = model;
}

void RunRecord::addStep(const StepData& step) {
  if (step.runId != runId_) return;
  QVector<StepData>& steps = steps_[index(step.pass)];
  StepData stored = step;
  if (step.pass == Pass::Highlight && !step.attention.isNull()) {
    reports_.append(step.attention);
  }
  if (step.step >= steps.size()) steps.resize(step.step + 1);
  steps[step.step] = stored;
  if (step.totalSteps > 0 && step.pass == Pass::Highlight) params_.steps = step.totalSteps;
}

void RunRecord::setResult(const RunResult& result) {
  if (result.runId != runId_) return;
  results_[index(result.pass)] = result;
  if (result.pass == Pass::Highlight) params_.seed = result.seed;
  if (result.pass == Pass::Highlight && !result.attention.isNull()) {
    // The result's report is the last captured one; keep it if no step carried it.
    bool known = false;
    for (const AttentionData& a : reports_) known = known || a.step == result.attention.step;
    if (!known) reports_.append(result.attention);
  }
}

void RunRecord::setFailed(Pass, const QString&, bool cancelled) {
  failed_ = true;
  cancelled_ = cancelled;
}

int RunRecord::stepCount(Pass pass) const {
  return int(steps_[index(pass)].size());
}

const StepData* RunRecord::step(int i, Pass pass) const {
  const QVector<StepData>& steps = steps_[index(pass)];
  return i >= 0 && i < steps.size() ? &steps[i] : nullptr;
}

const RunResult* RunRecord::result(Pass pass) const {
  const auto& r = results_[index(pass)];
  return r ? &*r : nullptr;
}

AttentionData RunRecord::originalAttentionAt(int step) const {
  const AttentionData* best = nullptr;
  for (const AttentionData& a : reports_) {
    if (a.step <= step && (!best || a.step >= best->step)) best = &a;
  }
  return best ? *best : AttentionData();
}

AttentionData RunRecord::attentionAt(int step) const {
  AttentionData a = originalAttentionAt(step);
  if (!a.isNull()) {
    const auto it = remasked_.constFind(a.step);
    if (it != remasked_.cend()) return *it;
  }
  return a;
}

bool RunRecord::hasAttention() const {
  return !reports_.isEmpty();
}

void RunRecord::setRemasked(const AttentionData& attention, const HighlightParams& options) {
  if (!remaskOptions_.sameMaskOptions(options)) remasked_.clear();
  remaskOptions_ = options;
  remasked_.insert(attention.step, attention);
}

void RunRecord::clearRemasked() {
  remasked_.clear();
}

HighlightParams RunRecord::maskOptionsAt(int step) const {
  const AttentionData a = originalAttentionAt(step);
  if (!a.isNull() && remasked_.contains(a.step)) return remaskOptions_;
  return params_.highlight;
}

double RunRecord::psnr(const QImage& a, const QImage& b) {
  if (a.isNull() || a.size() != b.size()) return std::numeric_limits<double>::quiet_NaN();
  const QImage x = a.convertToFormat(QImage::Format_RGB888);
  const QImage y = b.convertToFormat(QImage::Format_RGB888);
  double se = 0;
  for (int row = 0; row < x.height(); ++row) {
    const uchar* p = x.constScanLine(row);
    const uchar* q = y.constScanLine(row);
    for (int i = 0; i < x.width() * 3; ++i) {
      const double d = double(p[i]) - double(q[i]);
      se += d * d;
    }
  }
  const double mse = se / (double(x.width()) * x.height() * 3);
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

std::optional<double> RunRecord::psnr() const {
  const RunResult* a = result(Pass::Highlight);
  const RunResult* b = result(Pass::Baseline);
  if (!a || !b) return std::nullopt;
  const double v = psnr(a->image, b->image);
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<double> RunRecord::speedup() const {
  const RunResult* a = result(Pass::Highlight);
  const RunResult* b = result(Pass::Baseline);
  if (!a || !b || a->denoiseMs() <= 0) return std::nullopt;
  return b->denoiseMs() / a->denoiseMs();
}

QString RunRecord::latencyCsv() const {
  QString out;
  QTextStream s(&out);
  const QLocale c = QLocale::c();
  s << "step,pass,mode,timestep,ms,elapsed_ms,active_tiles,total_tiles,macs,dense_macs\n";
  for (Pass pass : {Pass::Highlight, Pass::Baseline}) {
    for (const StepData& st : steps_[index(pass)]) {
      s << st.step + 1 << ',' << (pass == Pass::Baseline ? "dense" : "highlight") << ','
        << (st.kind == StepKind::Partial ? "partial" : "full") << ',' << st.timestep << ','
        << c.toString(st.ms, 'f', 3) << ',' << c.toString(st.elapsedMs, 'f', 3) << ','
        << st.activeTiles << ',' << st.totalTiles << ',' << c.toString(st.macs, 'f', 0) << ','
        << c.toString(st.denseMacs, 'f', 0) << '\n';
    }
  }
  return out;
}

}  // namespace hdui
