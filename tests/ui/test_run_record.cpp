// RunRecord: replay lookups, re-masked reports, PSNR, speedup and the latency CSV.
#include <QTest>
#include <cmath>

#include "run_record.h"
#include "ui_test_util.h"

using namespace hdui;

namespace {

StepData step(quint64 run, int i, int total, StepKind kind, double ms,
              Pass pass = Pass::Highlight) {
  StepData s;
  s.runId = run;
  s.pass = pass;
  s.step = i;
  s.totalSteps = total;
  s.kind = kind;
  s.ms = ms;
  s.elapsedMs = ms * (i + 1);
  return s;
}

QImage filled(int v) {
  QImage img(4, 4, QImage::Format_RGB888);
  img.fill(QColor(v, v, v));
  return img;
}

}  // namespace

class TestRunRecord : public QObject {
  Q_OBJECT

 private slots:
  void attentionInEffectAtAStep() {
    RunRecord r;
    r.reset(7, GenerationParams{}, ModelInfoData{});
    for (int i = 0; i < 10; ++i) {
      StepData s = step(7, i, 10, i >= 3 ? StepKind::Partial : StepKind::Full, 10);
      if (i == 2 || i == 6) s.attention = test::syntheticAttention(16, i);
      r.addStep(s);
    }
    r.addStep(step(99, 0, 10, StepKind::Full, 1));  // another run: ignored
    QCOMPARE(r.stepCount(), 10);
    QVERIFY(r.attentionAt(1).isNull());
    QCOMPARE(r.attentionAt(2).step, 2);
    QCOMPARE(r.attentionAt(5).step, 2);
    QCOMPARE(r.attentionAt(9).step, 6);
  }

  void remaskedReportReplacesTheEngines() {
    RunRecord r;
    GenerationParams p;
    r.reset(1, p, ModelInfoData{});
    StepData s = step(1, 0, 1, StepKind::Full, 1);
    s.attention = test::syntheticAttention(16, 0);
    r.addStep(s);
    QCOMPARE(r.maskOptionsAt(0).threshold, p.highlight.threshold);
    AttentionData remasked = s.attention;
    remasked.mask.area = 0.5f;
    HighlightParams o = p.highlight;
    o.threshold = 20;
    r.setRemasked(remasked, o);
    QCOMPARE(r.attentionAt(0).mask.area, 0.5f);
    QCOMPARE(r.originalAttentionAt(0).mask.area, 0.25f);
    QCOMPARE(r.maskOptionsAt(0).threshold, 20);
  }

  void psnrAndSpeedup() {
    QVERIFY(std::isinf(RunRecord::psnr(filled(10), filled(10))));
    // A difference of 1 everywhere: 10 log10(255^2) = 48.13 dB.
    QVERIFY(std::abs(RunRecord::psnr(filled(10), filled(11)) - 48.1308) < 1e-3);
    RunRecord r;
    r.reset(3, GenerationParams{}, ModelInfoData{});
    QVERIFY(!r.psnr());
    RunResult a;
    a.runId = 3;
    a.image = filled(10);
    a.stepMs = {10, 10};
    RunResult b = a;
    b.pass = Pass::Baseline;
    b.image = filled(11);
    b.stepMs = {20, 25};
    r.setResult(a);
    r.setResult(b);
    QVERIFY(std::abs(*r.psnr() - 48.1308) < 1e-3);
    QCOMPARE(*r.speedup(), 2.25);
  }

  void latencyCsv() {
    RunRecord r;
    r.reset(5, GenerationParams{}, ModelInfoData{});
    r.addStep(step(5, 0, 2, StepKind::Full, 12.5));
    r.addStep(step(5, 1, 2, StepKind::Partial, 4.25));
    r.addStep(step(5, 0, 2, StepKind::Full, 13, Pass::Baseline));
    const QStringList lines = r.latencyCsv().trimmed().split(u'\n');
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0],
             QStringLiteral(
                 "step,pass,mode,timestep,ms,elapsed_ms,active_tiles,total_tiles,macs,dense_macs"));
    QVERIFY(lines[1].startsWith(QStringLiteral("1,highlight,full,0,12.500,")));
    QVERIFY(lines[2].startsWith(QStringLiteral("2,highlight,partial,0,4.250,")));
    QVERIFY(lines[3].startsWith(QStringLiteral("1,dense,full,0,13.000,")));
  }
};

QTEST_GUILESS_MAIN(TestRunRecord)
#include "test_run_record.moc"
