// EngineWorker and EngineClient against the real engine: a stream of step events, the
// comparison with dense, cancellation within one step, re-masking, and load failures.
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include "engine_client.h"
#include "engine_worker.h"
#include "ui_test_util.h"

using namespace hdui;

namespace {

GenerationParams request(int steps, qint64 seed = 42) {
  GenerationParams p;
  p.prompt = QStringLiteral("a red star above a blue house");
  p.steps = steps;
  p.seed = seed;
  p.guidance = 7.5;
  p.highlight.interval = 3;
  return p;
}

}  // namespace

class TestEngineWorker : public QObject {
  Q_OBJECT

 private:
  EngineClient* client_ = nullptr;
  ModelInfoData info_;

 private slots:
  void initTestCase() {
    registerMetaTypes();
    client_ = new EngineClient(this);
    QSignalSpy loaded(client_, &EngineClient::modelLoaded);
    QSignalSpy failed(client_, &EngineClient::modelFailed);
    ModelRequest r;
    r.path = test::modelPath();
    client_->loadModel(r);
    QVERIFY(client_->loadingModel());
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() > 0, 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    const ModelInfoData info = loaded.first().first().value<ModelInfoData>();
    info_ = info;
    QCOMPARE(info.path, r.path);
    QVERIFY(info.parameters > 0);
    QVERIFY(client_->hasModel());
    qInfo("model %s: %s, %dx%d", qPrintable(info.path), qPrintable(info.format), info.defaultWidth,
          info.defaultHeight);
  }

  void stepEventsStreamToTheUiThread() {
    QSignalSpy steps(client_, &EngineClient::stepReady);
    QSignalSpy finished(client_, &EngineClient::runFinished);
    QSignalSpy ended(client_, &EngineClient::runEnded);
    QVector<Qt::HANDLE> threads;
    QObject context;  // disconnects the lambda when the test returns
    connect(client_, &EngineClient::stepReady, &context,
            [&] { threads << QThread::currentThreadId(); });
    const quint64 id = client_->generate(request(8));
    QVERIFY(client_->busy());
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    QVERIFY(!client_->busy());
    QCOMPARE(steps.count(), 8);
    for (Qt::HANDLE t : threads)
      QCOMPARE(t, QThread::currentThreadId());  // queued to the UI thread
    bool sawAttention = false, sawPartial = false;
    for (int i = 0; i < steps.count(); ++i) {
      const StepData s = steps.at(i).first().value<StepData>();
      QCOMPARE(s.runId, id);
      QCOMPARE(s.step, i);
      QCOMPARE(s.totalSteps, 8);
      QVERIFY(s.ms > 0);
      QVERIFY2(!s.preview.isNull(), "every step carries a preview");
      sawPartial = sawPartial || s.kind == StepKind::Partial;
      if (!s.attention.isNull()) {
        sawAttention = true;
        QCOMPARE(s.attention.maps.size(), s.attention.tokens.size());
        QVERIFY(s.attention.selectedToken() >= 0);
        QVERIFY(!s.attention.mask.isNull());
        QVERIFY(!s.attention.mask.grids.isEmpty());
      }
    }
    QCOMPARE(finished.count(), 1);
    const RunResult r = finished.first().first().value<RunResult>();
    QCOMPARE(r.seed, qint64(42));
    QVERIFY(!r.image.isNull());
    QCOMPARE(r.stepMs.size(), 8);
    QCOMPARE(r.modes.size(), 8);
    QCOMPARE(r.fullSteps + r.partialSteps, 8);
    if (!sawAttention)
      QWARN("the engine reported no attention maps (highlight not implemented yet?)");
    if (sawAttention) QVERIFY(sawPartial);
  }

  void compareRunsTheDenseBaselineWithTheSameSeed() {
    QSignalSpy finished(client_, &EngineClient::runFinished);
    QSignalSpy steps(client_, &EngineClient::stepReady);
    QSignalSpy ended(client_, &EngineClient::runEnded);
    GenerationParams p = request(6, -1);  // a random seed, reused by the baseline
    p.compareDense = true;
    client_->generate(p);
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    QCOMPARE(finished.count(), 2);
    const RunResult hl = finished.at(0).first().value<RunResult>();
    const RunResult dense = finished.at(1).first().value<RunResult>();
    QCOMPARE(hl.pass, Pass::Highlight);
    QCOMPARE(dense.pass, Pass::Baseline);
    QCOMPARE(dense.seed, hl.seed);
    QVERIFY(!dense.params.highlight.enabled);
    for (StepKind k : dense.modes) QCOMPARE(k, StepKind::Full);
    QCOMPARE(steps.count(), 12);
  }

  // The sampler reaches the engine: the same seed under DPM++ 2M draws another image than
  // under DDIM, and twice the same one.
  void samplerReachesTheEngine() {
    QSignalSpy finished(client_, &EngineClient::runFinished);
    QSignalSpy ended(client_, &EngineClient::runEnded);
    GenerationParams p = request(4, 7);
    p.highlight.enabled = false;
    QVector<QImage> images;
    for (const char* sampler : {"ddim", "dpm++2m", "dpm++2m"}) {
      p.sampler = QLatin1String(sampler);
      client_->generate(p);
      QTRY_VERIFY_WITH_TIMEOUT(ended.count() == images.size() + 1, 120000);
      QCOMPARE(finished.count(), images.size() + 1);
      images << finished.last().first().value<RunResult>().image;
    }
    QVERIFY(images[0] != images[1]);
    QVERIFY(images[1] == images[2]);
  }

