// Helpers shared by the studio's QtTest suites.
#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <cmath>

#include "engine_worker.h"
#include "types.h"

namespace hdui::test {

// The embedded default model when it is installed, else the tiny random-weight pipeline of the
// fixtures (32x32 images, a few ms per step; it draws noise, which is all these tests need).
inline QString modelPath() {
  const QString embedded = EngineWorker::defaultModelPath();
  if (QFileInfo::exists(QDir(embedded).filePath(QStringLiteral("model_index.json"))))
    return embedded;
  return QStringLiteral(HD_TEST_DATA_DIR "/pipeline_a");
}

inline bool usingEmbeddedModel() {
  return modelPath() == EngineWorker::defaultModelPath();
}

// Settings of the tests go to Qt's test location, never to the user's.
inline void isolateSettings() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("HighlightDiffusionTests"));
  QCoreApplication::setApplicationName(QStringLiteral("hd-studio-tests"));
  QSettings().clear();
}

// A small, fully known attention report: BOS, "a", "red", "st"+"ar" (one word), EOS on a
// `size` x `size` latent; the star's map is a blob in the top-left quarter.
inline AttentionData syntheticAttention(int size = 16, int step = 4) {
  AttentionData a;
  a.step = step;
  a.words = {QStringLiteral("a"), QStringLiteral("red"), QStringLiteral("star")};
  struct T {
    const char* text;
    int word;
    bool candidate;
  };
  const T tokens[] = {{"<|startoftext|>", -1, false},
                      {"a", 0, false},
                      {"red", 1, false},
                      {"st", 2, true},
                      {"ar", 2, true},
                      {"<|endoftext|>", -1, false}};
  int index = 0;
  for (const T& t : tokens) {
    TokenData d;
    d.text = QString::fromLatin1(t.text);
    d.word = t.word;
    d.candidate = t.candidate;
    d.selected = index == 3;
    HeatMap m;
    m.width = m.height = size;
    m.data.resize(size * size);
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        float v = 0.01f * float(index + 1);
        if (t.candidate) {
          const float dx = float(x) - size * 0.25f, dy = float(y) - size * 0.25f;
          v += std::exp(-(dx * dx + dy * dy) / (size * 0.5f));
        }
        m.data[y * size + x] = v;
      }
    }
    d.sum = 0.f;
    for (float v : m.data) d.sum += v;
    d.max = m.maxValue();
    d.variance = t.candidate ? 0.05f : 0.001f * float(index);
    a.tokens.append(d);
    a.maps.append(m);
    ++index;
  }
  a.reason = QStringLiteral("star: highest variance among nouns star");
  // Mask: the top-left quarter; refined drops one stray pixel.
  QImage raw(size, size, QImage::Format_Grayscale8), refined(size, size, QImage::Format_Grayscale8);
  raw.fill(0);
  refined.fill(0);
  for (int y = 0; y < size / 2; ++y) {
    for (int x = 0; x < size / 2; ++x) raw.scanLine(y)[x] = refined.scanLine(y)[x] = 255;
  }
  raw.scanLine(size - 1)[size - 1] = 255;
  a.mask.raw = raw;
  a.mask.refined = refined;
  a.mask.area = 0.25f;
  a.mask.macFraction = 0.4;
  for (int level = 0; level < 2; ++level) {
    GridLevel g;
    g.width = g.height = size >> level;
    g.block = std::max(1, g.width / 4);
    g.tilesX = g.tilesY = 4;
    g.active = QVector<quint8>(16, 0);
    for (int ty = 0; ty < 2; ++ty) {
      for (int tx = 0; tx < 2; ++tx) g.active[ty * 4 + tx] = 1;
    }
    g.activeCount = 4;
    a.mask.grids.append(g);
  }
  return a;
}

}  // namespace hdui::test
