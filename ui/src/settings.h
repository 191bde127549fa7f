// Settings: typed access to QSettings (organisation and application names of the
// QCoreApplication): window layout, the last generation settings, models, theme, language.
// QSettings writes its file atomically.
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

#include "theme.h"
#include "types.h"

namespace hdui {

class Settings {
 public:
  Settings();

  GenerationParams params() const;
  void setParams(const GenerationParams& params);
  SeedMode seedMode() const;
  void setSeedMode(SeedMode mode);
  qint64 lastSeed() const;
  void setLastSeed(qint64 seed);

  QString modelPath() const;  // empty: the embedded default
  void setModelPath(const QString& path);
  QStringList recentModels() const;
  void addRecentModel(const QString& path);
  Device device() const;
  void setDevice(Device device);
  // The UNet in bfloat16 (CPU) / float16 (CUDA); by default on where the CPU has bfloat16.
  bool reducedPrecision() const;
  static bool defaultReducedPrecision();  // what an unset reducedPrecision() gives
  void setReducedPrecision(bool on);
  int threads() const;

  theme::Mode theme() const;
  void setTheme(theme::Mode mode);
  QString language() const;  // "" (system), "en", "de", "ko"
  void setLanguage(const QString& language);
  int overlays() const;  // ImageView::Overlay bits
  void setOverlays(int overlays);
  bool escapeStops() const;
  void setEscapeStops(bool on);

  QByteArray geometry() const;
  QByteArray windowState() const;
  void setWindow(const QByteArray& geometry, const QByteArray& state);
  QString lastDirectory() const;
  void setLastDirectory(const QString& dir);

  void sync();

  static constexpr int kMaxRecentModels = 8;

 private:
  QSettings s_;
};

}  // namespace hdui
