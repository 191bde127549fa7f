#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <algorithm>
#include <array>
#include <cmath>

namespace hdui::theme {
namespace {

struct SystemLook {
  bool saved = false;
  QString style;
  QPalette palette;
};

SystemLook& systemLook() {
  static SystemLook look;
  return look;
}

QPalette darkPalette() {
  QPalette p;
  const QColor window(0x2b, 0x2d, 0x31), base(0x1f, 0x21, 0x24), text(0xe6, 0xe6, 0xe6);
  const QColor button(0x35, 0x37, 0x3c), highlight(0x3d, 0x8b, 0xfd);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8d, 0x93));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, button);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, Qt::white);
  p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x53));
  p.setColor(QPalette::Midlight, QColor(0x40, 0x43, 0x48));
  p.setColor(QPalette::Mid, QColor(0x24, 0x26, 0x29));
  p.setColor(QPalette::Dark, QColor(0x19, 0x1a, 0x1c));
  p.setColor(QPalette::Shadow, Qt::black);
  p.setColor(QPalette::Highlight, highlight);
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
  p.setColor(QPalette::LinkVisited, QColor(0xa9, 0x8b, 0xfa));
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
    p.setColor(QPalette::Disabled, role, QColor(0x7b, 0x7e, 0x84));
  }
  p.setColor(QPalette::Disabled, QPalette::Button, QColor(0x30, 0x32, 0x36));
  return p;
}

QPalette lightPalette() {
  QPalette p = QStyleFactory::create(QStringLiteral("Fusion"))->standardPalette();
  p.setColor(QPalette::Highlight, QColor(0x25, 0x6f, 0xe0));
  p.setColor(QPalette::Window, QColor(0xf3, 0xf4, 0xf6));
  p.setColor(QPalette::Button, QColor(0xf6, 0xf7, 0xf9));
  return p;
}

}  // namespace

QString modeKey(Mode mode) {
  switch (mode) {
    case Mode::Light:
      return QStringLiteral("light");
    case Mode::Dark:
      return QStringLiteral("dark");
    case Mode::System:
      break;
  }
  return QStringLiteral("system");
}

Mode modeFromKey(const QString& key) {
  if (key == QLatin1String("light")) return Mode::Light;
  if (key == QLatin1String("dark")) return Mode::Dark;
  return Mode::System;
}

void apply(Mode mode) {
  SystemLook& look = systemLook();
  if (!look.saved) {
    look.saved = true;
    look.style = QApplication::style()->name();
    look.palette = QApplication::palette();
  }
  switch (mode) {
    case Mode::System:
      QApplication::setStyle(look.style);
      QApplication::setPalette(look.palette);
      break;
    case Mode::Light:
      QApplication::setStyle(QStringLiteral("Fusion"));
      QApplication::setPalette(lightPalette());
      break;
    case Mode::Dark:
      QApplication::setStyle(QStringLiteral("Fusion"));
      QApplication::setPalette(darkPalette());
      break;
  }
}

bool isDark(const QPalette& palette) {
  return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QColor accent(const QPalette& palette) {
  return palette.color(QPalette::Highlight);
}

QColor fullStepColor(const QPalette& palette) {
  return isDark(palette) ? QColor(0x8f, 0x9b, 0xb3) : QColor(0x5b, 0x67, 0x80);
}

QColor partialStepColor(const QPalette& palette) {
  return isDark(palette) ? QColor(0xff, 0xa6, 0x3d) : QColor(0xe0, 0x7b, 0x00);
}

QColor baselineColor(const QPalette& palette) {
  return isDark(palette) ? QColor(0x5c, 0xc8, 0xff) : QColor(0x13, 0x7d, 0xc5);
}

QColor candidateColor(const QPalette& palette) {
  return isDark(palette) ? QColor(0x6e, 0xd8, 0x9a) : QColor(0x1b, 0x8a, 0x4b);
}

QColor warningColor(const QPalette& palette) {
  return isDark(palette) ? QColor(0xff, 0xb0, 0x5c) : QColor(0xb3, 0x5c, 0x00);
}

QColor mutedText(const QPalette& palette) {
  return mix(palette.color(QPalette::WindowText), palette.color(QPalette::Window), 0.45);
}

QColor mix(const QColor& a, const QColor& b, double t) {
  const double s = 1.0 - t;
  return QColor::fromRgbF(
      float(a.redF() * s + b.redF() * t), float(a.greenF() * s + b.greenF() * t),
      float(a.blueF() * s + b.blueF() * t), float(a.alphaF() * s + b.alphaF() * t));
}

QRgb heatColor(float t) {
  // Control points of a dark-to-bright map, evenly spaced in t.
  static constexpr std::array<std::array<int, 3>, 8> kStops = {{{0, 0, 4},
                                                                {40, 11, 84},
                                                                {101, 21, 110},
                                                                {159, 42, 99},
                                                                {212, 72, 66},
                                                                {245, 125, 21},
                                                                {250, 193, 39},
                                                                {252, 255, 164}}};
  if (!std::isfinite(t)) t = 0.f;
  t = std::clamp(t, 0.f, 1.f) * float(kStops.size() - 1);
  const int i = std::min(int(t), int(kStops.size()) - 2);
  const float f = t - float(i);
  const auto& a = kStops[size_t(i)];
  const auto& b = kStops[size_t(i) + 1];
  return qRgb(int(std::lround(a[0] + (b[0] - a[0]) * f)),
              int(std::lround(a[1] + (b[1] - a[1]) * f)),
              int(std::lround(a[2] + (b[2] - a[2]) * f)));
}

QImage heatImage(const HeatMap& map, int alpha) {
  if (map.isNull()) return {};
  const float lo = map.minValue();
  const float hi = map.maxValue();
  const float range = hi > lo ? hi - lo : 1.f;
  QImage img(map.width, map.height, QImage::Format_ARGB32);
  for (int y = 0; y < map.height; ++y) {
    auto* row = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < map.width; ++x) {
      const QRgb c = heatColor((map.at(x, y) - lo) / range);
      row[x] = qRgba(qRed(c), qGreen(c), qBlue(c), alpha);
    }
  }
  return img;
}

QImage tintedMask(const QImage& mask, const QColor& on, const QColor& off) {
  if (mask.isNull()) return {};
  const QImage gray = mask.convertToFormat(QImage::Format_Grayscale8);
  QImage img(gray.size(), QImage::Format_ARGB32_Premultiplied);
  const QRgb onRgb = on.rgba(), offRgb = off.rgba();
  const QRgb onP = qPremultiply(onRgb), offP = qPremultiply(offRgb);
  for (int y = 0; y < gray.height(); ++y) {
    const uchar* src = gray.constScanLine(y);
    auto* dst = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < gray.width(); ++x) dst[x] = src[x] >= 128 ? onP : offP;
  }
  return img;
}

}  // namespace hdui::theme
