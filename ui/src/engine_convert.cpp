#include "engine_convert.h"

#include <cstring>

#include <QLocale>

namespace hdui {
namespace {

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

StepKind toKind(hd::StepMode m) {
  return m == hd::StepMode::kPartial ? StepKind::Partial : StepKind::Full;
}

hd::TokenStatistic toStatistic(Statistic s) {
  switch (s) {
    case Statistic::Sum:
      return hd::TokenStatistic::kSum;
    case Statistic::Max:
      return hd::TokenStatistic::kMax;
    case Statistic::Variance:
      break;
  }
  return hd::TokenStatistic::kVariance;
}

}  // namespace

QImage toQImage(const hd::Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != size_t(image.width) * image.height * 3) {
    return {};
  }
  QImage out(image.width, image.height, QImage::Format_RGB888);
  const int row = image.width * 3;
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(out.scanLine(y), image.rgb.data() + size_t(y) * row, size_t(row));
  }
  return out;
}

HeatMap toHeatMap(const hd::FloatMap& map) {
  HeatMap m;
  m.width = map.width;
  m.height = map.height;
  m.data = QVector<float>(map.data.begin(), map.data.end());
  return m;
}

QImage toMaskImage(const hd::ByteMask& mask) {
  if (mask.width <= 0 || mask.height <= 0 || mask.data.size() != size_t(mask.width) * mask.height) {
    return {};
  }
  QImage out(mask.width, mask.height, QImage::Format_Grayscale8);
  for (int y = 0; y < mask.height; ++y) {
    std::memcpy(out.scanLine(y), mask.data.data() + size_t(y) * mask.width, size_t(mask.width));
  }
  return out;
}

MaskData toMaskData(const hd::MaskReport& mask) {
  MaskData m;
  m.raw = toMaskImage(mask.raw);
  m.refined = toMaskImage(mask.refined);
  m.area = mask.area;
  m.macFraction = mask.mac_fraction;
  for (const hd::BlockGridLevel& g : mask.grids) {
    GridLevel level;
    level.width = g.width;
    level.height = g.height;
    level.block = g.block;
    level.tilesX = g.tiles_x;
    level.tilesY = g.tiles_y;
    level.active = QVector<quint8>(g.active.begin(), g.active.end());
    level.activeCount = g.active_count;
    m.grids.append(level);
  }
  return m;
}

AttentionData toAttentionData(const hd::AttentionReport& report) {
  AttentionData a;
  a.step = report.step;
  for (const std::string& w : report.words) a.words.append(qs(w));
  for (const hd::TokenInfo& t : report.tokens) {
    TokenData d;
    d.text = qs(t.text);
    d.word = t.word;
    d.candidate = t.candidate;
    d.selected = t.selected;
    d.sum = t.sum;
    d.max = t.max;
    d.variance = t.variance;
    a.tokens.append(d);
  }
  for (const hd::FloatMap& m : report.maps) a.maps.append(toHeatMap(m));
  a.truncated = report.truncated;
  a.reason = qs(report.reason);
  a.mask = toMaskData(report.mask);
  return a;
}

StepData toStepData(const hd::StepEvent& e, quint64 runId, Pass pass) {
  StepData s;
  s.runId = runId;
  s.pass = pass;
  s.step = e.step;
  s.totalSteps = e.total_steps;
  s.timestep = e.timestep;
  s.ms = e.ms;
  s.elapsedMs = e.elapsed_ms;
  s.kind = toKind(e.mode);
  s.activeTiles = e.active_tiles;
  s.totalTiles = e.total_tiles;
  s.macs = e.macs;
  s.denseMacs = e.dense_macs;
  if (e.preview) s.preview = toQImage(*e.preview);
  if (e.attention) s.attention = toAttentionData(*e.attention);
  return s;
}

RunResult toRunResult(const hd::GenerateResult& r, quint64 runId, Pass pass,
                      const GenerationParams& params) {
  RunResult out;
  out.runId = runId;
  out.pass = pass;
  out.params = params;
  out.image = toQImage(r.image);
  out.seed = r.seed;
  out.stepMs = QVector<double>(r.step_ms.begin(), r.step_ms.end());
  for (hd::StepMode m : r.modes) out.modes.append(toKind(m));
  out.textEncoderMs = r.text_encoder_ms;
  out.vaeDecodeMs = r.vae_decode_ms;
  out.totalMs = r.total_ms;
  out.promptTokens = r.prompt_tokens;
  out.promptTruncated = r.prompt_truncated;
  out.fullSteps = r.full_steps;
  out.partialSteps = r.partial_steps;
  out.macs = r.macs;
  out.denseMacs = r.dense_macs;
  if (r.attention) out.attention = toAttentionData(*r.attention);
  return out;
}

ModelInfoData toModelInfo(const hd::ModelInfo& info, Device device) {
  ModelInfoData m;
  m.path = qs(info.path);
  m.format = qs(info.format);
  m.tokenizer = qs(info.tokenizer);
  m.defaultWidth = info.default_width;
  m.defaultHeight = info.default_height;
  m.vaeScaleFactor = info.vae_scale_factor;
  m.maxTokens = info.max_tokens;
  m.device = device;
  m.unetDtype = qs(info.unet_dtype);
  for (int f : info.attention_factors) m.attentionFactors.append(f);
  for (const hd::ComponentInfo& c : info.components) {
    m.parameters += c.parameters;
    m.components.append(QStringLiteral("%1 %2 %3")
                            .arg(qs(c.name))
                            .arg(QLocale::c().toString(qlonglong(c.parameters)))
                            .arg(qs(c.dtype)));
  }
  return m;
}

hd::HighlightOptions toHighlightOptions(const HighlightParams& p) {
  hd::HighlightOptions o;
  o.enabled = p.enabled;
  o.interval = p.interval;
  o.threshold = p.threshold;
  o.collect_at = float(p.collectAt);
  o.statistic = toStatistic(p.statistic);
  for (const QString& w : p.words) o.tokens.push_back(w.toStdString());
  o.refresh_mask = p.refreshMask;
  o.min_area = float(p.minArea);
  o.map_factors.assign(p.mapFactors.begin(), p.mapFactors.end());
  return o;
}

hd::GenerateRequest toGenerateRequest(const GenerationParams& p) {
  hd::GenerateRequest r;
  r.prompt = p.prompt.toStdString();
  r.negative_prompt = p.negativePrompt.toStdString();
  r.steps = p.steps;
  r.scheduler = p.sampler.toStdString();
  r.guidance_scale = float(p.guidance);
  r.seed = p.seed;
  r.width = p.width;
  r.height = p.height;
  r.highlight = toHighlightOptions(p.highlight);
  r.previews = true;
  return r;
}

hd::AttentionReport toAttentionReport(const AttentionData& a) {
  hd::AttentionReport r;
  r.step = a.step;
  for (const QString& w : a.words) r.words.push_back(w.toStdString());
  for (const TokenData& t : a.tokens) {
    hd::TokenInfo i;
    i.text = t.text.toStdString();
    i.word = t.word;
    i.candidate = t.candidate;
    i.selected = t.selected;
    i.sum = t.sum;
    i.max = t.max;
    i.variance = t.variance;
    r.tokens.push_back(std::move(i));
  }
  for (const HeatMap& m : a.maps) {
    hd::FloatMap f;
    f.width = m.width;
    f.height = m.height;
    f.data.assign(m.data.cbegin(), m.data.cend());
    r.maps.push_back(std::move(f));
  }
  r.truncated = a.truncated;
  r.reason = a.reason.toStdString();
  return r;
}

}  // namespace hdui
