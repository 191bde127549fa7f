#include "paint_util.h"

#include <algorithm>
#include <cmath>

#include "theme.h"
#include "types.h"

namespace hdui {

QRectF fitRect(const QSize& image, const QRectF& bounds, qreal dpr, bool crisp) {
  if (image.isEmpty() || bounds.isEmpty()) return {};
  dpr = std::max<qreal>(dpr, 1.0);
  qreal scale = std::min(bounds.width() / image.width(), bounds.height() / image.height());
  if (crisp) {
    // Whole device pixels per image pixel, when there is room for at least one.
    const qreal device = std::floor(scale * dpr);
    if (device >= 1.0) scale = device / dpr;
  }
  const QSizeF size(image.width() * scale, image.height() * scale);
  QPointF topLeft(bounds.x() + (bounds.width() - size.width()) / 2,
                  bounds.y() + (bounds.height() - size.height()) / 2);
  if (crisp)
    topLeft = QPointF(std::round(topLeft.x() * dpr) / dpr, std::round(topLeft.y() * dpr) / dpr);
  return {topLeft, size};
}

void drawPlaceholder(QPainter& painter, const QRectF& rect, const QString& text,
                     const QPalette& palette) {
  painter.save();
  painter.setPen(theme::mutedText(palette));
  painter.drawText(rect.adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, text);
  painter.restore();
}

void drawBlockGrid(QPainter& painter, const QRectF& target, const GridLevel& level,
                   const QColor& fill, const QColor& line, const QColor& grid) {
  if (level.tilesX <= 0 || level.tilesY <= 0 || level.width <= 0 || level.height <= 0) return;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, false);
  const double sx = target.width() / level.width;
  const double sy = target.height() / level.height;
  const int block = std::max(1, level.block);
  auto tileRect = [&](int tx, int ty) {
    const double x0 = tx * block, y0 = ty * block;
    const double x1 = std::min<double>((tx + 1) * block, level.width);
    const double y1 = std::min<double>((ty + 1) * block, level.height);
    return QRectF(target.x() + x0 * sx, target.y() + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy);
  };
  // Grid lines of every tile.
  QPen gridPen(grid, 0);  // cosmetic: one device pixel at any scale
  painter.setPen(gridPen);
  painter.setBrush(Qt::NoBrush);
  for (int tx = 1; tx < level.tilesX; ++tx) {
    const double x = target.x() + std::min<double>(tx * block, level.width) * sx;
    painter.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()));
  }
  for (int ty = 1; ty < level.tilesY; ++ty) {
    const double y = target.y() + std::min<double>(ty * block, level.height) * sy;
    painter.drawLine(QPointF(target.left(), y), QPointF(target.right(), y));
  }
  // Active tiles.
  painter.setPen(QPen(line, 0));
  painter.setBrush(fill);
  for (int ty = 0; ty < level.tilesY; ++ty) {
    for (int tx = 0; tx < level.tilesX; ++tx) {
      if (level.isActive(tx, ty)) painter.drawRect(tileRect(tx, ty));
    }
  }
  painter.restore();
}

}  // namespace hdui
