// MainWindow: the generation flow, showing a step (live or replayed), re-masking after a run.
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QToolTip>
#include <cmath>

#include "block_grid_view.h"
#include "engine_client.h"
#include "engine_worker.h"
#include "generation_panel.h"
#include "heatmap_grid.h"
#include "highlight_panel.h"
#include "image_view.h"
#include "latency_plot.h"
#include "main_window.h"
#include "mask_view.h"
#include "message_bar.h"
#include "model_picker.h"
#include "progress_status.h"
#include "settings.h"
#include "step_scrubber.h"
#include "token_strip.h"

namespace hdui {
namespace {

QString modelName(const QString& path) {
  const QFileInfo fi(path);
  return fi.fileName().isEmpty() ? path : fi.fileName();
}

QString timeText(double ms) {
  return ms >= 1000 ? MainWindow::tr("%1 s").arg(ms / 1000.0, 0, 'f', 2)
                    : MainWindow::tr("%1 ms").arg(ms, 0, 'f', 0);
}

}  // namespace

void MainWindow::setModel(const QString& path) {
  if (path.isEmpty()) return;
  if (client_->busy()) {
    message_->showMessage(MessageBar::Warning,
                          tr("Stop the generation before changing the model."));
    picker_->setCurrent(model_.path);
    return;
  }
  ModelRequest request;
  request.path = path;
  request.device = picker_->device();
  request.reducedPrecision = picker_->reducedPrecision();
  request.threads = Settings().threads();
  client_->loadModel(request);
  updateActions();
}

bool MainWindow::isGenerating() const {
  return client_->busy();
}
bool MainWindow::modelReady() const {
  return client_->hasModel() && !client_->loadingModel();
}

void MainWindow::onModelLoading(const QString& path) {
  modelStatus_->setText(tr("Loading model %1…").arg(modelName(path)));
  picker_->setInfo(tr("Loading…"));
  updateActions();
}

void MainWindow::onModelLoaded(const ModelInfoData& info) {
  model_ = info;
  Settings s;
  s.addRecentModel(info.path);
  s.setModelPath(info.path);
  picker_->setRecent(s.recentModels());
  picker_->setCurrent(info.path);
  generation_->setModelDefaults(info.defaultWidth, info.defaultHeight, info.vaeScaleFactor);
  highlight_->setAttentionLevels(info.attentionFactors, info.defaultWidth / info.vaeScaleFactor,
                                 info.defaultHeight / info.vaeScaleFactor);
  if (message_->kind() != MessageBar::Information) message_->dismiss();
  updateModelTexts();
  updateActions();
  emit modelLoadFinished(true);
  if (pendingGenerate_) {
    pendingGenerate_ = false;
    generate();
  }
}

void MainWindow::updateModelTexts() {
  if (model_.path.isEmpty()) {
    if (!client_->loadingModel()) modelStatus_->setText(tr("No model loaded"));
    return;
  }
  QString device = model_.device == Device::Cuda ? tr("CUDA") : tr("CPU");
  if (model_.unetDtype != QLatin1String("float32")) device = tr("%1, %2").arg(device, model_.unetDtype);
  const QString params = model_.parameters >= 1e9
                             ? tr("%1 G").arg(model_.parameters / 1e9, 0, 'f', 2)
                             : tr("%1 M").arg(model_.parameters / 1e6, 0, 'f', 1);
  picker_->setInfo(tr("%1 · %2×%3 · %4 parameters · %5")
                       .arg(model_.format)
                       .arg(model_.defaultWidth)
                       .arg(model_.defaultHeight)
                       .arg(params, device));
  modelStatus_->setText(tr("Model: %1 · %2").arg(modelName(model_.path), device));
}

void MainWindow::onModelFailed(const QString& path, const QString& message) {
  pendingGenerate_ = false;
  message_->showMessage(MessageBar::Error,
                        tr("Could not load the model “%1”: %2").arg(modelName(path), message),
                        tr("Choose Another…"), [this] { chooseModelFolder(); });
  if (!model_.path.isEmpty()) picker_->setCurrent(model_.path);
  updateModelTexts();
  if (model_.path.isEmpty()) picker_->setInfo(tr("No model loaded"));
  updateActions();
  emit modelLoadFinished(false);
}

void MainWindow::generate() {
  if (client_->busy()) return;
  if (client_->loadingModel()) {
    pendingGenerate_ = true;
    progress_->finish(tr("Waiting for the model to load…"));
    return;
  }
  if (!client_->hasModel()) {
    message_->showMessage(MessageBar::Error,
                          tr("No model is loaded. Choose a model folder or checkpoint first."),
                          tr("Choose Model…"), [this] { chooseModelFolder(); });
    return;
  }
  GenerationParams p = generation_->params(lastSeed_);
  if (p.prompt.isEmpty()) {
    message_->showMessage(MessageBar::Warning, tr("Write a prompt first."));
    generation_->promptEdit()->setFocus();
    return;
  }
  // Sizes must be multiples of the VAE's scale factor.
  const int f = std::max(1, model_.vaeScaleFactor);
  p.width = std::max(f, p.width / f * f);
  p.height = std::max(f, p.height / f * f);
  p.highlight = highlight_->params();
  p.compareDense = highlight_->compareDense() && p.highlight.enabled;
  message_->dismiss();

  const quint64 id = client_->generate(p);
  record_.reset(id, p, model_);
  lastRunOk_ = false;
  remaskInFlight_ = 0;
  remaskPending_ = false;
  shownReportStep_ = -2;
  shownAttention_ = AttentionData();
  focusedToken_ = -1;
  focusedByUser_ = false;
  latency_->reset(p.steps);
  scrubber_->reset();
  tokens_->clear();
  heatmaps_->clear();
  mask_->clear();
  blocks_->clear();
  gridLevel_->clear();
  image_->clearOverlays();
  image_->setImage(QImage());
  image_->setCaption(QString());
  image_->setPlaceholder(tr("Encoding the prompt…"));
  baseline_->clearOverlays();
  baseline_->setImage(QImage());
  baseline_->setCaption(QString());
  baseline_->setVisible(p.compareDense);
  image_->setTitle(p.compareDense ? tr("Highlight") : QString());
  compareSummary_->clear();
  compareSummary_->hide();
  showAttention(AttentionData(), false);
  progress_->start(p.highlight.enabled ? tr("Highlight run") : tr("Dense run"), p.steps);
  updateActions();
}

void MainWindow::stop() {
  if (!client_->busy()) return;
  client_->cancel();
  progress_->finish(tr("Stopping…"));
}

void MainWindow::onRunStarted(quint64 runId, Pass pass, int totalSteps) {
  if (runId != record_.runId()) return;
  const bool dense = pass == Pass::Baseline || !record_.params().highlight.enabled;
  progress_->start(pass == Pass::Baseline ? tr("Dense baseline")
                   : dense                ? tr("Dense run")
                                          : tr("Highlight run"),
                   totalSteps);
}

void MainWindow::onStep(const StepData& step) {
  if (step.runId != record_.runId()) return;
  record_.addStep(step);
  latency_->addStep(step);
  progress_->step(step.step + 1, step.totalSteps, step.elapsedMs);
  if (step.pass == Pass::Baseline) {
    if (scrubber_->live()) {
      if (!step.preview.isNull()) baseline_->setImage(step.preview);
      baseline_->setCaption(tr("Step %1/%2 · dense · %3")
                                .arg(step.step + 1)
                                .arg(step.totalSteps)
                                .arg(timeText(step.ms)));
    }
    return;
  }
  scrubber_->setAvailable(record_.stepCount(), false);
  updateActions();
}

void MainWindow::onRunFinished(const RunResult& result) {
  if (result.runId != record_.runId()) return;
  record_.setResult(result);
  const RunResult* hl = record_.result(Pass::Highlight);
  const RunResult* base = record_.result(Pass::Baseline);
  latency_->setTotals(hl ? hl->denoiseMs() : 0, base ? base->denoiseMs() : 0);
  if (result.pass == Pass::Highlight) {
    lastSeed_ = result.seed;
    generation_->setUsedSeed(result.seed);
    tokens_->setPromptInfo(result.promptTokens, model_.maxTokens, result.promptTruncated);
    lastRunOk_ = true;
    scrubber_->setAvailable(record_.stepCount(), true);
    progress_->finish(tr("Done in %1 · seed %2").arg(timeText(result.totalMs)).arg(result.seed));
    if (record_.params().compareDense) lastRunOk_ = false;  // the baseline is still to come
  } else {
    lastRunOk_ = true;
    if (scrubber_->live()) {
      baseline_->setImage(result.image);
      baseline_->setCaption(
          tr("Decoded · %1×%2").arg(result.image.width()).arg(result.image.height()));
    }
    progress_->finish(tr("Done · highlight %1, dense %2")
                          .arg(timeText(hl ? hl->totalMs : 0), timeText(result.totalMs)));
    showPosition(scrubber_->position());
  }
  updateCompareSummary();
  updateActions();
}

void MainWindow::onRunFailed(quint64 runId, Pass pass, const QString& message, bool cancelled) {
  if (runId != record_.runId()) return;
  record_.setFailed(pass, message, cancelled);
  lastRunOk_ = false;
  const int done = record_.stepCount(pass);
  if (cancelled) {
    progress_->finish(tr("Stopped"));
    message_->showMessage(
        MessageBar::Information,
        pass == Pass::Baseline
            ? tr("The dense baseline was stopped after %1 of %2 steps.")
                  .arg(done)
                  .arg(record_.totalSteps())
            : tr("Stopped after %1 of %2 steps. The steps so far can be replayed.")
                  .arg(done)
                  .arg(record_.totalSteps()));
  } else {
    progress_->finish(tr("Failed"));
    message_->showMessage(MessageBar::Error, tr("The generation failed: %1").arg(message));
  }
  if (record_.stepCount() == 0) image_->setPlaceholder(tr("No image: the generation did not run."));
  updateActions();
}

void MainWindow::onRunEnded(quint64 runId) {
  if (runId != record_.runId()) return;
  updateActions();
  saveSettings();
  emit generationEnded(lastRunOk_);
  maybeRemask();  // settings moved during the run apply to its maps now
}

int MainWindow::position() const {
  return scrubber_->position();
}

int MainWindow::shownStep() const {
  const int n = record_.stepCount();
  const int pos = scrubber_->position();
  if (n == 0 || pos < 0) return -1;
  return std::min(pos, n - 1);
}

void MainWindow::showPosition(int position) {
  if (record_.isEmpty() || position < 0 || record_.stepCount() == 0) return;
  const int n = record_.stepCount();
  const RunResult* result = record_.result(Pass::Highlight);
  const bool decoded = result && position >= n;
  const int step = std::min(position, n - 1);
  const StepData* sd = record_.step(step);
  const QString kind = sd && sd->kind == StepKind::Partial ? tr("partial") : tr("full");
  if (decoded) {
    image_->setImage(result->image);
    image_->setCaption(
        tr("Decoded · %1×%2").arg(result->image.width()).arg(result->image.height()));
    scrubber_->setInfo(tr("Result · %1 steps").arg(n));
  } else if (sd) {
    if (!sd->preview.isNull()) image_->setImage(sd->preview);
    image_->setCaption(
        tr("Step %1/%2 · %3 · %4").arg(step + 1).arg(sd->totalSteps).arg(kind, timeText(sd->ms)));
    scrubber_->setInfo(
        tr("Step %1/%2 · %3 · %4").arg(step + 1).arg(sd->totalSteps).arg(kind, timeText(sd->ms)));
  }
  if (!baseline_->isHidden() && !scrubber_->live()) {
    // Replaying: the baseline at the same step.
    const RunResult* base = record_.result(Pass::Baseline);
    const StepData* b = record_.step(step, Pass::Baseline);
    if (decoded && base) {
      baseline_->setImage(base->image);
      baseline_->setCaption(
          tr("Decoded · %1×%2").arg(base->image.width()).arg(base->image.height()));
    } else if (b && !b->preview.isNull()) {
      baseline_->setImage(b->preview);
      baseline_->setCaption(
          tr("Step %1/%2 · dense · %3").arg(step + 1).arg(b->totalSteps).arg(timeText(b->ms)));
    }
  }
  const AttentionData a = record_.attentionAt(step);
  const bool stale =
      !a.isNull() && !record_.maskOptionsAt(step).sameMaskOptions(highlight_->params());
  if (a.step != shownReportStep_ || remaskSerial_ != shownRemaskSerial_) {
    showAttention(a, stale);
  } else if (!a.isNull()) {
    mask_->setMask(a.mask, record_.maskOptionsAt(step).threshold, stale);
  }
  blocks_->setImage(image_->image());
  if (sd) blocks_->setStep(*sd);
  latency_->setCurrentStep(step);
}

void MainWindow::showAttention(const AttentionData& a, bool stale) {
  shownAttention_ = a;
  shownReportStep_ = a.step;
  shownRemaskSerial_ = remaskSerial_;
  const GenerationParams& p = record_.params();
  if (a.isNull()) {
    QString why;
    if (record_.isEmpty()) {
      why = tr("The prompt's tokens appear here when the attention maps are captured.");
    } else if (!p.highlight.enabled) {
      why = tr("Highlight is off: every step is dense and no attention maps are captured.");
    } else if (record_.result()) {
      why = tr("This engine reported no attention maps for the run.");
    } else {
      const int collect = int(std::lround(p.highlight.collectAt * p.steps));
      why = tr("The tokens and their attention maps appear at step %1 of %2, when the maps are "
               "captured.")
                .arg(collect + 1)
                .arg(p.steps);
    }
    tokens_->setAttention(a);
    tokens_->setPlaceholder(why);
    heatmaps_->setAttention(a);
    heatmaps_->setPlaceholder(why);
    mask_->clear();
    blocks_->setMask(MaskData());
  } else {
    tokens_->setAttention(a);
    heatmaps_->setAttention(a);
    mask_->setMask(a.mask, record_.maskOptionsAt(a.step).threshold, stale);
    blocks_->setMask(a.mask);
  }
  if (!focusedByUser_ || focusedToken_ >= a.tokens.size()) {
    focusedToken_ = a.selectedToken();
    focusedByUser_ = false;
  }
  tokens_->setFocusedToken(focusedToken_);
  heatmaps_->setFocusedToken(focusedToken_);
  // The block-grid levels to choose from for the image overlay.
  if (gridLevel_->count() != a.mask.grids.size()) {
    const QSignalBlocker block(gridLevel_);
    gridLevel_->clear();
    for (const GridLevel& g : a.mask.grids) {
      gridLevel_->addItem(QStringLiteral("%1×%2").arg(g.width).arg(g.height));
    }
  }
  heatToggle_->setEnabled(!a.maps.isEmpty());
  maskToggle_->setEnabled(!a.mask.isNull());
  gridToggle_->setEnabled(!a.mask.grids.isEmpty());
  gridLevel_->setEnabled(!a.mask.grids.isEmpty());
  updateOverlays();
}

void MainWindow::updateOverlays() {
  const AttentionData& a = shownAttention_;
  if (focusedToken_ >= 0 && focusedToken_ < a.maps.size()) {
    const TokenData& t = a.tokens.value(focusedToken_);
    const HeatMap& m = a.maps[focusedToken_];
    image_->setHeatMap(m, t.text);
    baseline_->setHeatMap(m, t.text);
  } else {
    image_->setHeatMap(HeatMap(), QString());
    baseline_->setHeatMap(HeatMap(), QString());
  }
  image_->setMask(a.mask.refined);
  baseline_->setMask(a.mask.refined);
  const int level = gridLevel_->currentIndex();
  image_->setGrid(level >= 0 && level < a.mask.grids.size() ? a.mask.grids[level] : GridLevel());
}

void MainWindow::focusToken(int index) {
  if (index < 0 || index >= shownAttention_.tokens.size()) return;
  focusedToken_ = index;
  focusedByUser_ = true;
  tokens_->setFocusedToken(index);
  heatmaps_->setFocusedToken(index);
  heatToggle_->setChecked(true);
  updateOverlays();
}

void MainWindow::showHoverRanking(double u, double v, const QPoint& globalPos) {
  const AttentionData& a = shownAttention_;
  if (a.isNull() || a.maps.isEmpty()) return;
  const HeatMap& any = a.maps.first();
  const int x = std::clamp(int(u * any.width), 0, any.width - 1);
  const int y = std::clamp(int(v * any.height), 0, any.height - 1);
  QStringList parts;
  const auto ranked = a.rankAt(u, v);
  for (int i = 0; i < ranked.size() && i < 6; ++i) {
    parts << tr("%1 %2%")
                 .arg(a.tokens[ranked[i].first].text.toHtmlEscaped())
                 .arg(ranked[i].second * 100.0, 0, 'f', 0);
  }
  const QString text = tr("At (%1, %2): %3").arg(x).arg(y).arg(parts.join(QStringLiteral(" · ")));
  heatmaps_->setHoverRanking(text);
  QToolTip::showText(globalPos, text, image_);
}

void MainWindow::maybeRemask() {
  if (client_->busy() || record_.isEmpty()) return;
  const int step = shownStep();
  const AttentionData original = record_.originalAttentionAt(step);
  if (original.isNull() || original.maps.isEmpty()) return;
  const HighlightParams want = highlight_->params();
  if (record_.maskOptionsAt(step).sameMaskOptions(want)) {
    showPosition(scrubber_->position());
    return;
  }
  if (!EngineWorker::remaskSupported()) {
    showPosition(scrubber_->position());  // marks the mask as built with other settings
    if (!remaskUnavailableShown_) {
      remaskUnavailableShown_ = true;
      message_->showMessage(MessageBar::Information,
                            tr("This engine cannot rebuild the mask from stored maps yet; "
                               "generate again to apply the new settings."));
    }
    return;
  }
  if (remaskInFlight_ != 0) {
    remaskPending_ = true;  // one at a time; the latest settings follow
    return;
  }
  RemaskRequest request;
  request.attention = original;
  request.options = want;
  const RunResult* result = record_.result();
  request.width = result ? result->image.width() : record_.params().width;
  request.height = result ? result->image.height() : record_.params().height;
  remaskOptions_ = want;
  remaskRun_ = record_.runId();
  remaskInFlight_ = client_->remask(request);
}

void MainWindow::onRemaskReady(quint64 id, const AttentionData& attention) {
  if (id != remaskInFlight_) return;
  remaskInFlight_ = 0;
  if (remaskRun_ == record_.runId()) {
    record_.setRemasked(attention, remaskOptions_);
    ++remaskSerial_;
    ++remaskCount_;
    showPosition(scrubber_->position());
    emit remaskApplied();
  }
  if (remaskPending_) {
    remaskPending_ = false;
    maybeRemask();
  }
}

void MainWindow::onRemaskFailed(quint64 id, const QString& message) {
  if (id != remaskInFlight_) return;
  remaskInFlight_ = 0;
  remaskPending_ = false;
  message_->showMessage(MessageBar::Warning, tr("Could not rebuild the mask: %1").arg(message));
  showPosition(scrubber_->position());
}

void MainWindow::updateCompareSummary() {
  const auto psnr = record_.psnr();
  const auto speedup = record_.speedup();
  compareSummary_->setVisible(psnr && speedup);
  if (!psnr || !speedup) {
    compareSummary_->clear();
    return;
  }
  const RunResult* hl = record_.result(Pass::Highlight);
  const RunResult* base = record_.result(Pass::Baseline);
  const QString db = std::isinf(*psnr) ? tr("identical") : tr("%1 dB").arg(*psnr, 0, 'f', 2);
  compareSummary_->setText(tr("PSNR vs dense: <b>%1</b> · speedup <b>%2×</b> (denoising %3 vs %4)")
                               .arg(db)
                               .arg(*speedup, 0, 'f', 2)
                               .arg(timeText(hl->denoiseMs()), timeText(base->denoiseMs())));
}

}  // namespace hdui
