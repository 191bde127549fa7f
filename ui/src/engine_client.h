// EngineClient: the UI thread's handle on the engine. It starts a QThread, moves an
// EngineWorker into it and talks to it only through queued signals carrying value types;
// the worker's reports come back as this object's signals, in the UI thread. Destroying the
// client stops a running generation and waits for the thread.
#pragma once

#include <QObject>
#include <QThread>

#include "types.h"

namespace hdui {

class EngineWorker;

class EngineClient : public QObject {
  Q_OBJECT

 public:
  explicit EngineClient(QObject* parent = nullptr);
  ~EngineClient() override;

  void loadModel(const ModelRequest& request);
  // Queues a generation and returns its run id (increasing from 1).
  quint64 generate(const GenerationParams& params);
  quint64 remask(RemaskRequest request);
  // Stops `runId` (0: the latest run) within one denoising step.
  void cancel(quint64 runId = 0);

  bool busy() const { return activeRun_ != 0; }
  quint64 activeRun() const { return activeRun_; }
  bool hasModel() const { return modelLoaded_; }
  bool loadingModel() const { return loadingModel_; }

 signals:
  void modelLoading(const QString& path);
  void modelLoaded(const hdui::ModelInfoData& info);
  void modelFailed(const QString& path, const QString& message);
  void runStarted(quint64 runId, hdui::Pass pass, int totalSteps);
  void stepReady(const hdui::StepData& step);
  void runFinished(const hdui::RunResult& result);
  void runFailed(quint64 runId, hdui::Pass pass, const QString& message, bool cancelled);
  void runEnded(quint64 runId);
  void remaskReady(quint64 id, const hdui::AttentionData& attention);
  void remaskFailed(quint64 id, const QString& message);

  // To the worker (queued). Not for other receivers.
  void requestLoad(const hdui::ModelRequest& request);
  void requestGenerate(quint64 runId, const hdui::GenerationParams& params);
  void requestRemask(const hdui::RemaskRequest& request);

 private:
  QThread thread_;
  EngineWorker* worker_ = nullptr;  // lives in thread_, deleted when it finishes
  quint64 nextRun_ = 1;
  quint64 nextRemask_ = 1;
  quint64 activeRun_ = 0;
  bool modelLoaded_ = false;
  bool loadingModel_ = false;
};

}  // namespace hdui
