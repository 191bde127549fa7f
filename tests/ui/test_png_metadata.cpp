// PNG text chunks: the `parameters` format of other Stable Diffusion tools and the JSON chunk
// round-trip through a file; foreign files restore what they carry.
#include <QFile>
#include <QImageReader>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "png_metadata.h"
#include "ui_test_util.h"

using namespace hdui;

namespace {

ImageMetadata sample() {
  ImageMetadata m;
  GenerationParams& p = m.params;
  p.prompt = QStringLiteral("a red star above a blue house");
  p.negativePrompt = QStringLiteral("blurry, low quality");
  p.steps = 12;
  p.sampler = QStringLiteral("dpm++2m");
  p.guidance = 6.5;
  p.seed = 1234567890123LL;
  p.width = 256;
  p.height = 192;
  p.compareDense = true;
  HighlightParams& h = p.highlight;
  h.interval = 4;
  h.threshold = 97;
  h.collectAt = 0.25;
  h.statistic = Statistic::Max;
  h.words = {QStringLiteral("red"), QStringLiteral("house")};
  h.refreshMask = true;
  h.minArea = 0.01;
  h.mapFactors = {2, 4};
  m.modelPath = QStringLiteral("/models/hd-shapes");
  m.modelName = QStringLiteral("hd-shapes");
  m.device = QStringLiteral("cpu");
  m.unetDtype = QStringLiteral("bfloat16");
  m.highlightedToken = QStringLiteral("house");
  m.reason = QStringLiteral("chosen by hand");
  m.maskArea = 0.125;
  m.macFraction = 0.42;
  m.stepMs = {10.5, 11.25, 4.0};
  m.modes = {QStringLiteral("full"), QStringLiteral("full"), QStringLiteral("partial")};
  m.totalMs = 99.5;
  m.denoiseMs = 25.75;
  m.textEncoderMs = 3;
  m.vaeDecodeMs = 7;
  m.fullSteps = 2;
  m.partialSteps = 1;
  m.compared = true;
  m.baselineDenoiseMs = 40;
  m.baselineTotalMs = 120;
  m.psnr = 31.5;
  m.speedup = 1.55;
  m.appVersion = QStringLiteral("0.1.0");
  m.engineVersion = QStringLiteral("0.1.0");
  return m;
}

// The text chunks of a PNG file (tEXt, zTXt, iTXt), read from the bytes: what any other
// program sees, independent of Qt's reader.
QMap<QString, QString> textChunks(const QString& path) {
  QMap<QString, QString> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return out;
  const QByteArray png = f.readAll();
  auto be32 = [&](qsizetype at) {
    return quint32(uchar(png[at])) << 24 | quint32(uchar(png[at + 1])) << 16 |
           quint32(uchar(png[at + 2])) << 8 | quint32(uchar(png[at + 3]));
  };
  auto inflate = [](const QByteArray& z) {
    QByteArray sized("\x00\x10\x00\x00", 4);  // qUncompress wants a size hint first
    return qUncompress(sized + z);
  };
  qsizetype at = 8;
  while (at + 12 <= png.size()) {
    const quint32 length = be32(at);
    const QByteArray type = png.mid(at + 4, 4);
    const QByteArray data = png.mid(at + 8, length);
    const qsizetype nul = data.indexOf('\0');
    const QString key = QString::fromLatin1(data.left(nul));
    if (type == "tEXt") {
      out.insert(key, QString::fromLatin1(data.mid(nul + 1)));
    } else if (type == "zTXt") {
      out.insert(key, QString::fromLatin1(inflate(data.mid(nul + 2))));
    } else if (type == "iTXt") {
      const bool compressed = data[nul + 1] != 0;
      qsizetype p = data.indexOf('\0', nul + 3);  // language tag
      p = data.indexOf('\0', p + 1);              // translated keyword
      const QByteArray text = data.mid(p + 1);
      out.insert(key, QString::fromUtf8(compressed ? inflate(text) : text));
    }
    at += 12 + length;
  }
  return out;
}

QImage noiseImage(int w, int h) {
  QImage img(w, h, QImage::Format_RGB888);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w * 3; ++x) img.scanLine(y)[x] = uchar((x * 37 + y * 11) & 0xff);
  }
  return img;
}

}  // namespace

