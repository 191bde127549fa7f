// The studio window against the real engine (offscreen): the panels follow a stream of engine
// events, the scrubber replays, the threshold slider re-masks without a run, Stop and Esc
// cancel, PNG settings round-trip (save, open, drop), a bad model folder shows an error and
// leaves the app usable.
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include "block_grid_view.h"
#include "engine_client.h"
#include "generation_panel.h"
#include "heatmap_grid.h"
#include "highlight_panel.h"
#include "image_view.h"
#include "latency_plot.h"
#include "main_window.h"
#include "mask_view.h"
#include "message_bar.h"
#include "progress_status.h"
#include "settings.h"
#include "step_scrubber.h"
#include "token_strip.h"
#include "ui_test_util.h"

using namespace hdui;

class TestMainWindow : public QObject {
  Q_OBJECT

 private:
  MainWindow* w_ = nullptr;
  QTemporaryDir tmp_;

  bool runOnce(int steps, qint64 seed, bool expectOk = true) {
    GenerationParams p = w_->generationPanel()->params(-1);
    p.steps = steps;
    p.seed = seed;
    w_->generationPanel()->setParams(p);
    QSignalSpy ended(w_, &MainWindow::generationEnded);
    w_->generate();
    if (!ended.wait(120000)) return false;
    return ended.first().first().toBool() == expectOk;
  }