  void cancelTakesEffectWithinOneStep() {
    // The worker directly, so that the cancel request is made while the step is reported.
    QThread thread;
    auto* worker = new EngineWorker;
    worker->moveToThread(&thread);
    thread.start();
    QSignalSpy loaded(worker, &EngineWorker::modelLoaded);
    ModelRequest r;
    r.path = test::modelPath();
    QMetaObject::invokeMethod(worker, [worker, r] { worker->loadModel(r); });
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() == 1, 120000);

    QAtomicInt steps = 0;
    connect(
        worker, &EngineWorker::stepReady, worker,
        [&](const StepData& s) {
          steps.fetchAndAddOrdered(1);
          if (s.step == 2) worker->requestCancel(s.runId);  // the Stop button during step 3
        },
        Qt::DirectConnection);
    QSignalSpy failed(worker, &EngineWorker::runFailed);
    QSignalSpy finished(worker, &EngineWorker::runFinished);
    QMetaObject::invokeMethod(worker, [worker] { worker->generate(1, request(50)); });
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 120000);
    QCOMPARE(steps.loadAcquire(), 3);  // no step after the one during which Stop was pressed
    QCOMPARE(failed.first().at(3).toBool(), true);  // cancelled
    QCOMPARE(finished.count(), 0);

    // Cancelled before it started: nothing runs.
    steps = 0;
    worker->requestCancel(2);
    QMetaObject::invokeMethod(worker, [worker] { worker->generate(2, request(50)); });
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 2, 60000);
    QCOMPARE(steps.loadAcquire(), 0);
    QCOMPARE(failed.last().at(3).toBool(), true);

    thread.quit();
    thread.wait();
    delete worker;
  }

  void remaskRebuildsTheMaskFromStoredMaps() {
    QSignalSpy finished(client_, &EngineClient::runFinished);
    QSignalSpy ended(client_, &EngineClient::runEnded);
    client_->generate(request(6));
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    const RunResult r = finished.first().first().value<RunResult>();
    AttentionData maps = r.attention;
    if (maps.isNull()) {
      // No maps from this engine yet: re-mask a synthetic report at the latent size.
      maps = test::syntheticAttention(r.image.width() / info_.vaeScaleFactor);
    }
    QSignalSpy ready(client_, &EngineClient::remaskReady);
    QSignalSpy failed(client_, &EngineClient::remaskFailed);
    float areas[2] = {0, 0};
    const int thresholds[2] = {10, 240};
    for (int i = 0; i < 2; ++i) {
      RemaskRequest req;
      req.attention = maps;
      req.options.threshold = thresholds[i];
      req.options.minArea = 0;
      req.width = r.image.width();
      req.height = r.image.height();
      const quint64 id = client_->remask(req);
      QTRY_VERIFY_WITH_TIMEOUT(ready.count() + failed.count() == i + 1, 30000);
      if (!EngineWorker::remaskSupported()) {
        QCOMPARE(failed.count(), i + 1);
        QSKIP("this build has no Engine::remask (HD_UI_ENGINE_REMASK=OFF)");
      }
      QVERIFY2(failed.isEmpty(),
               failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
      QCOMPARE(ready.last().at(0).value<quint64>(), id);
      const AttentionData out = ready.last().at(1).value<AttentionData>();
      QVERIFY(!out.mask.isNull());
      QCOMPARE(out.tokens.size(), maps.tokens.size());
      areas[i] = out.mask.area;
    }
    QVERIFY2(areas[0] >= areas[1],
             qPrintable(QStringLiteral("%1 < %2").arg(areas[0]).arg(areas[1])));
  }

  void aBadModelFolderFailsWithAMessage() {
    EngineClient client;
    QSignalSpy failed(&client, &EngineClient::modelFailed);
    ModelRequest r;
    r.path = QStringLiteral("/nonexistent/hd-model-folder");
    client.loadModel(r);
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
    QCOMPARE(failed.first().at(0).toString(), r.path);
    QVERIFY(!failed.first().at(1).toString().isEmpty());
    QVERIFY(!client.hasModel());
    // Generating without a model fails cleanly too.
    QSignalSpy runFailed(&client, &EngineClient::runFailed);
    client.generate(request(2));
    QTRY_VERIFY_WITH_TIMEOUT(runFailed.count() == 1, 30000);
    QCOMPARE(runFailed.first().at(3).toBool(), false);
  }

  // "Reduced precision" loads the UNet in bfloat16 on the CPU (the info says so) and a run
  // with it completes.
  void reducedPrecisionRunsTheUNetInBFloat16() {
    QCOMPARE(info_.unetDtype, QStringLiteral("float32"));
    EngineClient client;
    QSignalSpy loaded(&client, &EngineClient::modelLoaded);
    ModelRequest r;
    r.path = test::modelPath();
    r.reducedPrecision = true;
    client.loadModel(r);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() == 1, 120000);
    QCOMPARE(loaded.first().first().value<ModelInfoData>().unetDtype, QStringLiteral("bfloat16"));
    QSignalSpy finished(&client, &EngineClient::runFinished);
    client.generate(request(2));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
  }

  void aFolderThatIsNotAModelFails() {
    EngineClient client;
    QSignalSpy failed(&client, &EngineClient::modelFailed);
    ModelRequest r;
    r.path = QStringLiteral(HD_TEST_DATA_DIR "/unet_a");  // a component, not a pipeline
    client.loadModel(r);
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
    qInfo("message: %s", qPrintable(failed.first().at(1).toString()));
  }
};

QTEST_GUILESS_MAIN(TestEngineWorker)
#include "test_engine_worker.moc"
