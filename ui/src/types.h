// Qt-side value types for everything the engine reports and everything the UI asks of it.
// Plain data in implicitly shared Qt containers: cheap to copy through queued signals between
// the worker thread and the UI thread. They mirror hd/engine.h and hd/highlight.h, but no UI
// file except the conversion layer (engine_convert.cpp) and the worker includes an engine
// header.
#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace hdui {

enum class StepKind : quint8 { Full, Partial };
// Which run of a "compare with dense" pair an event belongs to.
enum class Pass : quint8 { Highlight, Baseline };
enum class Statistic : quint8 { Variance, Sum, Max };
enum class Device : quint8 { Cpu, Cuda };
enum class SeedMode : quint8 { Random, Fixed, ReuseLast };

// One token's cross-attention map, row-major [height, width] at latent resolution.
struct HeatMap {
  int width = 0, height = 0;
  QVector<float> data;

  bool isNull() const {
    return width <= 0 || height <= 0 || data.size() != qsizetype(width) * height;
  }
  float at(int x, int y) const { return data[qsizetype(y) * width + x]; }
  // Nearest value at normalised image coordinates u, v in [0, 1].
  float sample(double u, double v) const;
  float minValue() const;
  float maxValue() const;
};

struct TokenData {
  QString text;            // readable token text ("house", "</w>" removed by the engine)
  int word = -1;           // index into AttentionData::words; -1 for BOS/EOS
  bool candidate = false;  // a noun, eligible for automatic selection
  bool selected = false;   // the highlighted token
  float sum = 0, max = 0, variance = 0;

  float value(Statistic s) const {
    return s == Statistic::Sum ? sum : s == Statistic::Max ? max : variance;
  }
};

// Active tiles of one UNet feature-map resolution.
struct GridLevel {
  int width = 0, height = 0;  // feature map size
  int block = 0;              // tile size in pixels of this level
  int tilesX = 0, tilesY = 0;
  QVector<quint8> active;  // [tilesY * tilesX], 1 = computed in partial steps
  int activeCount = 0;

  int tileCount() const { return tilesX * tilesY; }
  bool isActive(int tx, int ty) const {
    const qsizetype i = qsizetype(ty) * tilesX + tx;
    return i >= 0 && i < active.size() && active[i] != 0;
  }
};

struct MaskData {
  QImage raw;                // the selected map thresholded, Format_Grayscale8, 0 or 255
  QImage refined;            // after dropping small regions
  float area = 0;            // refined mask: fraction of the image
  QVector<GridLevel> grids;  // one per UNet resolution, highest first
  double macFraction = 1.0;  // predicted MACs of a partial step / a dense step

  bool isNull() const { return refined.isNull(); }
  int activeTiles() const;
  int totalTiles() const;
};

struct AttentionData {
  int step = -1;  // the step whose maps these are; -1: none
  QStringList words;
  QVector<TokenData> tokens;  // BOS, prompt tokens, EOS
  QVector<HeatMap> maps;      // one per token
  bool truncated = false;
  QString reason;  // why the selected token was chosen
  MaskData mask;

  bool isNull() const { return step < 0 || tokens.isEmpty(); }
  int selectedToken() const;  // index into tokens, -1 when none
  // Tokens ranked by their attention at (u, v), strongest first: (token index, share).
  QVector<QPair<int, float>> rankAt(double u, double v) const;
};

struct HighlightParams {
  bool enabled = true;
  int interval = 5;
  int threshold = 150;  // 0..255
  double collectAt = 0.2;
  Statistic statistic = Statistic::Variance;
  QStringList words;  // manual choice; empty: automatic among the nouns
  bool refreshMask = false;
  double minArea = 0.004;
  // Downsampling factors of the cross-attention layers whose maps are used (ascending);
  // empty: every layer (HighlightOptions::map_factors).
  QList<int> mapFactors;

  // The options Engine::remask honours (the others need a new run).
  bool sameMaskOptions(const HighlightParams& o) const {
    return threshold == o.threshold && statistic == o.statistic && words == o.words &&
           qFuzzyCompare(minArea + 1, o.minArea + 1);
  }
  bool operator==(const HighlightParams& o) const {
    return sameMaskOptions(o) && enabled == o.enabled && interval == o.interval &&
           qFuzzyCompare(collectAt + 1, o.collectAt + 1) && refreshMask == o.refreshMask &&
           mapFactors == o.mapFactors;
  }
};

