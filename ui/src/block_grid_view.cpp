#include "block_grid_view.h"

#include <QCheckBox>
#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>
#include <algorithm>

#include "paint_util.h"
#include "theme.h"

namespace hdui {

class LevelCanvas : public QWidget {
 public:
  explicit LevelCanvas(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setMinimumSize(90, 100);
  }
  GridLevel level;
  QImage mask;
  QImage image;
  bool showImage = false;
  QSize sizeHint() const override { return {150, 170}; }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    const QPalette& pal = palette();
    const int titleH = fontMetrics().height() + 4;
    const QString title = BlockGridView::tr("%1×%2 · tile %3 · %4/%5")
                              .arg(level.width)
                              .arg(level.height)
                              .arg(level.block)
                              .arg(level.activeCount)
                              .arg(level.tileCount());
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(QRect(0, 0, width(), titleH), Qt::AlignCenter,
               fontMetrics().elidedText(title, Qt::ElideRight, width()));
    const QRectF area = QRectF(rect()).adjusted(2, titleH + 2, -2, -2);
    QRectF target = fitRect(QSize(level.width, level.height), area, devicePixelRatioF(), true);
    if (target.isEmpty()) return;
    target.moveTop(area.top());
    const bool dark = theme::isDark(pal);
    p.fillRect(target, dark ? QColor(0x18, 0x19, 0x1b) : QColor(0xfb, 0xfb, 0xfc));
    if (showImage && !image.isNull()) {
      p.setRenderHint(QPainter::SmoothPixmapTransform, true);
      p.drawImage(target, image);
    } else if (!mask.isNull()) {
      const QColor on = dark ? QColor(0x5a, 0x5d, 0x63) : QColor(0xc9, 0xcc, 0xd2);
      p.setRenderHint(QPainter::SmoothPixmapTransform, false);
      p.drawImage(target, theme::tintedMask(mask, on));
    }
    QColor fill = theme::partialStepColor(pal);
    fill.setAlphaF(showImage ? 0.3f : 0.45f);
    QColor grid = pal.color(QPalette::WindowText);
    grid.setAlphaF(0.18f);
    drawBlockGrid(p, target, level, fill, theme::partialStepColor(pal), grid);
    p.setPen(
        QPen(theme::mix(pal.color(QPalette::WindowText), pal.color(QPalette::Window), 0.6), 0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(target);
  }
};

BlockGridView::BlockGridView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  grid_ = new QGridLayout;
  grid_->setSpacing(6);
  layout->addLayout(grid_, 1);
  placeholder_ = new QLabel(this);
  placeholder_->setAlignment(Qt::AlignCenter);
  placeholder_->setWordWrap(true);
  placeholder_->setForegroundRole(QPalette::PlaceholderText);
  layout->addWidget(placeholder_, 1);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setObjectName(QStringLiteral("blockSummary"));
  stepInfo_ = new QLabel(this);
  stepInfo_->setWordWrap(true);
  stepInfo_->setObjectName(QStringLiteral("blockStep"));
  showImage_ = new QCheckBox(this);
  layout->addWidget(summary_);
  layout->addWidget(stepInfo_);
  layout->addWidget(showImage_);
  connect(showImage_, &QCheckBox::toggled, this, [this](bool on) {
    for (LevelCanvas* c : canvases_) {
      c->showImage = on;
      c->update();
    }
  });
  retranslate();
  rebuild();
}

void BlockGridView::setMask(const MaskData& mask) {
  mask_ = mask;
  rebuild();
}

void BlockGridView::setImage(const QImage& image) {
  image_ = image;
  for (LevelCanvas* c : canvases_) {
    c->image = image;
    c->update();
  }
}

void BlockGridView::setStep(const StepData& step) {
  step_ = step;
  hasStep_ = true;
  updateTexts();
}

void BlockGridView::clear() {
  mask_ = MaskData();
  image_ = QImage();
  hasStep_ = false;
  rebuild();
}

int BlockGridView::levelCount() const {
  return int(canvases_.size());
}
QString BlockGridView::summaryText() const {
  return summary_->text();
}
QString BlockGridView::stepText() const {
  return stepInfo_->text();
}

void BlockGridView::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(event);
}

void BlockGridView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  relayout();
}

void BlockGridView::retranslate() {
  showImage_->setText(tr("Show the image underneath"));
  placeholder_->setText(
      tr("No block grid yet. Partial steps compute only the tiles the mask "
         "touches; they appear here after the collection step."));
  updateTexts();
  for (LevelCanvas* c : canvases_) c->update();
}

void BlockGridView::rebuild() {
  const int wanted = int(mask_.grids.size());
  while (canvases_.size() > wanted) delete canvases_.takeLast();
  while (canvases_.size() < wanted) canvases_.append(new LevelCanvas(this));
  for (int i = 0; i < wanted; ++i) {
    LevelCanvas* c = canvases_[i];
    c->level = mask_.grids[i];
    c->mask = mask_.refined;
    c->image = image_;
    c->showImage = showImage_->isChecked();
    c->update();
  }
  placeholder_->setVisible(wanted == 0);
  columns_ = 0;
  relayout();
  updateTexts();
}

void BlockGridView::relayout() {
  if (canvases_.isEmpty()) return;
  // The number of columns that gives each level's grid the most room.
  const int n = int(canvases_.size());
  const int titleH = fontMetrics().height() + 8;
  const int w = std::max(1, width() - 8);
  const int h = std::max(1, height() - 8 - summary_->sizeHint().height() -
                                stepInfo_->sizeHint().height() - showImage_->sizeHint().height());
  int cols = 1, best = -1;
  for (int c = 1; c <= n; ++c) {
    const int rows = (n + c - 1) / c;
    const int side = std::min(w / c - 6, h / rows - titleH);
    if (side > best) {
      best = side;
      cols = c;
    }
  }
  if (cols == columns_) return;
  columns_ = cols;
  for (LevelCanvas* c : canvases_) grid_->removeWidget(c);
  for (int i = 0; i < n; ++i) grid_->addWidget(canvases_[i], i / cols, i % cols);
}

void BlockGridView::updateTexts() {
  if (mask_.grids.isEmpty()) {
    summary_->clear();
  } else {
    const int active = mask_.activeTiles(), total = mask_.totalTiles();
    summary_->setText(tr("Active tiles %1 of %2 (%3%) · predicted MACs of a partial step: "
                         "%4% of dense")
                          .arg(active)
                          .arg(total)
                          .arg(total > 0 ? 100.0 * active / total : 0.0, 0, 'f', 1)
                          .arg(mask_.macFraction * 100.0, 0, 'f', 1));
  }
  if (!hasStep_) {
    stepInfo_->clear();
    return;
  }
  const double frac = step_.denseMacs > 0 ? step_.macs / step_.denseMacs : 1.0;
  if (step_.kind == StepKind::Partial) {
    stepInfo_->setText(tr("Step %1: partial, %2 of %3 tiles computed, %4% of dense MACs")
                           .arg(step_.step + 1)
                           .arg(step_.activeTiles)
                           .arg(step_.totalTiles)
                           .arg(frac * 100.0, 0, 'f', 1));
  } else {
    stepInfo_->setText(tr("Step %1: full, every tile computed").arg(step_.step + 1));
  }
}

}  // namespace hdui
