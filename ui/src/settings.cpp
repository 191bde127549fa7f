#include "settings.h"

#include <algorithm>

#include "engine_worker.h"

namespace hdui {

Settings::Settings() = default;

GenerationParams Settings::params() const {
  GenerationParams p;
  p.prompt = s_.value("prompt/text", QStringLiteral("a red star above a blue house")).toString();
  p.negativePrompt = s_.value("prompt/negative").toString();
  p.steps = s_.value("generate/steps", p.steps).toInt();
  if (const QString s = s_.value("generate/sampler").toString(); samplerKeys().contains(s))
    p.sampler = s;
  p.guidance = s_.value("generate/guidance", p.guidance).toDouble();
  p.seed = s_.value("generate/seed", 42).toLongLong();
  p.width = s_.value("generate/width", 0).toInt();
  p.height = s_.value("generate/height", 0).toInt();
  p.compareDense = s_.value("generate/compareDense", false).toBool();
  HighlightParams& h = p.highlight;
  h.enabled = s_.value("highlight/enabled", h.enabled).toBool();
  h.interval = s_.value("highlight/interval", h.interval).toInt();
  h.threshold = s_.value("highlight/threshold", h.threshold).toInt();
  h.collectAt = s_.value("highlight/collectAt", h.collectAt).toDouble();
  h.statistic = statisticFromKey(s_.value("highlight/statistic").toString(), h.statistic);
  h.words = s_.value("highlight/words").toStringList();
  h.refreshMask = s_.value("highlight/refreshMask", h.refreshMask).toBool();
  h.minArea = s_.value("highlight/minArea", h.minArea).toDouble();
  h.mapFactors = factorsFromText(s_.value("highlight/mapFactors").toString());
  return p;
}

void Settings::setParams(const GenerationParams& p) {
  s_.setValue("prompt/text", p.prompt);
  s_.setValue("prompt/negative", p.negativePrompt);
  s_.setValue("generate/steps", p.steps);
  s_.setValue("generate/sampler", p.sampler);
  s_.setValue("generate/guidance", p.guidance);
  s_.setValue("generate/seed", p.seed);
  s_.setValue("generate/width", p.width);
  s_.setValue("generate/height", p.height);
  s_.setValue("generate/compareDense", p.compareDense);
  const HighlightParams& h = p.highlight;
  s_.setValue("highlight/enabled", h.enabled);
  s_.setValue("highlight/interval", h.interval);
  s_.setValue("highlight/threshold", h.threshold);
  s_.setValue("highlight/collectAt", h.collectAt);
  s_.setValue("highlight/statistic", statisticKey(h.statistic));
  s_.setValue("highlight/words", h.words);
  s_.setValue("highlight/refreshMask", h.refreshMask);
  s_.setValue("highlight/minArea", h.minArea);
  s_.setValue("highlight/mapFactors", factorsText(h.mapFactors));
}

SeedMode Settings::seedMode() const {
  return SeedMode(std::clamp(s_.value("generate/seedMode", int(SeedMode::Random)).toInt(), 0, 2));
}
void Settings::setSeedMode(SeedMode mode) {
  s_.setValue("generate/seedMode", int(mode));
}
qint64 Settings::lastSeed() const {
  return s_.value("generate/lastSeed", -1).toLongLong();
}
void Settings::setLastSeed(qint64 seed) {
  s_.setValue("generate/lastSeed", seed);
}

QString Settings::modelPath() const {
  return s_.value("model/path").toString();
}
void Settings::setModelPath(const QString& path) {
  s_.setValue("model/path", path);
}

QStringList Settings::recentModels() const {
  return s_.value("model/recent").toStringList();
}

void Settings::addRecentModel(const QString& path) {
  if (path.isEmpty()) return;
  QStringList recent = recentModels();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecentModels) recent.removeLast();
  s_.setValue("model/recent", recent);
}

Device Settings::device() const {
  return s_.value("model/device").toString() == QLatin1String("cuda") ? Device::Cuda : Device::Cpu;
}
void Settings::setDevice(Device device) {
  s_.setValue("model/device",
              device == Device::Cuda ? QStringLiteral("cuda") : QStringLiteral("cpu"));
}
bool Settings::reducedPrecision() const {
  // Unset: on where the CPU computes bfloat16 natively (the same images within a few levels,
  // about 1.4x faster for the embedded model, 1.7x for SD v1.4).
  return s_.value("model/reduced_precision", defaultReducedPrecision()).toBool();
}
bool Settings::defaultReducedPrecision() {
  return EngineWorker::cpuHasNativeBFloat16();
}
void Settings::setReducedPrecision(bool on) {
  s_.setValue("model/reduced_precision", on);
}
int Settings::threads() const {
  return s_.value("model/threads", 0).toInt();
}

theme::Mode Settings::theme() const {
  return theme::modeFromKey(s_.value("ui/theme").toString());
}
void Settings::setTheme(theme::Mode mode) {
  s_.setValue("ui/theme", theme::modeKey(mode));
}
QString Settings::language() const {
  return s_.value("ui/language").toString();
}
void Settings::setLanguage(const QString& language) {
  s_.setValue("ui/language", language);
}
int Settings::overlays() const {
  return s_.value("ui/overlays", 0).toInt();
}
void Settings::setOverlays(int overlays) {
  s_.setValue("ui/overlays", overlays);
}
bool Settings::escapeStops() const {
  return s_.value("ui/escapeStops", true).toBool();
}
void Settings::setEscapeStops(bool on) {
  s_.setValue("ui/escapeStops", on);
}

QByteArray Settings::geometry() const {
  return s_.value("window/geometry").toByteArray();
}
QByteArray Settings::windowState() const {
  return s_.value("window/state").toByteArray();
}
void Settings::setWindow(const QByteArray& geometry, const QByteArray& state) {
  s_.setValue("window/geometry", geometry);
  s_.setValue("window/state", state);
}
QString Settings::lastDirectory() const {
  return s_.value("ui/lastDirectory").toString();
}
void Settings::setLastDirectory(const QString& dir) {
  s_.setValue("ui/lastDirectory", dir);
}

void Settings::sync() {
  s_.sync();
}

}  // namespace hdui
