#include "png_metadata.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <QSaveFile>

namespace hdui::png {
namespace {

// A value for the `parameters` line: quoted as a JSON string when it would break the line.
QString quoted(const QString& value) {
  static const QRegularExpression special(QStringLiteral("[,:\"\\n]"));
  if (!value.contains(special)) return value;
  const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
  return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QString unquoted(const QString& value) {
  const QString v = value.trimmed();
  if (v.size() >= 2 && v.startsWith(u'"') && v.endsWith(u'"')) {
    const QJsonDocument doc = QJsonDocument::fromJson(QStringLiteral("[%1]").arg(v).toUtf8());
    if (doc.isArray() && doc.array().size() == 1) return doc.array().at(0).toString();
  }
  return v;
}

QString number(double v) {
  return QLocale::c().toString(v, 'g', 6);
}

QJsonArray factorsArray(const QList<int>& factors) {
  QJsonArray a;
  for (int f : factors) a.append(f);
  return a;
}

QJsonArray toArray(const QStringList& list) {
  QJsonArray a;
  for (const QString& s : list) a.append(s);
  return a;
}

QStringList toStringList(const QJsonValue& v) {
  QStringList out;
  for (const QJsonValue& x : v.toArray()) out << x.toString();
  return out;
}

}  // namespace

QString parametersText(const ImageMetadata& m) {
  const GenerationParams& p = m.params;
  const HighlightParams& h = p.highlight;
  QStringList fields;
  fields << QStringLiteral("Steps: %1").arg(p.steps)
         << QStringLiteral("Sampler: %1").arg(samplerName(p.sampler))
         << QStringLiteral("CFG scale: %1").arg(number(p.guidance))
         << QStringLiteral("Seed: %1").arg(p.seed)
         << QStringLiteral("Size: %1x%2").arg(p.width).arg(p.height);
  if (!m.modelName.isEmpty()) fields << QStringLiteral("Model: %1").arg(quoted(m.modelName));
  fields << QStringLiteral("Highlight: %1")
                .arg(h.enabled ? QStringLiteral("on") : QStringLiteral("off"));
  if (h.enabled) {
    fields << QStringLiteral("Highlight interval: %1").arg(h.interval)
           << QStringLiteral("Highlight threshold: %1").arg(h.threshold)
           << QStringLiteral("Highlight collect at: %1").arg(number(h.collectAt))
           << QStringLiteral("Highlight statistic: %1").arg(statisticKey(h.statistic))
           << QStringLiteral("Highlight min area: %1").arg(number(h.minArea));
    if (!h.words.isEmpty()) {
      fields
          << QStringLiteral("Highlight words: %1").arg(quoted(h.words.join(QStringLiteral(", "))));
    }
    if (h.refreshMask) fields << QStringLiteral("Highlight refresh mask: on");
    if (!h.mapFactors.isEmpty()) {
      fields << QStringLiteral("Highlight map factors: %1").arg(quoted(factorsText(h.mapFactors)));
    }
    if (!m.highlightedToken.isEmpty()) {
      fields << QStringLiteral("Highlighted token: %1").arg(quoted(m.highlightedToken));
    }
  }
  if (!m.appVersion.isEmpty()) {
    fields
        << QStringLiteral("Version: %1").arg(quoted(QStringLiteral("hd-studio ") + m.appVersion));
  }
  QString text = p.prompt;
  if (!p.negativePrompt.isEmpty()) text += QStringLiteral("\nNegative prompt: ") + p.negativePrompt;
  text += u'\n' + fields.join(QStringLiteral(", "));
  return text;
}

bool parseParametersText(const QString& text, ImageMetadata* m) {
  QStringList lines = text.split(u'\n');
  if (lines.isEmpty()) return false;
  static const QRegularExpression pair(
      QStringLiteral("\\s*([\\w][\\w \\-/]*):\\s*(\"(?:\\\\.|[^\\\\\"])*\"|[^,]*)(?:,|$)"));
  // The settings line is the last one with at least three "Key: value" pairs.
  QString settings = lines.last();
  QHash<QString, QString> kv;
  for (auto it = pair.globalMatch(settings); it.hasNext();) {
    const auto match = it.next();
    kv.insert(match.captured(1).trimmed(), unquoted(match.captured(2)));
  }
  if (kv.size() < 3 || !kv.contains(QStringLiteral("Steps"))) return false;
  lines.removeLast();

  QStringList prompt, negative;
  bool inNegative = false;
  for (const QString& line : lines) {
    if (!inNegative && line.startsWith(QLatin1String("Negative prompt:"))) {
      inNegative = true;
      negative << line.mid(int(qstrlen("Negative prompt:"))).trimmed();
    } else {
      (inNegative ? negative : prompt) << line;
    }
  }
  GenerationParams& p = m->params;
  HighlightParams& h = p.highlight;
  p.prompt = prompt.join(u'\n').trimmed();
  p.negativePrompt = negative.join(u'\n').trimmed();
  bool ok = false;
  if (int v = kv.value(QStringLiteral("Steps")).toInt(&ok); ok) p.steps = v;
  // Samplers the engine lacks (Euler a, ...) leave the current one. Newer tools name the
  // schedule apart: "Sampler: DPM++ 2M, Schedule type: Karras".
  if (QString s = samplerKey(kv.value(QStringLiteral("Sampler"))); !s.isEmpty()) {
    if (s == QLatin1String("dpm++2m") &&
        kv.value(QStringLiteral("Schedule type"))
                .trimmed()
                .compare(QLatin1String("Karras"), Qt::CaseInsensitive) == 0)
      s = QStringLiteral("dpm++2m-karras");
    p.sampler = s;
  }
  if (double v = QLocale::c().toDouble(kv.value(QStringLiteral("CFG scale")), &ok); ok)
    p.guidance = v;
  if (qint64 v = kv.value(QStringLiteral("Seed")).toLongLong(&ok); ok) p.seed = v;
  const QStringList size = kv.value(QStringLiteral("Size")).split(u'x');
  if (size.size() == 2) {
    p.width = size[0].toInt();
    p.height = size[1].toInt();
  }
  if (kv.contains(QStringLiteral("Model"))) m->modelName = kv.value(QStringLiteral("Model"));
  if (kv.contains(QStringLiteral("Highlight"))) {
    h.enabled = kv.value(QStringLiteral("Highlight")) == QLatin1String("on");
  }
  if (int v = kv.value(QStringLiteral("Highlight interval")).toInt(&ok); ok) h.interval = v;
  if (int v = kv.value(QStringLiteral("Highlight threshold")).toInt(&ok); ok) h.threshold = v;
  if (double v = QLocale::c().toDouble(kv.value(QStringLiteral("Highlight collect at")), &ok); ok) {
    h.collectAt = v;
  }
  if (double v = QLocale::c().toDouble(kv.value(QStringLiteral("Highlight min area")), &ok); ok) {
    h.minArea = v;
  }
  h.statistic = statisticFromKey(kv.value(QStringLiteral("Highlight statistic")), h.statistic);
  h.words.clear();
  for (const QString& w :
       kv.value(QStringLiteral("Highlight words")).split(u',', Qt::SkipEmptyParts)) {
    h.words << w.trimmed();
  }
  h.refreshMask = kv.value(QStringLiteral("Highlight refresh mask")) == QLatin1String("on");
  h.mapFactors = factorsFromText(kv.value(QStringLiteral("Highlight map factors")));
  m->highlightedToken = kv.value(QStringLiteral("Highlighted token"));
  return true;
}

QJsonObject toJson(const ImageMetadata& m) {
  const GenerationParams& p = m.params;
  const HighlightParams& h = p.highlight;
  QJsonObject highlight{{"enabled", h.enabled},
                        {"interval", h.interval},
                        {"threshold", h.threshold},
                        {"collect_at", h.collectAt},
                        {"statistic", statisticKey(h.statistic)},
                        {"words", toArray(h.words)},
                        {"refresh_mask", h.refreshMask},
                        {"min_area", h.minArea},
                        {"map_factors", factorsArray(h.mapFactors)},
                        {"highlighted_token", m.highlightedToken},
                        {"reason", m.reason},
                        {"mac_fraction", m.macFraction}};
  if (m.maskArea >= 0) highlight.insert("mask_area", m.maskArea);
  QJsonArray stepMs;
  for (double v : m.stepMs) stepMs.append(v);
  QJsonObject timings{{"total_ms", m.totalMs},
                      {"denoise_ms", m.denoiseMs},
                      {"text_encoder_ms", m.textEncoderMs},
                      {"vae_decode_ms", m.vaeDecodeMs},
                      {"step_ms", stepMs},
                      {"modes", toArray(m.modes)},
                      {"full_steps", m.fullSteps},
                      {"partial_steps", m.partialSteps}};
  QJsonObject json{{"format", "hd-studio/1"},
                   {"generator", QStringLiteral("Highlight Diffusion Studio ") + m.appVersion},
                   {"engine_version", m.engineVersion},
                   {"model", QJsonObject{{"path", m.modelPath}, {"name", m.modelName}}},
                   {"device", m.device},
                   {"unet_dtype", m.unetDtype},
                   {"prompt", p.prompt},
                   {"negative_prompt", p.negativePrompt},
                   {"steps", p.steps},
                   {"guidance_scale", p.guidance},
                   {"seed", QString::number(p.seed)},  // 64-bit: a string keeps every digit
                   {"width", p.width},
                   {"height", p.height},
                   {"sampler", samplerName(p.sampler)},
                   {"compare_dense", p.compareDense},
                   {"highlight", highlight},
                   {"timings", timings}};
  if (m.compared) {
    json.insert("compare", QJsonObject{{"baseline_denoise_ms", m.baselineDenoiseMs},
                                       {"baseline_total_ms", m.baselineTotalMs},
                                       {"psnr_db", m.psnr},
                                       {"speedup", m.speedup}});
  }
  return json;
}

bool fromJson(const QJsonObject& json, ImageMetadata* m) {
  if (!json.value("format").toString().startsWith(QLatin1String("hd-studio/"))) return false;
  GenerationParams& p = m->params;
  HighlightParams& h = p.highlight;
  const QJsonObject model = json.value("model").toObject();
  m->modelPath = model.value("path").toString();
  m->modelName = model.value("name").toString();
  m->device = json.value("device").toString();
  m->unetDtype = json.value("unet_dtype").toString();
  m->appVersion = json.value("generator").toString().section(u' ', -1);
  m->engineVersion = json.value("engine_version").toString();
  p.prompt = json.value("prompt").toString();
  p.negativePrompt = json.value("negative_prompt").toString();
  p.steps = json.value("steps").toInt(p.steps);
  if (const QString s = samplerKey(json.value("sampler").toString()); !s.isEmpty()) p.sampler = s;
  p.guidance = json.value("guidance_scale").toDouble(p.guidance);
  p.seed = json.value("seed").toVariant().toLongLong();
  p.width = json.value("width").toInt();
  p.height = json.value("height").toInt();
  p.compareDense = json.value("compare_dense").toBool();
  const QJsonObject hl = json.value("highlight").toObject();
  h.enabled = hl.value("enabled").toBool(true);
  h.interval = hl.value("interval").toInt(h.interval);
  h.threshold = hl.value("threshold").toInt(h.threshold);
  h.collectAt = hl.value("collect_at").toDouble(h.collectAt);
  h.statistic = statisticFromKey(hl.value("statistic").toString(), h.statistic);
  h.words = toStringList(hl.value("words"));
  h.refreshMask = hl.value("refresh_mask").toBool();
  h.minArea = hl.value("min_area").toDouble(h.minArea);
  QStringList factors;
  for (const QJsonValue& v : hl.value("map_factors").toArray())
    factors << QString::number(v.toInt());
  h.mapFactors = factorsFromText(factors.join(u','));
  m->highlightedToken = hl.value("highlighted_token").toString();
  m->reason = hl.value("reason").toString();
  m->maskArea = hl.value("mask_area").toDouble(-1);
  m->macFraction = hl.value("mac_fraction").toDouble(1.0);
  const QJsonObject t = json.value("timings").toObject();
  m->totalMs = t.value("total_ms").toDouble();
  m->denoiseMs = t.value("denoise_ms").toDouble();
  m->textEncoderMs = t.value("text_encoder_ms").toDouble();
  m->vaeDecodeMs = t.value("vae_decode_ms").toDouble();
  m->stepMs.clear();
  for (const QJsonValue& v : t.value("step_ms").toArray()) m->stepMs.append(v.toDouble());
  m->modes = toStringList(t.value("modes"));
  m->fullSteps = t.value("full_steps").toInt();
  m->partialSteps = t.value("partial_steps").toInt();
  m->compared = json.contains("compare");
  const QJsonObject c = json.value("compare").toObject();
  m->baselineDenoiseMs = c.value("baseline_denoise_ms").toDouble();
  m->baselineTotalMs = c.value("baseline_total_ms").toDouble();
  m->psnr = c.value("psnr_db").toDouble();
  m->speedup = c.value("speedup").toDouble();
  return true;
}

bool save(const QString& path, const QImage& image, const ImageMetadata& meta, QString* error) {
  if (image.isNull()) {
    if (error) *error = QCoreApplication::translate("hdui::png", "There is no image to save.");
    return false;
  }
  QImage out = image;
  out.setText(QString::fromLatin1(kParametersKey), parametersText(meta));
  out.setText(QString::fromLatin1(kJsonKey),
              QString::fromUtf8(QJsonDocument(toJson(meta)).toJson(QJsonDocument::Compact)));
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    if (error)
      *error = QCoreApplication::translate("hdui::png", "Cannot write %1: %2")
                   .arg(path, file.errorString());
    return false;
  }
  QImageWriter writer(&file, "png");
  if (!writer.write(out)) {
    if (error)
      *error = QCoreApplication::translate("hdui::png", "Cannot encode %1 as PNG: %2")
                   .arg(path, writer.errorString());
    file.cancelWriting();
    return false;
  }
  if (!file.commit()) {
    if (error)
      *error = QCoreApplication::translate("hdui::png", "Cannot write %1: %2")
                   .arg(path, file.errorString());
    return false;
  }
  return true;
}

bool read(const QString& path, ImageMetadata* meta, QString* error) {
  // QImageReader::text() flattens line breaks (it goes through the handler's description);
  // the texts of the decoded QImage keep them.
  QImageReader reader(path);
  const QImage image = reader.read();
  if (image.isNull()) {
    if (error) {
      *error = QCoreApplication::translate("hdui::png", "%1 is not a readable image: %2")
                   .arg(path, reader.errorString());
    }
    return false;
  }
  const QString json = image.text(QString::fromLatin1(kJsonKey));
  if (!json.isEmpty()) {
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    if (doc.isObject() && fromJson(doc.object(), meta)) return true;
  }
  const QString parameters = image.text(QString::fromLatin1(kParametersKey));
  if (!parameters.isEmpty() && parseParametersText(parameters, meta)) return true;
  if (error) {
    *error = QCoreApplication::translate(
                 "hdui::png",
                 "%1 carries no generation settings (no \"parameters\" or \"hd-studio\" text).")
                 .arg(QFileInfo(path).fileName());
  }
  return false;
}

}  // namespace hdui::png
