#include "studio_app.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QScreen>
#include <QTimer>
#include <algorithm>
#include <cstdio>

#include "engine_client.h"
#include "generation_panel.h"
#include "highlight_panel.h"
#include "i18n.h"
#include "image_view.h"
#include "main_window.h"
#include "message_bar.h"
#include "settings.h"

#ifndef HD_STUDIO_VERSION
#define HD_STUDIO_VERSION "0.0.0"
#endif

namespace hdui {
namespace {

void fail(const QString& message) {
  std::fprintf(stderr, "hd-studio: %s\n", qPrintable(message));
}

bool saveScreenshot(MainWindow& window, const QString& path) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  const QPixmap shot = window.grab();
  if (shot.isNull() || !shot.save(path, "png")) {
    fail(QApplication::translate("hdui::Studio", "cannot write the screenshot %1").arg(path));
    return false;
  }
  std::printf("hd-studio: screenshot %s (%dx%d)\n", qPrintable(path), shot.width(), shot.height());
  return true;
}

}  // namespace

int runStudio(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("HighlightDiffusion"));
  QApplication::setApplicationName(QStringLiteral("hd-studio"));
  QApplication::setApplicationDisplayName(QStringLiteral("Highlight Diffusion Studio"));
  QApplication::setApplicationVersion(QStringLiteral(HD_STUDIO_VERSION));
  // The installed desktop entry's id (packaging/linux), which Wayland compositors match to
  // the window to show its name and icon.
  QApplication::setDesktopFileName(QStringLiteral("io.github.hdstudio.HdStudio"));
  QIcon icon;
  for (int size : {16, 32, 48, 64, 128, 256}) {
    icon.addFile(QStringLiteral(":/icons/hd-studio-%1.png").arg(size), QSize(size, size));
  }
  QApplication::setWindowIcon(icon);
  registerMetaTypes();

  // The language first, so that --help is translated too.
  {
    QString language = Settings().language();
    for (int i = 1; i + 1 < argc; ++i) {
      if (qstrcmp(argv[i], "--language") == 0) language = QString::fromLocal8Bit(argv[i + 1]);
    }
    i18n::install(language);
  }

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate(
      "hdui::Studio",
      "Highlight Diffusion Studio: fast text-to-image diffusion that shows its work."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption model(
      QStringLiteral("model"),
      QApplication::translate("hdui::Studio", "Model folder or .safetensors checkpoint."),
      QStringLiteral("path"));
  const QCommandLineOption prompt(QStringLiteral("prompt"),
                                  QApplication::translate("hdui::Studio", "The prompt."),
                                  QStringLiteral("text"));
  const QCommandLineOption negative(QStringLiteral("negative"),
                                    QApplication::translate("hdui::Studio", "The negative prompt."),
                                    QStringLiteral("text"));
  const QCommandLineOption steps(QStringLiteral("steps"),
                                 QApplication::translate("hdui::Studio", "Denoising steps."),
                                 QStringLiteral("n"));
  const QCommandLineOption seed(QStringLiteral("seed"),
                                QApplication::translate("hdui::Studio", "A fixed seed."),
                                QStringLiteral("s"));
  const QCommandLineOption size(
      QStringLiteral("size"), QApplication::translate("hdui::Studio", "Image size, e.g. 512x512."),
      QStringLiteral("WxH"));
  const QCommandLineOption threshold(
      QStringLiteral("threshold"),
      QApplication::translate("hdui::Studio", "Highlight threshold (0..255)."),
      QStringLiteral("t"));
  const QCommandLineOption overlays(
      QStringLiteral("overlays"),
      QApplication::translate("hdui::Studio",
                              "Overlays over the image: heatmap, mask, blocks (comma-separated)."),
      QStringLiteral("list"));
  const QCommandLineOption compare(
      QStringLiteral("compare"),
      QApplication::translate("hdui::Studio", "Compare with the dense baseline."));
  const QCommandLineOption generate(
      QStringLiteral("generate"),
      QApplication::translate("hdui::Studio", "Generate once the model is loaded."));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QApplication::translate("hdui::Studio",
                              "Generate, save a screenshot of the window to this file, and quit."),
      QStringLiteral("file"));
  const QCommandLineOption language(
      QStringLiteral("language"),
      QApplication::translate("hdui::Studio", "Language: en, de or ko."), QStringLiteral("code"));
  const QCommandLineOption theme(
      QStringLiteral("theme"),
      QApplication::translate("hdui::Studio", "Theme: system, light or dark."),
      QStringLiteral("mode"));
  const QCommandLineOption reset(
      QStringLiteral("reset"),
      QApplication::translate("hdui::Studio", "Start with the default layout and settings."));
  parser.addOptions({model, prompt, negative, steps, seed, size, threshold, overlays, compare,
                     generate, screenshot, language, theme, reset});
  parser.process(app);

  MainWindow::Options options;
  options.restoreSettings = !parser.isSet(reset);
  options.model = parser.value(model);
  if (!options.model.isEmpty()) options.model = QFileInfo(options.model).absoluteFilePath();
  MainWindow window(options);
  if (parser.isSet(language)) window.setLanguage(parser.value(language));
  if (parser.isSet(theme)) {
    window.setTheme(theme::modeFromKey(parser.value(theme)));
  } else if (!options.restoreSettings) {
    window.setTheme(theme::Mode::System);
  }

  // Settings given on the command line.
  GenerationParams p = window.generationPanel()->params(-1);
  if (parser.isSet(prompt)) p.prompt = parser.value(prompt);
  if (parser.isSet(negative)) p.negativePrompt = parser.value(negative);
  if (parser.isSet(steps)) p.steps = parser.value(steps).toInt();
  p.seed = parser.isSet(seed) ? parser.value(seed).toLongLong() : -1;
  if (parser.isSet(size)) {
    const QStringList wh = parser.value(size).split(u'x');
    p.width = wh.value(0).toInt();
    p.height = wh.value(1, wh.value(0)).toInt();
  }
  window.generationPanel()->setParams(p);
  if (parser.isSet(threshold)) {
    HighlightParams h = window.highlightPanel()->params();
    h.threshold = std::clamp(parser.value(threshold).toInt(), 0, 255);
    window.highlightPanel()->setParams(h);
  }
  if (parser.isSet(compare)) window.highlightPanel()->setCompareDense(true);
  if (parser.isSet(overlays)) {
    int bits = 0;
    for (const QString& o : parser.value(overlays).split(u',', Qt::SkipEmptyParts)) {
      const QString k = o.trimmed().toLower();
      if (k == QLatin1String("heatmap")) bits |= ImageView::HeatOverlay;
      if (k == QLatin1String("mask")) bits |= ImageView::MaskOverlay;
      if (k == QLatin1String("blocks")) bits |= ImageView::GridOverlay;
    }
    window.setOverlays(bits);
  }
  window.show();

  const bool scripted = parser.isSet(screenshot);
  if (parser.isSet(generate) || scripted) {
    QObject::connect(&window, &MainWindow::modelLoadFinished, &window, [&](bool ok) {
      if (ok) {
        window.generate();
      } else if (scripted) {
        fail(window.messageBar()->text());
        QApplication::exit(1);
      }
    });
    if (window.modelReady()) {
      window.generate();
    } else if (!window.engine()->loadingModel() && scripted) {
      fail(window.messageBar()->text());  // no model to load (the default is not installed)
      return 1;
    }
  }
  if (scripted) {
    const QString file = QFileInfo(parser.value(screenshot)).absoluteFilePath();
    QObject::connect(&window, &MainWindow::generationEnded, &window, [&, file](bool ok) {
      if (!ok) fail(QApplication::translate("hdui::Studio", "the generation did not finish"));
      // Let the last events paint before grabbing the window.
      QTimer::singleShot(600, &window, [&, file, ok] {
        const bool saved = saveScreenshot(window, file);
        QApplication::exit(ok && saved ? 0 : 1);
      });
    });
    QTimer::singleShot(600000, &window, [] {
      fail(QApplication::translate("hdui::Studio", "timed out waiting for the generation"));
      QApplication::exit(2);
    });
  }
  return app.exec();
}

}  // namespace hdui