 private slots:
  void initTestCase() {
    test::isolateSettings();
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    MainWindow::Options o;
    o.restoreSettings = false;
    o.model = test::modelPath();
    w_ = new MainWindow(o);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_));
    QSignalSpy loaded(w_, &MainWindow::modelLoadFinished);
    QVERIFY(w_->modelReady() || loaded.wait(120000));
    QVERIFY(w_->modelReady());
  }

  void cleanupTestCase() {
    delete w_;
    w_ = nullptr;
  }

  void panelsFollowTheEngineEvents() {
    // Responsiveness: the UI thread keeps serving timers while the engine works.
    QElapsedTimer clock;
    qint64 last = 0, worstGap = 0;
    int ticks = 0;
    QTimer timer;
    timer.setInterval(5);
    connect(&timer, &QTimer::timeout, this, [&] {
      const qint64 now = clock.elapsed();
      worstGap = std::max(worstGap, now - last);
      last = now;
      ++ticks;
    });
    int stepsSeen = 0;
    QObject context;  // disconnects the lambda when the test returns
    connect(w_->engine(), &EngineClient::stepReady, &context, [&] {
      ++stepsSeen;
      // Each event reaches the plot and the scrubber as it arrives.
      QCOMPARE(w_->latencyPlot()->pointCount(Pass::Highlight), stepsSeen);
      QCOMPARE(w_->stepScrubber()->available(), stepsSeen);
    });
    clock.start();
    timer.start();
    QVERIFY(runOnce(10, 7));
    timer.stop();
    qInfo("UI timer: %d ticks, longest gap %lld ms during the run", ticks, worstGap);
    QVERIFY2(worstGap < 2000, qPrintable(QString::number(worstGap)));
    QCOMPARE(stepsSeen, 10);

    const RunRecord& r = w_->record();
    QCOMPARE(r.stepCount(), 10);
    QVERIFY(r.result() != nullptr);
    QCOMPARE(w_->latencyPlot()->pointCount(Pass::Highlight), 10);
    QVERIFY(w_->latencyPlot()->summaryText().contains(QStringLiteral("Denoising")));
    QCOMPARE(w_->stepScrubber()->available(), 10);
    QVERIFY(w_->stepScrubber()->decoded());
    QCOMPARE(w_->position(), 10);  // live: the decoded result
    QCOMPARE(w_->imageView()->image(), r.result()->image);
    QVERIFY2(w_->progressStatus()->text().contains(QStringLiteral("seed 7")),
             qPrintable(w_->progressStatus()->text()));
    QVERIFY(
        w_->findChild<QLabel*>(QStringLiteral("usedSeed"))->text().contains(QStringLiteral("7")));
    QVERIFY(w_->generateAction()->isEnabled());
    QVERIFY(!w_->stopAction()->isEnabled());
    if (!r.hasAttention()) {
      QWARN(
          "the engine reported no attention maps: token, heatmap, mask and block panels not "
          "checked");
      return;
    }
    const AttentionData a = r.attentionAt(9);
    QCOMPARE(w_->tokenStrip()->attention().tokens.size(), a.tokens.size());
    QCOMPARE(w_->heatmapGrid()->tileCount(), a.tokens.size());
    QVERIFY(w_->maskView()->infoText().contains(QStringLiteral("Threshold")));
    QCOMPARE(w_->blockGridView()->levelCount(), a.mask.grids.size());
    QVERIFY(w_->blockGridView()->summaryText().contains(QStringLiteral("predicted MACs")));
    // The highlighted token's map is the one over the image.
    QVERIFY(w_->imageView()->hasHeatMap());
  }

  // The loaded model's cross-attention levels become check boxes; a run with one of them
  // takes its maps from that level's layers only, so the maps differ from every layer's.
  void attentionLevelsReachTheEngine() {
    const QList<QCheckBox*> boxes = w_->highlightPanel()->mapChecks();
    QCOMPARE(boxes.size(), 2);  // the embedded model and the fixture both have two levels
    QVERIFY(runOnce(10, 7));
    const AttentionData all = w_->record().attentionAt(9);
    boxes[1]->setChecked(false);
    QCOMPARE(w_->highlightPanel()->params().mapFactors.size(), 1);
    QVERIFY(runOnce(10, 7));
    const AttentionData one = w_->record().attentionAt(9);
    boxes[1]->setChecked(true);
    QVERIFY(!all.isNull() && !one.isNull());
    QCOMPARE(one.maps.size(), all.maps.size());
    const int t = all.selectedToken();
    QVERIFY(t >= 0);
    QVERIFY(one.maps[t].data != all.maps[t].data);
  }

  void scrubberReplaysAPastStep() {
    const RunRecord& r = w_->record();
    QVERIFY(r.stepCount() >= 3);
    w_->stepScrubber()->setPosition(2);
    QVERIFY(!w_->stepScrubber()->live());
    QCOMPARE(w_->imageView()->image(), r.step(2)->preview);
    QVERIFY(w_->blockGridView()->stepText().startsWith(QStringLiteral("Step 3:")));
    w_->stepScrubber()->setLive(true);
    QCOMPARE(w_->imageView()->image(), r.result()->image);
  }

  void thresholdSliderRemasksWithoutARun() {
    const RunRecord& r = w_->record();
    const quint64 run = r.runId();
    if (!r.hasAttention()) {
      // Feed the window a report, as the engine's collection step would.
      StepData s = *r.step(r.stepCount() - 1);
      s.attention = test::syntheticAttention(
          r.result()->image.width() / w_->modelInfo().vaeScaleFactor, s.step);
      emit w_->engine()->stepReady(s);
    }
    QVERIFY(w_->record().hasAttention());
    QSignalSpy ran(w_->engine(), &EngineClient::runStarted);
    QSignalSpy applied(w_, &MainWindow::remaskApplied);
    QSlider* slider = w_->highlightPanel()->thresholdSlider();
    const int before = w_->remaskCount();
    slider->setValue(250);
    if (!EngineWorker::remaskSupported()) {
      QVERIFY(w_->maskView()->infoText().contains(QStringLiteral("other settings")));
      QSKIP("this build has no Engine::remask: the mask is flagged as stale instead");
    }
    QVERIFY(applied.wait(30000));
    const float high = w_->record().attentionAt(w_->record().stepCount() - 1).mask.area;
    QVERIFY2(w_->maskView()->infoText().contains(QStringLiteral("Threshold 250")),
             qPrintable(w_->maskView()->infoText()));
    slider->setValue(5);
    QVERIFY(applied.wait(30000));
    const float low = w_->record().attentionAt(w_->record().stepCount() - 1).mask.area;
    QVERIFY(w_->maskView()->infoText().contains(QStringLiteral("Threshold 5")));
    QVERIFY2(low >= high, qPrintable(QStringLiteral("%1 < %2").arg(low).arg(high)));
    QCOMPARE(w_->remaskCount(), before + 2);
    QCOMPARE(ran.count(), 0);  // no generation ran
    QCOMPARE(w_->record().runId(), run);
    slider->setValue(150);
    applied.wait(30000);
  }

  void stopCancelsARun() {
    GenerationParams p = w_->generationPanel()->params(-1);
    p.steps = 400;
    w_->generationPanel()->setParams(p);
    QSignalSpy ended(w_, &MainWindow::generationEnded);
    connect(w_->engine(), &EngineClient::stepReady, w_, &MainWindow::stop,
            Qt::SingleShotConnection);
    QTest::mouseClick(w_->findChild<QPushButton*>(QStringLiteral("generateButton")),
                      Qt::LeftButton);
    QVERIFY(w_->isGenerating());
    QVERIFY(w_->stopAction()->isEnabled());
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.first().first().toBool(), false);
    QVERIFY(w_->record().cancelled());
    qInfo("stopped after %d of 400 steps", w_->record().stepCount());
    QVERIFY(w_->record().stepCount() < 400);
    QVERIFY2(w_->messageBar()->text().contains(QStringLiteral("Stopped")),
             qPrintable(w_->messageBar()->text()));
    QVERIFY(w_->generateAction()->isEnabled());
  }

  void keyboardGenerateAndEscape() {
    w_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(w_));
    GenerationParams p = w_->generationPanel()->params(-1);
    p.steps = 400;
    w_->generationPanel()->setParams(p);
    QSignalSpy started(w_->engine(), &EngineClient::runStarted);
    QSignalSpy ended(w_, &MainWindow::generationEnded);
    QPlainTextEdit* prompt = w_->generationPanel()->promptEdit();
    prompt->setFocus();
    QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);  // Ctrl+Enter
    QVERIFY(w_->isGenerating());
    QVERIFY(!prompt->toPlainText().contains(u'\n'));  // the shortcut, not a new line
    QVERIFY(started.wait(30000));
    QTest::keyClick(prompt, Qt::Key_Escape);
    QVERIFY(ended.wait(120000));
    QVERIFY(w_->record().cancelled());

    // With Esc turned off, Esc does not stop a run.
    w_->setEscapeStops(false);
    ended.clear();
    w_->generate();
    QTest::keyClick(prompt, Qt::Key_Escape);
    QTest::qWait(100);
    QVERIFY(w_->isGenerating() || ended.count() == 1);
    if (w_->isGenerating()) {
      w_->stop();
      QVERIFY(ended.wait(120000));
    }
    w_->setEscapeStops(true);
  }

  void pngSettingsRoundTrip() {
    w_->highlightPanel()->mapChecks().last()->setChecked(false);  // one attention level
    QVERIFY(runOnce(6, 31));
    HighlightParams h = w_->highlightPanel()->params();
    QCOMPARE(h.mapFactors.size(), 1);
    const QString path = tmp_.filePath(QStringLiteral("round.png"));
    QVERIFY(w_->saveImage(path));
    const GenerationParams saved = w_->record().params();
    QCOMPARE(saved.seed, qint64(31));

    // Change everything, then restore from the file.
    GenerationParams other = saved;
    other.prompt = QStringLiteral("something else");
    other.steps = 3;
    other.seed = 5;
    w_->generationPanel()->setParams(other);
    HighlightParams otherH = h;
    otherH.threshold = 12;
    otherH.interval = 9;
    otherH.mapFactors.clear();
    w_->highlightPanel()->setParams(otherH);
    QVERIFY(w_->restoreFromImage(path));
    const GenerationParams back = w_->generationPanel()->params(-1);
    QCOMPARE(back.prompt, saved.prompt);
    QCOMPARE(back.steps, saved.steps);
    QCOMPARE(back.seed, qint64(31));
    QCOMPARE(back.guidance, saved.guidance);
    QVERIFY(w_->highlightPanel()->params() == saved.highlight);
    QVERIFY(w_->messageBar()->text().contains(QStringLiteral("round.png")));

    // Dropping the file on the window does the same.
    w_->generationPanel()->setParams(other);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w_, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w_, &drop);
    QCOMPARE(w_->generationPanel()->params(-1).prompt, saved.prompt);
    QCOMPARE(w_->generationPanel()->params(-1).steps, saved.steps);
    w_->highlightPanel()->mapChecks().last()->setChecked(true);
  }

  void exportsWriteFiles() {
    const QString csv = tmp_.filePath(QStringLiteral("latency.csv"));
    QVERIFY(w_->exportLatencyCsv(csv));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(u'\n');
    QCOMPARE(lines.size(), w_->record().stepCount() + 1);
    if (!w_->record().hasAttention()) QSKIP("no attention maps to export");
    QVERIFY(w_->exportHeatmaps(tmp_.filePath(QStringLiteral("maps"))));
    QVERIFY(QFile::exists(tmp_.filePath(QStringLiteral("maps/heatmaps.json"))));
    QVERIFY(w_->exportMask(tmp_.filePath(QStringLiteral("mask"))));
    QVERIFY(QFile::exists(tmp_.filePath(QStringLiteral("mask/mask_refined.png"))));
  }

  void aBadModelFolderShowsAnErrorAndTheAppStaysUsable() {
    QSignalSpy loaded(w_, &MainWindow::modelLoadFinished);
    w_->setModel(QStringLiteral("/nonexistent/broken-model"));
    QVERIFY(loaded.wait(60000));
    QCOMPARE(loaded.first().first().toBool(), false);
    QVERIFY(w_->messageBar()->isVisible());
    QCOMPARE(w_->messageBar()->kind(), MessageBar::Error);
    QVERIFY2(w_->messageBar()->text().contains(QStringLiteral("broken-model")),
             qPrintable(w_->messageBar()->text()));
    // The model loaded before is still there.
    QVERIFY(w_->modelReady());
    QVERIFY(runOnce(3, 1));
  }

  // Reduced precision is on by default exactly where the CPU has bfloat16 arithmetic, as
  // /proc/cpuinfo lists it (avx512_bf16 or amx_bf16): in a fresh window and in empty settings.
  void reducedPrecisionDefaultsToTheCpusBFloat16() {
    QFile info(QStringLiteral("/proc/cpuinfo"));
    if (!info.open(QIODevice::ReadOnly)) QSKIP("no /proc/cpuinfo");
    bool native = false;
    for (const QByteArray& line : info.readAll().split('\n')) {
      if (!line.startsWith("flags")) continue;
      const QList<QByteArray> flags = line.split(' ');
      native = flags.contains("avx512_bf16") || flags.contains("amx_bf16");
      break;
    }
    qInfo("CPU bfloat16: %s", native ? "yes" : "no");
    auto* box = w_->findChild<QCheckBox*>(QStringLiteral("reducedPrecision"));
    QVERIFY(box);
    QCOMPARE(box->isChecked(), native);
    QSettings().remove(QStringLiteral("model/reduced_precision"));
    QCOMPARE(Settings().reducedPrecision(), native);
  }

  // Toggling "Reduced precision" reloads the model with a bfloat16 UNet (shown in the status
  // bar) or a float32 one, and back. Generation works in both.
  void reducedPrecisionReloadsTheModel() {
    auto* box = w_->findChild<QCheckBox*>(QStringLiteral("reducedPrecision"));
    QVERIFY(box);
    auto* status = w_->findChild<QLabel*>(QStringLiteral("modelStatus"));
    QVERIFY(status);
    const bool startedReduced = box->isChecked();
    QCOMPARE(status->text().contains(QStringLiteral("bfloat16")), startedReduced);
    QSignalSpy loaded(w_, &MainWindow::modelLoadFinished);
    box->click();
    QVERIFY(loaded.wait(120000));
    QCOMPARE(loaded.first().first().toBool(), true);
    QVERIFY2(status->text().contains(QStringLiteral("bfloat16")) != startedReduced,
             qPrintable(status->text()));
    QVERIFY(runOnce(3, 1));
    box->click();
    QVERIFY(loaded.wait(120000));
    QVERIFY2(status->text().contains(QStringLiteral("bfloat16")) == startedReduced,
             qPrintable(status->text()));
  }

  void aWordNotInThePromptShowsAnError() {
    const HighlightParams saved = w_->highlightPanel()->params();
    HighlightParams h = saved;
    h.words = {QStringLiteral("zebra")};
    w_->highlightPanel()->setParams(h);
    QVERIFY(runOnce(6, 3, /*expectOk=*/false));
    qInfo("message: %s", qPrintable(w_->messageBar()->text()));
    QCOMPARE(w_->messageBar()->kind(), MessageBar::Error);
    QVERIFY2(w_->messageBar()->text().contains(QStringLiteral("zebra")),
             qPrintable(w_->messageBar()->text()));
    w_->highlightPanel()->setParams(saved);
    QVERIFY(runOnce(3, 3));  // usable again
  }

  void switchesLanguageLive() {
    // Every widget retranslates itself on QEvent::LanguageChange (delivered asynchronously).
    auto* button = w_->findChild<QPushButton*>(QStringLiteral("generateButton"));
    w_->setLanguage(QStringLiteral("de"));
    QTRY_COMPARE(button->text(), QStringLiteral("Generieren"));
    QCOMPARE(w_->highlightPanel()->title(), QStringLiteral("Highlight Diffusion"));
    QCOMPARE(w_->windowTitle(), QStringLiteral("Highlight Diffusion Studio"));
    QVERIFY(w_->latencyPlot()->summaryText().contains(QStringLiteral("Entrauschen")));
    w_->setLanguage(QStringLiteral("ko"));
    QTRY_COMPARE(button->text(), QStringLiteral("생성"));
    w_->setLanguage(QStringLiteral("en"));
    QTRY_COMPARE(button->text(), QStringLiteral("Generate"));
    QVERIFY(w_->latencyPlot()->summaryText().contains(QStringLiteral("Denoising")));
  }

  void aMissingDefaultModelAsksForAFolder() {
    if (QFile::exists(EngineWorker::defaultModelPath()))
      QSKIP("the embedded default model is installed");
    MainWindow::Options o;
    o.restoreSettings = false;
    MainWindow w(o);
    QCOMPARE(w.messageBar()->kind(), MessageBar::Warning);
    QVERIFY2(w.messageBar()->text().contains(QStringLiteral("not installed")),
             qPrintable(w.messageBar()->text()));
    QVERIFY(!w.modelReady());
    // Generate without a model explains what to do instead of failing silently.
    w.generate();
    QCOMPARE(w.messageBar()->kind(), MessageBar::Error);
    QVERIFY(!w.isGenerating());
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