class TestPngMetadata : public QObject {
  Q_OBJECT

 private slots:
  void parametersTextHasTheCommonFormat() {
    const QString text = png::parametersText(sample());
    const QStringList lines = text.split(u'\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0], QStringLiteral("a red star above a blue house"));
    QCOMPARE(lines[1], QStringLiteral("Negative prompt: blurry, low quality"));
    QVERIFY2(
        lines[2].startsWith(QStringLiteral(
            "Steps: 12, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: 1234567890123, Size: 256x192, "
            "Model: hd-shapes, Highlight: on, Highlight interval: 4, Highlight threshold: 97")),
        qPrintable(lines[2]));
    // A value with a comma is quoted, as other tools do.
    QVERIFY(lines[2].contains(QStringLiteral("Highlight words: \"red, house\"")));
    QVERIFY(lines[2].contains(QStringLiteral("Highlighted token: house")));
    QVERIFY(lines[2].contains(QStringLiteral("Highlight map factors: \"2,4\"")));
  }

  void parametersTextRoundTrips() {
    const ImageMetadata m = sample();
    ImageMetadata back;
    QVERIFY(png::parseParametersText(png::parametersText(m), &back));
    QCOMPARE(back.params.prompt, m.params.prompt);
    QCOMPARE(back.params.negativePrompt, m.params.negativePrompt);
    QCOMPARE(back.params.steps, 12);
    QCOMPARE(back.params.sampler, QStringLiteral("dpm++2m"));
    QCOMPARE(back.params.guidance, 6.5);
    QCOMPARE(back.params.seed, m.params.seed);
    QCOMPARE(back.params.width, 256);
    QCOMPARE(back.params.height, 192);
    QVERIFY(back.params.highlight == m.params.highlight);
    QCOMPARE(back.modelName, QStringLiteral("hd-shapes"));
    QCOMPARE(back.highlightedToken, QStringLiteral("house"));
  }

  void parsesAnotherToolsParameters() {
    const QString text = QStringLiteral(
        "masterpiece, a cat\nwearing a hat\nNegative prompt: lowres, bad anatomy\n"
        "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 3141592653, Size: 512x768, "
        "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: v1.6.0");
    ImageMetadata m;
    QVERIFY(png::parseParametersText(text, &m));
    QCOMPARE(m.params.prompt, QStringLiteral("masterpiece, a cat\nwearing a hat"));
    QCOMPARE(m.params.negativePrompt, QStringLiteral("lowres, bad anatomy"));
    QCOMPARE(m.params.steps, 30);
    QCOMPARE(m.params.sampler, QStringLiteral("dpm++2m-karras"));
    QCOMPARE(m.params.guidance, 7.0);
    ImageMetadata dpm;
    QVERIFY(png::parseParametersText(
        QStringLiteral("a cat\nSteps: 25, Sampler: DPM++ 2M, CFG scale: 5, Seed: 1"), &dpm));
    QCOMPARE(dpm.params.sampler, QStringLiteral("dpm++2m"));
    // Newer tools: the schedule in a key of its own; a sampler we lack leaves ours.
    QVERIFY(png::parseParametersText(
        QStringLiteral("a cat\nSteps: 25, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5"),
        &dpm));
    QCOMPARE(dpm.params.sampler, QStringLiteral("dpm++2m-karras"));
    ImageMetadata euler;
    QVERIFY(png::parseParametersText(QStringLiteral("a cat\nSteps: 25, Sampler: Euler a, Seed: 1"),
                                     &euler));
    QCOMPARE(euler.params.sampler, QStringLiteral("ddim"));
    QCOMPARE(m.params.seed, 3141592653LL);
    QCOMPARE(m.params.width, 512);
    QCOMPARE(m.params.height, 768);
    QCOMPARE(m.modelName, QStringLiteral("v1-5-pruned-emaonly"));
  }

  void rejectsTextWithoutSettings() {
    ImageMetadata m;
    QVERIFY(!png::parseParametersText(QStringLiteral("just a caption"), &m));
  }

  void jsonRoundTrips() {
    const ImageMetadata m = sample();
    const QByteArray bytes = QJsonDocument(png::toJson(m)).toJson();
    ImageMetadata back;
    QVERIFY(png::fromJson(QJsonDocument::fromJson(bytes).object(), &back));
    QCOMPARE(back.params.seed, m.params.seed);
    QCOMPARE(back.params.sampler, QStringLiteral("dpm++2m"));
    QVERIFY(back.params.highlight == m.params.highlight);
    QCOMPARE(back.params.compareDense, true);
    QCOMPARE(back.modelPath, m.modelPath);
    QCOMPARE(back.highlightedToken, m.highlightedToken);
    QCOMPARE(back.reason, m.reason);
    QCOMPARE(back.stepMs, m.stepMs);
    QCOMPARE(back.modes, m.modes);
    QCOMPARE(back.macFraction, 0.42);
    QCOMPARE(back.unetDtype, QStringLiteral("bfloat16"));
    QCOMPARE(back.maskArea, 0.125);
    QCOMPARE(back.psnr, 31.5);
    QCOMPARE(back.speedup, 1.55);
    QCOMPARE(back.totalMs, 99.5);
  }

  void pngFileRoundTrips() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("out.png"));
    ImageMetadata m = sample();
    m.params.prompt = QStringLiteral("빨간 별 über einem blauen Haus");  // not Latin-1
    const QImage image = noiseImage(40, 24);
    QString error;
    QVERIFY2(png::save(path, image, m, &error), qPrintable(error));

