#include "image_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include "paint_util.h"
#include "theme.h"

namespace hdui {
namespace {

constexpr int kMargin = 6;

void drawBadge(QPainter& p, const QPointF& at, const QString& text, const QPalette& pal,
               Qt::Alignment corner) {
  if (text.isEmpty()) return;
  p.save();
  QFont f = p.font();
  f.setPointSizeF(f.pointSizeF() * 0.92);
  p.setFont(f);
  const QFontMetricsF fm(f);
  const QSizeF size(fm.horizontalAdvance(text) + 14, fm.height() + 6);
  QRectF r(at, size);
  if (corner & Qt::AlignBottom) r.moveBottom(at.y());
  if (corner & Qt::AlignRight) r.moveRight(at.x());
  p.setRenderHint(QPainter::Antialiasing, true);
  QColor bg = pal.color(QPalette::Window);
  bg.setAlphaF(0.82f);
  p.setPen(Qt::NoPen);
  p.setBrush(bg);
  p.drawRoundedRect(r, 5, 5);
  p.setPen(pal.color(QPalette::WindowText));
  p.drawText(r, Qt::AlignCenter, text);
  p.restore();
}

}  // namespace

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void ImageView::setImage(const QImage& image) {
  image_ = image;
  update();
}

void ImageView::setTitle(const QString& title) {
  title_ = title;
  update();
}

void ImageView::setCaption(const QString& caption) {
  caption_ = caption;
  update();
}

void ImageView::setPlaceholder(const QString& text) {
  placeholder_ = text;
  update();
}

void ImageView::setHeatMap(const HeatMap& map, const QString& label) {
  heat_ = theme::heatImage(map, 255);
  heatLabel_ = label;
  update();
}

void ImageView::setMask(const QImage& mask) {
  mask_ = mask.isNull() ? QImage() : mask.convertToFormat(QImage::Format_Grayscale8);
  maskShade_ = theme::tintedMask(mask_, Qt::transparent, QColor(0, 0, 0, 120));
  // The outline: every pixel edge between an inside and an outside pixel.
  maskEdges_ = QPainterPath();
  const int w = mask_.width(), h = mask_.height();
  auto on = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < w && y < h && mask_.constScanLine(y)[x] >= 128;
  };
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (!on(x, y)) continue;
      if (!on(x, y - 1)) maskEdges_.moveTo(x, y), maskEdges_.lineTo(x + 1, y);
      if (!on(x, y + 1)) maskEdges_.moveTo(x, y + 1), maskEdges_.lineTo(x + 1, y + 1);
      if (!on(x - 1, y)) maskEdges_.moveTo(x, y), maskEdges_.lineTo(x, y + 1);
      if (!on(x + 1, y)) maskEdges_.moveTo(x + 1, y), maskEdges_.lineTo(x + 1, y + 1);
    }
  }
  update();
}

void ImageView::setGrid(const GridLevel& level) {
  grid_ = level;
  update();
}

void ImageView::clearOverlays() {
  heat_ = QImage();
  heatLabel_.clear();
  setMask(QImage());
  grid_ = GridLevel();
  update();
}

void ImageView::setOverlays(int overlays) {
  overlays_ = overlays;
  update();
}

QRectF ImageView::imageRect() const {
  QSize size = image_.size();
  if (size.isEmpty() && !mask_.isNull()) size = mask_.size();
  if (size.isEmpty()) return {};
  // The preview is tiny (latent size): scale it to the decoded image's aspect, not crisply.
  return fitRect(size, QRectF(rect()).adjusted(kMargin, kMargin, -kMargin, -kMargin),
                 devicePixelRatioF(), false);
}

void ImageView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QPalette& pal = palette();
  p.fillRect(rect(), theme::mix(pal.color(QPalette::Window), pal.color(QPalette::Base), 0.5));
  const QRectF target = imageRect();
  if (target.isEmpty()) {
    drawPlaceholder(p, rect(), placeholder_, pal);
    drawBadge(p, QPointF(kMargin + 4, kMargin + 4), title_, pal, Qt::AlignTop | Qt::AlignLeft);
    return;
  }
  if (!image_.isNull()) {
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(target, image_);
  } else {
    p.fillRect(target, pal.color(QPalette::Base));
  }
  if ((overlays_ & HeatOverlay) && !heat_.isNull()) {
    p.save();
    p.setOpacity(0.62);
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(target, heat_);
    p.restore();
  }
  if ((overlays_ & MaskOverlay) && !mask_.isNull()) {
    // A spotlight: outside the mask dimmed, the region outlined.
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(target, maskShade_);
    p.save();
    p.translate(target.topLeft());
    p.scale(target.width() / mask_.width(), target.height() / mask_.height());
    p.setRenderHint(QPainter::Antialiasing, false);
    QPen pen(theme::accent(pal).lighter(130), 2.0, Qt::SolidLine, Qt::SquareCap);
    pen.setCosmetic(true);  // 2 px wide whatever the scale
    p.setPen(pen);
    p.drawPath(maskEdges_);
    p.restore();
  }
  if ((overlays_ & GridOverlay) && grid_.tileCount() > 0) {
    QColor fill = theme::partialStepColor(pal);
    fill.setAlphaF(0.22f);
    QColor grid = pal.color(QPalette::WindowText);
    grid.setAlphaF(0.22f);
    drawBlockGrid(p, target, grid_, fill, theme::partialStepColor(pal), grid);
  }
  p.setPen(QPen(theme::mix(pal.color(QPalette::WindowText), pal.color(QPalette::Window), 0.7), 0));
  p.setBrush(Qt::NoBrush);
  p.drawRect(target);

  const QPointF tl = target.topLeft() + QPointF(6, 6);
  drawBadge(p, tl, title_, pal, Qt::AlignTop | Qt::AlignLeft);
  if ((overlays_ & HeatOverlay) && !heat_.isNull()) {
    drawBadge(p, target.topRight() + QPointF(-6, 6), heatLabel_, pal,
              Qt::AlignTop | Qt::AlignRight);
  }
  drawBadge(p, target.bottomLeft() + QPointF(6, -6), caption_, pal,
            Qt::AlignBottom | Qt::AlignLeft);
}

void ImageView::mouseMoveEvent(QMouseEvent* event) {
  const QRectF target = imageRect();
  const QPointF pos = event->position();
  if (target.contains(pos)) {
    emit hovered((pos.x() - target.x()) / target.width(), (pos.y() - target.y()) / target.height(),
                 event->globalPosition().toPoint());
  } else {
    emit hoverLeft();
  }
}

void ImageView::leaveEvent(QEvent*) {
  emit hoverLeft();
}

}  // namespace hdui
