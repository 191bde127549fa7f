// PNG files with their generation settings: a `parameters` text chunk in the format other
// Stable Diffusion tools write (prompt, "Negative prompt: ...", then "Steps: 20, Sampler: ...,
// CFG scale: ..., Seed: ..., Size: WxH, Model: ..."), and a `hd-studio` chunk with everything
// as JSON (model, seed, highlight settings, highlighted token, timings). Reading prefers the
// JSON and falls back to `parameters`, so images from other tools restore what they can.
#pragma once

#include <QImage>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include "types.h"

namespace hdui {

struct ImageMetadata {
  GenerationParams params;  // params.seed: the seed used
  QString modelPath;
  QString modelName;
  QString device;  // "cpu", "cuda"
  QString unetDtype;  // "float32", "bfloat16", "float16"
  QString highlightedToken;
  QString reason;
  double maskArea = -1;      // < 0: no mask
  double macFraction = 1.0;  // UNet MACs of the run / of a dense run
  QStringList modes;         // "full" / "partial" per step
  QVector<double> stepMs;
  double totalMs = 0, denoiseMs = 0, textEncoderMs = 0, vaeDecodeMs = 0;
  int fullSteps = 0, partialSteps = 0;
  bool compared = false;
  double baselineDenoiseMs = 0, baselineTotalMs = 0, psnr = 0, speedup = 0;
  QString appVersion, engineVersion;
};

namespace png {

inline constexpr char kParametersKey[] = "parameters";
inline constexpr char kJsonKey[] = "hd-studio";

QString parametersText(const ImageMetadata& meta);
// Parses the `parameters` format; fills what it finds (prompt, negative prompt, steps, CFG
// scale, seed, size, model, highlight settings). False when the text is not in that format.
bool parseParametersText(const QString& text, ImageMetadata* meta);

QJsonObject toJson(const ImageMetadata& meta);
bool fromJson(const QJsonObject& json, ImageMetadata* meta);

// Writes atomically (QSaveFile).
bool save(const QString& path, const QImage& image, const ImageMetadata& meta, QString* error);
// Reads the metadata of a PNG (JSON chunk first, then `parameters`). False with a message
// when the file cannot be read or carries no settings.
bool read(const QString& path, ImageMetadata* meta, QString* error);

}  // namespace png
}  // namespace hdui
