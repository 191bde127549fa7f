#include "mask_view.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include "paint_util.h"
#include "theme.h"

namespace hdui {
namespace {

int countOn(const QImage& mask) {
  if (mask.isNull()) return 0;
  const QImage g = mask.convertToFormat(QImage::Format_Grayscale8);
  int n = 0;
  for (int y = 0; y < g.height(); ++y) {
    const uchar* row = g.constScanLine(y);
    for (int x = 0; x < g.width(); ++x) n += row[x] >= 128;
  }
  return n;
}

}  // namespace

MaskCanvas::MaskCanvas(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void MaskCanvas::setTitle(const QString& title) {
  title_ = title;
  update();
}

void MaskCanvas::setMask(const QImage& mask) {
  mask_ = mask;
  update();
}

void MaskCanvas::setPlaceholder(const QString& text) {
  placeholder_ = text;
  update();
}

void MaskCanvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QPalette& pal = palette();
  const int titleH = fontMetrics().height() + 4;
  p.setPen(pal.color(QPalette::WindowText));
  p.drawText(QRect(0, 0, width(), titleH), Qt::AlignHCenter | Qt::AlignVCenter,
             fontMetrics().elidedText(title_, Qt::ElideRight, width()));
  const QRectF area = QRectF(rect()).adjusted(2, titleH + 2, -2, -2);
  if (mask_.isNull()) {
    p.fillRect(area, theme::mix(pal.color(QPalette::Window), pal.color(QPalette::Base), 0.5));
    drawPlaceholder(p, area, placeholder_, pal);
    return;
  }
  QRectF target = fitRect(mask_.size(), area, devicePixelRatioF(), true);
  target.moveTop(area.top());
  const QColor on = theme::isDark(pal) ? QColor(0xf2, 0xf2, 0xf2) : QColor(0x1d, 0x1f, 0x22);
  const QColor off = theme::isDark(pal) ? QColor(0x18, 0x19, 0x1b) : QColor(0xfb, 0xfb, 0xfc);
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.drawImage(target, theme::tintedMask(mask_, on, off));
  p.setPen(QPen(theme::mix(pal.color(QPalette::WindowText), pal.color(QPalette::Window), 0.6), 0));
  p.setBrush(Qt::NoBrush);
  p.drawRect(target);
}

MaskView::MaskView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* row = new QHBoxLayout;
  raw_ = new MaskCanvas(this);
  raw_->setObjectName(QStringLiteral("rawMask"));
  refined_ = new MaskCanvas(this);
  refined_->setObjectName(QStringLiteral("refinedMask"));
  row->addWidget(raw_);
  row->addWidget(refined_);
  layout->addLayout(row, 1);
  info_ = new QLabel(this);
  info_->setWordWrap(true);
  info_->setObjectName(QStringLiteral("maskInfo"));
  layout->addWidget(info_);
  retranslate();
}

void MaskView::setMask(const MaskData& mask, int threshold, bool stale) {
  mask_ = mask;
  threshold_ = threshold;
  stale_ = stale;
  raw_->setMask(mask.raw);
  refined_->setMask(mask.refined);
  updateInfo();
}

void MaskView::clear() {
  setMask(MaskData(), 0, false);
}

QString MaskView::infoText() const {
  return info_->text();
}

void MaskView::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(event);
}

void MaskView::retranslate() {
  raw_->setTitle(tr("Thresholded"));
  refined_->setTitle(tr("Refined"));
  raw_->setPlaceholder(tr("no mask"));
  refined_->setPlaceholder(tr("no mask"));
  updateInfo();
}

void MaskView::updateInfo() {
  if (mask_.isNull()) {
    info_->setText(
        tr("The mask is built from the highlighted token's map at the collection "
           "step."));
    return;
  }
  const int pixels = mask_.refined.width() * mask_.refined.height();
  QString text = tr("Threshold %1 · thresholded %2 px · refined %3 px of %4 · area %5%")
                     .arg(threshold_)
                     .arg(countOn(mask_.raw))
                     .arg(countOn(mask_.refined))
                     .arg(pixels)
                     .arg(double(mask_.area) * 100.0, 0, 'f', 1);
  if (stale_) text += QStringLiteral(" · ") + tr("(built with other settings)");
  info_->setText(text);
}

}  // namespace hdui
