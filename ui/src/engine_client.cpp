#include "engine_client.h"

#include "engine_worker.h"

namespace hdui {

EngineClient::EngineClient(QObject* parent) : QObject(parent) {
  registerMetaTypes();
  thread_.setObjectName(QStringLiteral("hd-engine"));
  worker_ = new EngineWorker;
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);

  // Requests: queued into the worker's thread.
  connect(this, &EngineClient::requestLoad, worker_, &EngineWorker::loadModel,
          Qt::QueuedConnection);
  connect(this, &EngineClient::requestGenerate, worker_, &EngineWorker::generate,
          Qt::QueuedConnection);
  connect(this, &EngineClient::requestRemask, worker_, &EngineWorker::remask, Qt::QueuedConnection);

  // Reports: queued back into this (the UI) thread.
  connect(worker_, &EngineWorker::modelLoading, this, &EngineClient::modelLoading,
          Qt::QueuedConnection);
  connect(
      worker_, &EngineWorker::modelLoaded, this,
      [this](const ModelInfoData& info) {
        loadingModel_ = false;
        modelLoaded_ = true;
        emit modelLoaded(info);
      },
      Qt::QueuedConnection);
  connect(
      worker_, &EngineWorker::modelFailed, this,
      [this](const QString& path, const QString& message) {
        loadingModel_ = false;
        emit modelFailed(path, message);
      },
      Qt::QueuedConnection);
  connect(worker_, &EngineWorker::runStarted, this, &EngineClient::runStarted,
          Qt::QueuedConnection);
  connect(worker_, &EngineWorker::stepReady, this, &EngineClient::stepReady, Qt::QueuedConnection);
  connect(worker_, &EngineWorker::runFinished, this, &EngineClient::runFinished,
          Qt::QueuedConnection);
  connect(worker_, &EngineWorker::runFailed, this, &EngineClient::runFailed, Qt::QueuedConnection);
  connect(
      worker_, &EngineWorker::runEnded, this,
      [this](quint64 runId) {
        if (runId == activeRun_) activeRun_ = 0;
        emit runEnded(runId);
      },
      Qt::QueuedConnection);
  connect(worker_, &EngineWorker::remaskReady, this, &EngineClient::remaskReady,
          Qt::QueuedConnection);
  connect(worker_, &EngineWorker::remaskFailed, this, &EngineClient::remaskFailed,
          Qt::QueuedConnection);

  thread_.start();
}

EngineClient::~EngineClient() {
  // Abort and wait, as the Mandelbrot example's render thread does.
  if (worker_) worker_->requestCancel(nextRun_);
  thread_.quit();
  thread_.wait();
}

void EngineClient::loadModel(const ModelRequest& request) {
  loadingModel_ = true;
  emit requestLoad(request);
}

quint64 EngineClient::generate(const GenerationParams& params) {
  const quint64 id = nextRun_++;
  activeRun_ = id;
  emit requestGenerate(id, params);
  return id;
}

quint64 EngineClient::remask(RemaskRequest request) {
  request.id = nextRemask_++;
  emit requestRemask(request);
  return request.id;
}

void EngineClient::cancel(quint64 runId) {
  if (runId == 0) runId = activeRun_;
  if (runId != 0) worker_->requestCancel(runId);
}

}  // namespace hdui
