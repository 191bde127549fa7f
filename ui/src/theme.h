// Colours and themes. Every custom-painted widget takes its colours from the palette through
// these helpers, so light and dark themes (the system's or the user's choice) both work.
#pragma once

#include <QColor>
#include <QImage>
#include <QPalette>
#include <QString>

#include "types.h"

namespace hdui::theme {

enum class Mode { System, Light, Dark };

QString modeKey(Mode mode);
Mode modeFromKey(const QString& key);

// Applies the theme to the application. System keeps the platform's style and palette (and
// so follows its light or dark setting); Light and Dark use Fusion with a fixed palette.
void apply(Mode mode);

bool isDark(const QPalette& palette);
QColor accent(const QPalette& palette);  // the highlighted token, active tiles
QColor fullStepColor(const QPalette& palette);
QColor partialStepColor(const QPalette& palette);
QColor baselineColor(const QPalette& palette);
QColor candidateColor(const QPalette& palette);  // noun candidates
QColor warningColor(const QPalette& palette);
QColor mutedText(const QPalette& palette);
// A colour between a and b (t in [0, 1]).
QColor mix(const QColor& a, const QColor& b, double t);

// A perceptually ordered dark-to-bright colour map (black, purple, red, orange, pale yellow).
QRgb heatColor(float t);
// The map normalised to its own range and coloured, ARGB32 at the map's resolution.
QImage heatImage(const HeatMap& map, int alpha = 255);
// A 0/255 mask as `on` over transparent (or `off`), ARGB32 at the mask's resolution.
QImage tintedMask(const QImage& mask, const QColor& on, const QColor& off = Qt::transparent);

}  // namespace hdui::theme
