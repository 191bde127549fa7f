// The live panels on known data (offscreen): token strip, heatmap grid, mask view, block grid,
// latency plot, step scrubber, image view, the control panels, theme and translations.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <QXmlStreamReader>

#include "block_grid_view.h"
#include "generation_panel.h"
#include "heatmap_grid.h"
#include "highlight_panel.h"
#include "i18n.h"
#include "image_view.h"
#include "latency_plot.h"
#include "mask_view.h"
#include "settings.h"
#include "step_scrubber.h"
#include "theme.h"
#include "token_strip.h"
#include "ui_test_util.h"

using namespace hdui;

namespace {

void clickAt(QWidget* parent, const QPoint& pos) {
  QWidget* target = parent->childAt(pos);
  if (!target) target = parent;
  QTest::mouseClick(target, Qt::LeftButton, {}, target->mapFrom(parent, pos));
}

}  // namespace

class TestPanels : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { test::isolateSettings(); }

  void tokenStripGroupsWordsAndReportsClicks() {
    TokenStrip strip;
    strip.resize(600, 120);
    strip.show();
    QVERIFY(QTest::qWaitForWindowExposed(&strip));
    const AttentionData a = test::syntheticAttention();
    strip.setAttention(a);
    QApplication::processEvents();
    QRect rects[6];
    for (int i = 0; i < 6; ++i) {
      rects[i] = strip.tokenRect(i);
      QVERIFY2(rects[i].isValid(), qPrintable(QString::number(i)));
    }
    // "st" and "ar" form one word: they sit closer than tokens of different words.
    const int inWord = rects[4].left() - rects[3].right();
    const int between = rects[3].left() - rects[2].right();
    QVERIFY2(inWord < between, qPrintable(QStringLiteral("%1 vs %2").arg(inWord).arg(between)));
    QSignalSpy clicked(&strip, &TokenStrip::tokenClicked);
    clickAt(&strip, rects[2].center());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.first().first().toInt(), 2);
    // The highlighted token's statistics and the engine's reason are shown.
    const QString info = strip.findChild<QLabel*>(QStringLiteral("tokenInfo"))->text();
    QVERIFY2(info.contains(QStringLiteral("<b>st</b>")), qPrintable(info));
    QVERIFY(info.contains(QStringLiteral("variance 0.05")));
    QVERIFY(info.contains(QStringLiteral("highest variance")));
  }

  void tokenStripFlagsTruncation() {
    TokenStrip strip;
    AttentionData a = test::syntheticAttention();
    a.truncated = true;
    strip.setAttention(a);
    strip.setPromptInfo(90, 77, true);
    const QString info = strip.findChild<QLabel*>(QStringLiteral("tokenInfo"))->text();
    QVERIFY2(info.contains(QStringLiteral("limit of 77 tokens")), qPrintable(info));
  }

  void heatmapGridHasATilePerTokenAndReportsClicks() {
    HeatmapGrid grid;
    grid.resize(360, 400);
    grid.show();
    QVERIFY(QTest::qWaitForWindowExposed(&grid));
    grid.setAttention(test::syntheticAttention());
    QApplication::processEvents();
    QCOMPARE(grid.tileCount(), 6);
    QSignalSpy clicked(&grid, &HeatmapGrid::tokenClicked);
    clickAt(&grid, grid.tileRect(4).center());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.first().first().toInt(), 4);
  }

  void maskViewShowsBothMasksAndTheArea() {
    MaskView view;
    view.setMask(test::syntheticAttention().mask, 150);
    const QString info = view.infoText();
    QVERIFY2(info.contains(QStringLiteral("Threshold 150")), qPrintable(info));
    QVERIFY(info.contains(QStringLiteral("thresholded 65 px")));
    QVERIFY(info.contains(QStringLiteral("refined 64 px of 256")));
    QVERIFY(info.contains(QStringLiteral("area 25.0%")));
    view.setMask(test::syntheticAttention().mask, 90, true);
    QVERIFY(view.infoText().contains(QStringLiteral("other settings")));
  }

  void blockGridShowsEveryLevelWithCounts() {
    BlockGridView view;
    view.resize(500, 260);
    view.show();
    view.setMask(test::syntheticAttention().mask);
    QCOMPARE(view.levelCount(), 2);
    QVERIFY2(view.summaryText().contains(QStringLiteral("Active tiles 8 of 32 (25.0%)")),
             qPrintable(view.summaryText()));
    QVERIFY(view.summaryText().contains(QStringLiteral("40.0% of dense")));
    StepData s;
    s.step = 6;
    s.kind = StepKind::Partial;
    s.activeTiles = 8;
    s.totalTiles = 32;
    s.macs = 30;
    s.denseMacs = 100;
    view.setStep(s);
    QVERIFY2(
        view.stepText().contains(QStringLiteral("Step 7: partial, 8 of 32 tiles computed, 30.0%")),
        qPrintable(view.stepText()));
  }

  void latencyPlotSeparatesFullPartialAndBaseline() {
    LatencyPlot plot;
    plot.reset(5);
    for (int i = 0; i < 5; ++i) {
      StepData s;
      s.step = i;
      s.totalSteps = 5;
      s.kind = i % 2 ? StepKind::Partial : StepKind::Full;
      s.ms = s.kind == StepKind::Full ? 40 : 10;
      plot.addStep(s);
    }
    QCOMPARE(plot.pointCount(Pass::Highlight), 5);
    QVERIFY2(plot.summaryText().contains(QStringLiteral("3 full, 2 partial")),
             qPrintable(plot.summaryText()));
    for (int i = 0; i < 5; ++i) {
      StepData s;
      s.pass = Pass::Baseline;
      s.step = i;
      s.totalSteps = 5;
      s.ms = 40;
      plot.addStep(s);
    }
    QCOMPARE(plot.pointCount(Pass::Baseline), 5);
    // 200 ms dense over 140 ms: 1.43x.
    QVERIFY2(plot.summaryText().contains(QStringLiteral("speedup 1.43×")),
             qPrintable(plot.summaryText()));
  }

  void scrubberFollowsLiveAndReplays() {
    StepScrubber s;
    QSignalSpy moved(&s, &StepScrubber::positionChanged);
    s.setAvailable(3, false);
    QCOMPARE(s.position(), 2);
    QVERIFY(s.live());
    s.setPosition(0);
    QVERIFY(!s.live());
    s.setAvailable(5, false);
    QCOMPARE(s.position(), 0);  // replaying: new steps do not move it
    s.setLive(true);
    QCOMPARE(s.position(), 4);
    s.setAvailable(5, true);  // the decoded result is one more position
    QCOMPARE(s.position(), 5);
    QVERIFY(moved.count() >= 4);
  }

  void imageViewReportsTheHoveredImagePosition() {
    ImageView view;
    view.resize(300, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QImage img(32, 32, QImage::Format_RGB888);
    img.fill(Qt::gray);
    view.setImage(img);
    QSignalSpy hovered(&view, &ImageView::hovered);
    const QRectF r = view.imageRect();
    QTest::mouseMove(&view, (r.topLeft() + QPointF(r.width() * 0.25, r.height() * 0.75)).toPoint());
    QTRY_VERIFY(hovered.count() > 0);
    QVERIFY(std::abs(hovered.last().at(0).toDouble() - 0.25) < 0.02);
    QVERIFY(std::abs(hovered.last().at(1).toDouble() - 0.75) < 0.02);
  }

  void rankingAtAPixelPutsTheBlobFirst() {
    const AttentionData a = test::syntheticAttention();
    const auto ranked = a.rankAt(0.25, 0.25);
    QCOMPARE(ranked.size(), 4);  // prompt tokens only
    QVERIFY(ranked[0].first == 3 || ranked[0].first == 4);
    float total = 0;
    for (const auto& r : ranked) total += r.second;
    QVERIFY(std::abs(total - 1.f) < 1e-4f);
  }

  void highlightPanelManualWords() {
    HighlightPanel panel;
    QSignalSpy mask(&panel, &HighlightPanel::maskOptionsChanged);
    QVERIFY(panel.params().words.isEmpty());
    panel.toggleWord(QStringLiteral("house"));
    QCOMPARE(panel.params().words, QStringList{QStringLiteral("house")});
    panel.toggleWord(QStringLiteral("star"));
    QCOMPARE(panel.params().words, (QStringList{QStringLiteral("house"), QStringLiteral("star")}));
    panel.toggleWord(QStringLiteral("house"));
    QCOMPARE(panel.params().words, QStringList{QStringLiteral("star")});
    QVERIFY(mask.count() >= 3);
    panel.thresholdSlider()->setValue(33);
    QCOMPARE(panel.params().threshold, 33);
    HighlightParams p;
    p.interval = 7;
    p.statistic = Statistic::Sum;
    p.collectAt = 0.35;
    p.minArea = 0.02;
    p.refreshMask = true;
    panel.setParams(p);
    QVERIFY(panel.params() == p);
  }

  // One check box per cross-attention level of the model; all checked means every layer, the
  // last checked one cannot be unchecked, and a choice set before the model loaded (settings,
  // an opened image) is applied to the levels the model has.
  void highlightPanelAttentionLevels() {
    HighlightPanel panel;
    HighlightParams p;
    p.mapFactors = {4};
    panel.setParams(p);
    QCOMPARE(panel.params().mapFactors, QList<int>{4});  // no model yet: kept as set
    QSignalSpy changed(&panel, &HighlightPanel::changed);
    panel.setAttentionLevels({2, 4}, 64, 64);
    const QList<QCheckBox*> boxes = panel.mapChecks();
    QCOMPARE(boxes.size(), 2);
    QCOMPARE(boxes[0]->text(), QStringLiteral("32\u00d732"));
    QCOMPARE(boxes[1]->text(), QStringLiteral("16\u00d716"));
    QVERIFY(!boxes[0]->isChecked());
    QVERIFY(boxes[1]->isChecked());
    QCOMPARE(panel.params().mapFactors, QList<int>{4});
    boxes[1]->setChecked(false);  // the only one checked: refused
    QVERIFY(boxes[1]->isChecked());
    boxes[0]->setChecked(true);
    QVERIFY(panel.params().mapFactors.isEmpty());  // both: every layer
    boxes[1]->setChecked(false);
    QCOMPARE(panel.params().mapFactors, QList<int>{2});
    QCOMPARE(changed.count(), 2);
    p.mapFactors = {8};  // a level this model lacks: every layer
    panel.setParams(p);
    QVERIFY(boxes[0]->isChecked() && boxes[1]->isChecked());
    QVERIFY(panel.params().mapFactors.isEmpty());
    // A new model keeps the choice where it can.
    boxes[0]->setChecked(false);
    panel.setAttentionLevels({1, 2, 4, 8}, 64, 64);
    QCOMPARE(panel.mapChecks().size(), 4);
    QCOMPARE(panel.params().mapFactors, QList<int>{4});
  }

  void generationPanelSeedModes() {
    GenerationPanel panel;
    panel.setSeedMode(SeedMode::Random);
    QCOMPARE(panel.params(99).seed, qint64(-1));
    panel.seedEdit()->setText(QStringLiteral("1234"));
    panel.setSeedMode(SeedMode::Fixed);
    QCOMPARE(panel.params(99).seed, qint64(1234));
    panel.setSeedMode(SeedMode::ReuseLast);
    QCOMPARE(panel.params(99).seed, qint64(99));
    panel.setUsedSeed(555);
    QVERIFY(panel.findChild<QLabel*>(QStringLiteral("usedSeed"))
                ->text()
                .contains(QStringLiteral("555")));
  }

  // The sampler combo offers the engine's samplers by the names other tools write, and the
  // choice round-trips through the panel's params and the settings.
  void generationPanelSampler() {
    GenerationPanel panel;
    auto* combo = panel.findChild<QComboBox*>(QStringLiteral("samplerCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), 3);
    QCOMPARE(combo->itemText(1), QStringLiteral("DPM++ 2M"));
    QCOMPARE(combo->itemText(2), QStringLiteral("DPM++ 2M Karras"));
    QCOMPARE(panel.params(-1).sampler, QStringLiteral("ddim"));
    GenerationParams p;
    p.sampler = QStringLiteral("dpm++2m");
    panel.setParams(p);
    QCOMPARE(combo->currentText(), QStringLiteral("DPM++ 2M"));
    QCOMPARE(panel.params(-1).sampler, QStringLiteral("dpm++2m"));
    Settings().setParams(panel.params(-1));
    QCOMPARE(Settings().params().sampler, QStringLiteral("dpm++2m"));
    p.sampler = QStringLiteral("dpm++2m-karras");
    panel.setParams(p);
    QCOMPARE(combo->currentText(), QStringLiteral("DPM++ 2M Karras"));
    QCOMPARE(panel.params(-1).sampler, QStringLiteral("dpm++2m-karras"));
    QSettings().setValue(QStringLiteral("generate/sampler"), QStringLiteral("euler"));
    QCOMPARE(Settings().params().sampler, QStringLiteral("ddim"));  // unknown: the default
  }

  void themesFollowThePalette() {
    QCOMPARE(theme::heatColor(0.f), qRgb(0, 0, 4));
    QCOMPARE(theme::heatColor(1.f), qRgb(252, 255, 164));
    theme::apply(theme::Mode::Dark);
    QVERIFY(theme::isDark(QApplication::palette()));
    theme::apply(theme::Mode::Light);
    QVERIFY(!theme::isDark(QApplication::palette()));
    theme::apply(theme::Mode::System);
  }

  void translationsAreInstalledAndComplete() {
    i18n::install(QStringLiteral("de"));
    QCOMPARE(QCoreApplication::translate("hdui::MainWindow", "Generate"),
             QStringLiteral("Generieren"));
    i18n::install(QStringLiteral("ko"));
    QCOMPARE(QCoreApplication::translate("hdui::MainWindow", "Generate"), QStringLiteral("생성"));
    i18n::install(QStringLiteral("en"));
    QCOMPARE(QCoreApplication::translate("hdui::MainWindow", "Generate"),
             QStringLiteral("Generate"));
    // Every message of every .ts file has a finished, non-empty translation.
    for (const char* lang : {"de", "ko"}) {
      QFile f(
          QStringLiteral(HD_SOURCE_DIR "/translations/hd_studio_%1.ts").arg(QLatin1String(lang)));
      QVERIFY(f.open(QIODevice::ReadOnly));
      QXmlStreamReader xml(&f);
      int messages = 0;
      QString source;
      while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        if (xml.name() == QLatin1String("source")) source = xml.readElementText();
        if (xml.name() == QLatin1String("translation")) {
          ++messages;
          const bool unfinished =
              xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
          const QString text = xml.readElementText();
          QVERIFY2(
              !unfinished && !text.isEmpty(),
              qPrintable(QStringLiteral("%1: untranslated: %2").arg(QLatin1String(lang), source)));
        }
      }
      QVERIFY(!xml.hasError());
      QVERIFY2(messages > 150, qPrintable(QString::number(messages)));
    }
  }
};

QTEST_MAIN(TestPanels)
#include "test_panels.moc"
