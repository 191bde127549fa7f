#include "types.h"

#include <algorithm>

#include "hd/engine.h"

namespace hdui {

float HeatMap::sample(double u, double v) const {
  if (isNull()) return 0.f;
  const int x = std::clamp(int(u * width), 0, width - 1);
  const int y = std::clamp(int(v * height), 0, height - 1);
  return at(x, y);
}

float HeatMap::minValue() const {
  return data.isEmpty() ? 0.f : *std::min_element(data.cbegin(), data.cend());
}

float HeatMap::maxValue() const {
  return data.isEmpty() ? 0.f : *std::max_element(data.cbegin(), data.cend());
}

int MaskData::activeTiles() const {
  int n = 0;
  for (const GridLevel& g : grids) n += g.activeCount;
  return n;
}

int MaskData::totalTiles() const {
  int n = 0;
  for (const GridLevel& g : grids) n += g.tileCount();
  return n;
}

int AttentionData::selectedToken() const {
  for (int i = 0; i < tokens.size(); ++i) {
    if (tokens[i].selected) return i;
  }
  return -1;
}

QVector<QPair<int, float>> AttentionData::rankAt(double u, double v) const {
  // Only the prompt's own tokens: BOS and EOS soak up most of the probability and say
  // nothing about where a word is drawn.
  QVector<QPair<int, float>> ranked;
  float total = 0.f;
  for (int i = 0; i < tokens.size() && i < maps.size(); ++i) {
    if (tokens[i].word < 0 || maps[i].isNull()) continue;
    const float a = std::max(0.f, maps[i].sample(u, v));
    ranked.append({i, a});
    total += a;
  }
  if (total > 0.f) {
    for (auto& r : ranked) r.second /= total;
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return ranked;
}

double RunResult::denoiseMs() const {
  double s = 0;
  for (double ms : stepMs) s += ms;
  return s;
}

void registerMetaTypes() {
  qRegisterMetaType<hdui::StepData>();
  qRegisterMetaType<hdui::RunResult>();
  qRegisterMetaType<hdui::GenerationParams>();
  qRegisterMetaType<hdui::ModelRequest>();
  qRegisterMetaType<hdui::ModelInfoData>();
  qRegisterMetaType<hdui::RemaskRequest>();
  qRegisterMetaType<hdui::MaskData>();
  qRegisterMetaType<hdui::AttentionData>();
  qRegisterMetaType<hdui::Pass>();
}

QString statisticKey(Statistic s) {
  switch (s) {
    case Statistic::Sum:
      return QStringLiteral("sum");
    case Statistic::Max:
      return QStringLiteral("max");
    case Statistic::Variance:
      break;
  }
  return QStringLiteral("variance");
}

Statistic statisticFromKey(const QString& key, Statistic fallback) {
  const QString k = key.trimmed().toLower();
  if (k == QLatin1String("variance")) return Statistic::Variance;
  if (k == QLatin1String("sum")) return Statistic::Sum;
  if (k == QLatin1String("max")) return Statistic::Max;
  return fallback;
}

QStringList samplerKeys() {
  QStringList keys;
  for (const std::string& name : hd::scheduler_names()) keys << QString::fromStdString(name);
  return keys;
}

QString samplerName(const QString& key) {
  if (key == QLatin1String("ddim")) return QStringLiteral("DDIM");
  if (key == QLatin1String("dpm++2m")) return QStringLiteral("DPM++ 2M");
  if (key == QLatin1String("dpm++2m-karras")) return QStringLiteral("DPM++ 2M Karras");
  return {};
}

QString samplerKey(const QString& name) {
  const QString n = name.trimmed();
  for (const QString& key : samplerKeys()) {
    if (n.compare(samplerName(key), Qt::CaseInsensitive) == 0 || n == key) return key;
  }
  return {};
}

QString factorsText(const QList<int>& factors) {
  QStringList parts;
  for (int f : factors) parts << QString::number(f);
  return parts.join(u',');
}

QList<int> factorsFromText(const QString& text) {
  QList<int> out;
  for (const QString& part : text.split(u',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const int f = part.trimmed().toInt(&ok);
    if (ok && f >= 1 && f <= 64 && (f & (f - 1)) == 0 && !out.contains(f)) out.append(f);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hdui
