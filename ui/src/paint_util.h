// Small painting helpers shared by the custom-painted views.
#pragma once

#include <QPainter>
#include <QPalette>
#include <QRectF>
#include <QSize>
#include <QString>

namespace hdui {

struct GridLevel;

// The largest rectangle with `image`'s aspect ratio inside `bounds`, centred. With `crisp`,
// every image pixel covers a whole number of device pixels and the rectangle starts on a
// device pixel, so masks and block grids stay sharp at any device pixel ratio.
QRectF fitRect(const QSize& image, const QRectF& bounds, qreal dpr, bool crisp);

// A centred, muted message for empty views.
void drawPlaceholder(QPainter& painter, const QRectF& rect, const QString& text,
                     const QPalette& palette);

// Tiles of one block-grid level over `target` (the image's rectangle): faint lines for every
// tile, filled `fill` and outlined `line` for the active ones.
void drawBlockGrid(QPainter& painter, const QRectF& target, const GridLevel& level,
                   const QColor& fill, const QColor& line, const QColor& grid);

}  // namespace hdui