    // What other tools read: the `parameters` text chunk, byte for byte in the file.
    const QMap<QString, QString> chunks = textChunks(path);
    QCOMPARE(chunks.value(QStringLiteral("parameters")), png::parametersText(m));
    QVERIFY(!chunks.value(QStringLiteral("hd-studio")).isEmpty());
    const QImage loaded(path);
    QCOMPARE(loaded.text(QStringLiteral("parameters")), png::parametersText(m));
    QCOMPARE(loaded.convertToFormat(QImage::Format_RGB888), image);

    ImageMetadata back;
    QVERIFY2(png::read(path, &back, &error), qPrintable(error));
    QCOMPARE(back.params.prompt, m.params.prompt);
    QCOMPARE(back.params.negativePrompt, m.params.negativePrompt);
    QCOMPARE(back.params.seed, m.params.seed);
    QCOMPARE(back.params.steps, m.params.steps);
    QCOMPARE(back.params.guidance, m.params.guidance);
    QVERIFY(back.params.highlight == m.params.highlight);
    QCOMPARE(back.highlightedToken, m.highlightedToken);
  }

  void readsAPngWithOnlyParameters() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("foreign.png"));
    QImage img = noiseImage(8, 8);
    img.setText(
        QStringLiteral("parameters"),
        QStringLiteral("a house\nSteps: 25, Sampler: Euler a, CFG scale: 5.5, Seed: 7, Size: 8x8"));
    QVERIFY(img.save(path));
    ImageMetadata m;
    QString error;
    QVERIFY2(png::read(path, &m, &error), qPrintable(error));
    QCOMPARE(m.params.prompt, QStringLiteral("a house"));
    QCOMPARE(m.params.steps, 25);
    QCOMPARE(m.params.seed, qint64(7));
  }

  void aPlainPngHasNoSettings() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("plain.png"));
    QVERIFY(noiseImage(8, 8).save(path));
    ImageMetadata m;
    QString error;
    QVERIFY(!png::read(path, &m, &error));
    QVERIFY(error.contains(QStringLiteral("plain.png")));
  }
};

QTEST_GUILESS_MAIN(TestPngMetadata)
#include "test_png_metadata.moc"
