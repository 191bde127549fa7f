// MainWindow: saving the image with its settings, exports, and restoring settings from a PNG
// (File > Open or drag and drop).
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QSaveFile>
#include <QStatusBar>

#include "engine_worker.h"
#include "generation_panel.h"
#include "highlight_panel.h"
#include "main_window.h"
#include "message_bar.h"
#include "model_picker.h"
#include "settings.h"
#include "theme.h"

namespace hdui {
namespace {

QString localPng(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    if (url.isLocalFile() &&
        url.toLocalFile().endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
      return url.toLocalFile();
    }
  }
  return {};
}

// A file-name-safe version of a token.
QString safeName(const QString& text) {
  QString out;
  for (QChar c : text) out += c.isLetterOrNumber() ? c : QChar(u'_');
  return out.left(24);
}

bool writeFile(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
    *error =
        MainWindow::tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
    return false;
  }
  return true;
}

bool writeImage(const QString& path, const QImage& image, QString* error) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || !image.save(&f, "png") || !f.commit()) {
    *error =
        MainWindow::tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
    return false;
  }
  return true;
}

QImage gridImage(const GridLevel& g) {
  QImage img(std::max(1, g.tilesX), std::max(1, g.tilesY), QImage::Format_Grayscale8);
  img.fill(0);
  for (int y = 0; y < g.tilesY; ++y) {
    for (int x = 0; x < g.tilesX; ++x) img.scanLine(y)[x] = g.isActive(x, y) ? 255 : 0;
  }
  return img;
}

}  // namespace

ImageMetadata MainWindow::metadata() const {
  ImageMetadata m;
  m.params = record_.params();
  m.modelPath = record_.model().path;
  m.modelName = QFileInfo(m.modelPath).fileName();
  m.device =
      record_.model().device == Device::Cuda ? QStringLiteral("cuda") : QStringLiteral("cpu");
  m.unetDtype = record_.model().unetDtype;
  m.appVersion = QApplication::applicationVersion();
  m.engineVersion = EngineWorker::engineVersion();
  if (const RunResult* r = record_.result()) {
    m.params.seed = r->seed;
    m.params.width = r->image.width();
    m.params.height = r->image.height();
    m.stepMs = r->stepMs;
    for (StepKind k : r->modes)
      m.modes << (k == StepKind::Partial ? QStringLiteral("partial") : QStringLiteral("full"));
    m.totalMs = r->totalMs;
    m.denoiseMs = r->denoiseMs();
    m.textEncoderMs = r->textEncoderMs;
    m.vaeDecodeMs = r->vaeDecodeMs;
    m.fullSteps = r->fullSteps;
    m.partialSteps = r->partialSteps;
    m.macFraction = r->denseMacs > 0 ? r->macs / r->denseMacs : 1.0;
  }
  const AttentionData a = record_.originalAttentionAt(record_.stepCount());
  if (!a.isNull()) {
    const int sel = a.selectedToken();
    if (sel >= 0) m.highlightedToken = a.tokens[sel].text;
    m.reason = a.reason;
    if (!a.mask.isNull()) m.maskArea = a.mask.area;
  }
  if (const RunResult* b = record_.result(Pass::Baseline)) {
    m.compared = true;
    m.baselineDenoiseMs = b->denoiseMs();
    m.baselineTotalMs = b->totalMs;
    m.psnr = record_.psnr().value_or(0);
    m.speedup = record_.speedup().value_or(0);
  }
  return m;
}

bool MainWindow::saveImage(const QString& path) {
  const RunResult* r = record_.result();
  QString error;
  if (!r || !png::save(path, r->image, metadata(), &error)) {
    message_->showMessage(MessageBar::Error, r ? error : tr("There is no image to save yet."));
    return false;
  }
  statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
  return true;
}

void MainWindow::saveImageAs() {
  const RunResult* r = record_.result();
  if (!r) return;
  Settings s;
  const QString dir = s.lastDirectory().isEmpty() ? QDir::homePath() : s.lastDirectory();
  const QString name =
      QStringLiteral("hd-%1-%2.png")
          .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))
          .arg(r->seed);
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Save Image"), QDir(dir).filePath(name), tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  s.setLastDirectory(QFileInfo(path).absolutePath());
  saveImage(path);
}

bool MainWindow::restoreFromImage(const QString& path) {
  ImageMetadata meta;
  QString error;
  if (!png::read(path, &meta, &error)) {
    message_->showMessage(MessageBar::Error, error);
    return false;
  }
  applyMetadata(meta, path);
  return true;
}

void MainWindow::applyMetadata(const ImageMetadata& meta, const QString& source) {
  generation_->setParams(meta.params);  // a seed >= 0 becomes the fixed seed
  highlight_->setParams(meta.params.highlight);
  highlight_->setCompareDense(meta.params.compareDense);
  QString note;
  if (!meta.modelPath.isEmpty() && meta.modelPath != model_.path) {
    if (QFileInfo::exists(meta.modelPath)) {
      picker_->setCurrent(meta.modelPath);
      setModel(meta.modelPath);
    } else {
      note = tr(" It was made with the model %1, which is not on this computer.")
                 .arg(QDir::toNativeSeparators(meta.modelPath));
    }
  } else if (meta.modelPath.isEmpty() && !meta.modelName.isEmpty() &&
             meta.modelName != QFileInfo(model_.path).fileName()) {
    note = tr(" It was made with the model “%1”.").arg(meta.modelName);
  }
  message_->showMessage(MessageBar::Information,
                        tr("Settings restored from %1.").arg(QFileInfo(source).fileName()) + note);
}