struct GenerationParams {
  QString prompt;
  QString negativePrompt;
  int steps = 50;  // the CLI's and the paper's; the highlight interval (5) is set for it
  QString sampler =
      QStringLiteral("ddim");  // hd::GenerateRequest::scheduler: ddim, dpm++2m or dpm++2m-karras
  double guidance = 7.5;
  qint64 seed = -1;  // < 0: random (the engine reports the seed used)
  int width = 0;     // 0: the model's default
  int height = 0;
  HighlightParams highlight;
  bool compareDense = false;
};

// The samplers the engine offers: their request keys, and the names other Stable Diffusion
// tools write in a PNG's parameters ("DDIM", "DPM++ 2M", "DPM++ 2M Karras"). Unknown names
// give an empty string.
QStringList samplerKeys();
QString samplerName(const QString& key);
QString samplerKey(const QString& name);

struct StepData {
  quint64 runId = 0;
  Pass pass = Pass::Highlight;
  int step = 0;  // 0-based
  int totalSteps = 0;
  int timestep = 0;
  double ms = 0;
  double elapsedMs = 0;
  StepKind kind = StepKind::Full;
  int activeTiles = 0;
  int totalTiles = 0;
  double macs = 0;
  double denseMacs = 0;
  QImage preview;           // cheap latent-to-RGB projection; null when none was sent
  AttentionData attention;  // set at the collection step and at refreshing full steps
};

struct RunResult {
  quint64 runId = 0;
  Pass pass = Pass::Highlight;
  GenerationParams params;  // as requested
  QImage image;             // decoded, RGB888
  qint64 seed = 0;          // the seed used
  QVector<double> stepMs;
  QVector<StepKind> modes;
  double textEncoderMs = 0, vaeDecodeMs = 0, totalMs = 0;
  int promptTokens = 0;
  bool promptTruncated = false;
  int fullSteps = 0, partialSteps = 0;
  double macs = 0, denseMacs = 0;
  AttentionData attention;  // the last captured maps and mask

  double denoiseMs() const;
};

struct ModelRequest {
  QString path;
  Device device = Device::Cpu;
  bool reducedPrecision = false;  // UNet in bfloat16 on CPUs, float16 on CUDA
  int threads = 0;  // 0: every core
};

struct ModelInfoData {
  QString path;
  QString format;     // "diffusers", "single-file", "config"
  QString tokenizer;  // "clip-bpe", ...
  int defaultWidth = 512, defaultHeight = 512;
  int vaeScaleFactor = 8;
  int maxTokens = 77;
  qint64 parameters = 0;
  QStringList components;  // "unet 859,520,964 F16", ...
  Device device = Device::Cpu;
  QString unetDtype = QStringLiteral("float32");  // the UNet's arithmetic
  QList<int> attentionFactors;  // of its cross-attention layers (ModelInfo::attention_factors)
};

struct RemaskRequest {
  quint64 id = 0;
  AttentionData attention;
  HighlightParams options;
  int width = 0, height = 0;  // image size of the run
};

// Registers every type above with Qt's meta-type system (idempotent).
void registerMetaTypes();

// Stable, untranslated names (for JSON and the PNG parameters text).
QString statisticKey(Statistic s);
Statistic statisticFromKey(const QString& key, Statistic fallback = Statistic::Variance);
// Map factors as "2,4" and back; parsing keeps the powers of two from 1 to 64, ascending.
QString factorsText(const QList<int>& factors);
QList<int> factorsFromText(const QString& text);

}  // namespace hdui

Q_DECLARE_METATYPE(hdui::StepData)
Q_DECLARE_METATYPE(hdui::RunResult)
Q_DECLARE_METATYPE(hdui::GenerationParams)
Q_DECLARE_METATYPE(hdui::ModelRequest)
Q_DECLARE_METATYPE(hdui::ModelInfoData)
Q_DECLARE_METATYPE(hdui::RemaskRequest)
Q_DECLARE_METATYPE(hdui::MaskData)
Q_DECLARE_METATYPE(hdui::AttentionData)
Q_DECLARE_METATYPE(hdui::Pass)
