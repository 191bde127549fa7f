// EngineWorker: the only bridge between the UI and hd::Engine. It lives in its own QThread
// (see EngineClient), owns the engine, takes requests through queued slots, and reports
// everything as Qt value types (types.h) through signals. Like the Mandelbrot example's render
// thread, it checks a cancel flag between steps; requestCancel() is the one call the UI makes
// directly, and it is thread-safe.
#pragma once

#include <QMutex>
#include <QObject>
#include <atomic>
#include <memory>

#include "types.h"

namespace hd {
class Engine;
}

namespace hdui {

class EngineWorker : public QObject {
  Q_OBJECT

 public:
  explicit EngineWorker(QObject* parent = nullptr);
  ~EngineWorker() override;

  // Thread-safe. Stops run `runId` (both passes of a comparison) before its next denoising
  // step, or at once if it has not started yet.
  void requestCancel(quint64 runId);

  // Facts about this build and machine (callable from any thread).
  static bool cudaAvailable();
  static bool cpuHasNativeBFloat16();
  static QString defaultModelPath();
  static QString engineVersion();
  static QString torchVersion();
  static QString cpuDescription();  // name and the extensions the kernels choose by
  static bool remaskSupported();

 public slots:
  void loadModel(const hdui::ModelRequest& request);
  void generate(quint64 runId, const hdui::GenerationParams& params);
  void remask(const hdui::RemaskRequest& request);

 signals:
  void modelLoading(const QString& path);
  void modelLoaded(const hdui::ModelInfoData& info);
  void modelFailed(const QString& path, const QString& message);
  void runStarted(quint64 runId, hdui::Pass pass, int totalSteps);
  void stepReady(const hdui::StepData& step);
  void runFinished(const hdui::RunResult& result);
  // After the last pass of a run, whether it finished, failed or was stopped.
  void runEnded(quint64 runId);
  void runFailed(quint64 runId, hdui::Pass pass, const QString& message, bool cancelled);
  void remaskReady(quint64 id, const hdui::AttentionData& attention);
  void remaskFailed(quint64 id, const QString& message);

 private:
  bool cancelled(quint64 runId) const { return runId <= cancelUpTo_.load(); }
  bool runPass(quint64 runId, Pass pass, const GenerationParams& params, RunResult* out);

  mutable QMutex engineMutex_;  // guards engine_ against replacement during cancel()
  std::unique_ptr<hd::Engine> engine_;
  std::atomic<quint64> cancelUpTo_{0};
};

}  // namespace hdui