void MainWindow::openImageSettings() {
  Settings s;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open Settings from Image"),
                                                    s.lastDirectory(), tr("PNG images (*.png)"));
  if (!path.isEmpty()) restoreFromImage(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!localPng(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString path = localPng(event->mimeData());
  if (path.isEmpty()) return;
  event->acceptProposedAction();
  restoreFromImage(path);
}

bool MainWindow::exportHeatmaps(const QString& dir) {
  const AttentionData a = record_.attentionAt(std::max(0, shownStep()));
  QString error;
  if (a.isNull() || !QDir().mkpath(dir)) {
    message_->showMessage(MessageBar::Error, a.isNull()
                                                 ? tr("There are no heatmaps to export.")
                                                 : tr("Cannot create the folder %1.").arg(dir));
    return false;
  }
  const RunResult* r = record_.result();
  const QSize size = r ? r->image.size() : QSize();
  QJsonArray tokens;
  for (int i = 0; i < a.tokens.size() && i < a.maps.size(); ++i) {
    const TokenData& t = a.tokens[i];
    const QString file =
        QStringLiteral("heatmap_%1_%2.png").arg(i, 2, 10, QLatin1Char('0')).arg(safeName(t.text));
    QImage img = theme::heatImage(a.maps[i]);
    if (size.isValid()) img = img.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    if (!writeImage(QDir(dir).filePath(file), img, &error)) {
      message_->showMessage(MessageBar::Error, error);
      return false;
    }
    QJsonArray values;
    for (float v : a.maps[i].data) values.append(double(v));
    tokens.append(QJsonObject{{"index", i},
                              {"text", t.text},
                              {"word", t.word},
                              {"candidate", t.candidate},
                              {"selected", t.selected},
                              {"sum", double(t.sum)},
                              {"max", double(t.max)},
                              {"variance", double(t.variance)},
                              {"file", file},
                              {"width", a.maps[i].width},
                              {"height", a.maps[i].height},
                              {"values", values}});
  }
  const QJsonObject index{{"step", a.step},
                          {"words", QJsonArray::fromStringList(a.words)},
                          {"reason", a.reason},
                          {"tokens", tokens}};
  if (!writeFile(QDir(dir).filePath(QStringLiteral("heatmaps.json")),
                 QJsonDocument(index).toJson(QJsonDocument::Indented), &error)) {
    message_->showMessage(MessageBar::Error, error);
    return false;
  }
  statusBar()->showMessage(
      tr("Exported %1 heatmaps to %2").arg(tokens.size()).arg(QDir::toNativeSeparators(dir)), 5000);
  return true;
}

bool MainWindow::exportMask(const QString& dir) {
  const AttentionData a = record_.attentionAt(std::max(0, shownStep()));
  QString error;
  if (a.isNull() || a.mask.isNull() || !QDir().mkpath(dir)) {
    message_->showMessage(MessageBar::Error, tr("There is no mask to export."));
    return false;
  }
  const QDir d(dir);
  bool ok = writeImage(d.filePath(QStringLiteral("mask_thresholded.png")), a.mask.raw, &error) &&
            writeImage(d.filePath(QStringLiteral("mask_refined.png")), a.mask.refined, &error);
  QJsonArray levels;
  for (int i = 0; ok && i < a.mask.grids.size(); ++i) {
    const GridLevel& g = a.mask.grids[i];
    const QString file = QStringLiteral("blocks_%1x%2.png").arg(g.width).arg(g.height);
    ok = writeImage(d.filePath(file), gridImage(g), &error);
    levels.append(QJsonObject{{"width", g.width},
                              {"height", g.height},
                              {"block", g.block},
                              {"tiles_x", g.tilesX},
                              {"tiles_y", g.tilesY},
                              {"active", g.activeCount},
                              {"file", file}});
  }
  const HighlightParams options = record_.maskOptionsAt(a.step);
  ok = ok && writeFile(d.filePath(QStringLiteral("mask.json")),
                       QJsonDocument(QJsonObject{{"step", a.step},
                                                 {"threshold", options.threshold},
                                                 {"min_area", options.minArea},
                                                 {"area", double(a.mask.area)},
                                                 {"mac_fraction", a.mask.macFraction},
                                                 {"levels", levels}})
                           .toJson(QJsonDocument::Indented),
                       &error);
  if (!ok) {
    message_->showMessage(MessageBar::Error, error);
    return false;
  }
  statusBar()->showMessage(
      tr("Exported the mask and block grids to %1").arg(QDir::toNativeSeparators(dir)), 5000);
  return true;
}

bool MainWindow::exportLatencyCsv(const QString& path) {
  QString error;
  if (record_.stepCount() == 0) {
    message_->showMessage(MessageBar::Error, tr("There are no step timings to export."));
    return false;
  }
  if (!writeFile(path, record_.latencyCsv().toUtf8(), &error)) {
    message_->showMessage(MessageBar::Error, error);
    return false;
  }
  statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
  return true;
}

void MainWindow::exportHeatmapsTo() {
  Settings s;
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Export Heatmaps to Folder"), s.lastDirectory());
  if (dir.isEmpty()) return;
  s.setLastDirectory(dir);
  exportHeatmaps(dir);
}

void MainWindow::exportMaskTo() {
  Settings s;
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Export Mask to Folder"), s.lastDirectory());
  if (dir.isEmpty()) return;
  s.setLastDirectory(dir);
  exportMask(dir);
}

void MainWindow::exportLatencyCsvTo() {
  Settings s;
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export Latency CSV"),
      QDir(s.lastDirectory()).filePath(QStringLiteral("latency.csv")), tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  s.setLastDirectory(QFileInfo(path).absolutePath());
  exportLatencyCsv(path);
}

}  // namespace hdui
