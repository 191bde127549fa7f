#include "engine_worker.h"

#include <QMutexLocker>
#include <exception>

#include "engine_convert.h"
#include "hd/engine.h"
#include "remask_adapter.h"

namespace hdui {
namespace {

QString statusMessage(const hd::Status& st) {
  return QString::fromStdString(st.message());
}

}  // namespace

EngineWorker::EngineWorker(QObject* parent) : QObject(parent) {
  registerMetaTypes();
}

EngineWorker::~EngineWorker() = default;

void EngineWorker::requestCancel(quint64 runId) {
  quint64 seen = cancelUpTo_.load();
  while (seen < runId && !cancelUpTo_.compare_exchange_weak(seen, runId)) {
  }
  QMutexLocker lock(&engineMutex_);
  if (engine_) engine_->cancel();  // stops inside a step where the engine can
}

bool EngineWorker::cpuHasNativeBFloat16() {
  return hd::cpu_has_native_bfloat16();
}
bool EngineWorker::cudaAvailable() {
  return hd::cuda_available();
}
QString EngineWorker::defaultModelPath() {
  return QString::fromStdString(hd::default_model_path());
}
QString EngineWorker::engineVersion() {
  return QString::fromStdString(hd::version());
}
QString EngineWorker::torchVersion() {
  return QString::fromStdString(hd::torch_version());
}
QString EngineWorker::cpuDescription() {
  return QString::fromStdString(hd::cpu_description());
}
bool EngineWorker::remaskSupported() {
  return remaskAvailable();
}

void EngineWorker::loadModel(const ModelRequest& request) {
  emit modelLoading(request.path);
  try {
    hd::EngineOptions options;
    options.device = request.device == Device::Cuda ? hd::Device::kCuda : hd::Device::kCpu;
    options.num_threads = request.threads;
    if (request.reducedPrecision) {
      options.precision = request.device == Device::Cuda ? hd::Precision::kFloat16 : hd::Precision::kBFloat16;
    }
    // A new engine first: if the new model fails to load, the old one stays usable.
    auto engine = std::make_unique<hd::Engine>(options);
    const hd::Status st = engine->load(request.path.toStdString());
    if (!st.ok()) {
      emit modelFailed(request.path, statusMessage(st));
      return;
    }
    ModelInfoData info = toModelInfo(engine->info(), request.device);
    if (info.path.isEmpty()) info.path = request.path;
    {
      QMutexLocker lock(&engineMutex_);
      engine_.swap(engine);
    }
    engine.reset();  // the previous model, outside the lock
    emit modelLoaded(info);
  } catch (const std::exception& e) {
    emit modelFailed(request.path, QString::fromLocal8Bit(e.what()));
  }
}

bool EngineWorker::runPass(quint64 runId, Pass pass, const GenerationParams& params,
                           RunResult* out) {
  emit runStarted(runId, pass, params.steps);
  const hd::GenerateRequest request = toGenerateRequest(params);
  hd::GenerateResult result;
  const auto onStep = [&](const hd::StepEvent& event) {
    emit stepReady(toStepData(event, runId, pass));
    return !cancelled(runId);
  };
  const hd::Status st = engine_->generate(request, &result, onStep);
  if (!st.ok()) {
    const bool stopped = st.code() == hd::Status::Code::kCancelled || cancelled(runId);
    emit runFailed(runId, pass, statusMessage(st), stopped);
    return false;
  }
  *out = toRunResult(result, runId, pass, params);
  emit runFinished(*out);
  return true;
}

void EngineWorker::generate(quint64 runId, const GenerationParams& params) {
  try {
    if (cancelled(runId)) {
      emit runFailed(runId, Pass::Highlight, tr("Stopped before it started."), true);
    } else if (!engine_ || !engine_->loaded()) {
      emit runFailed(runId, Pass::Highlight, tr("No model is loaded. Choose a model first."),
                     false);
    } else {
      RunResult first;
      if (runPass(runId, Pass::Highlight, params, &first) && params.compareDense &&
          params.highlight.enabled && !cancelled(runId)) {
        // The dense baseline: the same request and seed, every step full.
        GenerationParams dense = params;
        dense.highlight.enabled = false;
        dense.seed = first.seed;
        RunResult baseline;
        runPass(runId, Pass::Baseline, dense, &baseline);
      }
    }
  } catch (const std::exception& e) {
    emit runFailed(runId, Pass::Highlight, QString::fromLocal8Bit(e.what()), false);
  }
  emit runEnded(runId);
}

void EngineWorker::remask(const RemaskRequest& request) {
  try {
    if (!engine_ || !engine_->loaded()) {
      emit remaskFailed(request.id, tr("No model is loaded."));
      return;
    }
    const hd::AttentionReport maps = toAttentionReport(request.attention);
    hd::AttentionReport out;
    const hd::Status st = hdui::remask(*engine_, maps, toHighlightOptions(request.options),
                                       request.width, request.height, &out);
    if (!st.ok()) {
      emit remaskFailed(request.id, statusMessage(st));
      return;
    }
    AttentionData data = toAttentionData(out);
    if (data.maps.isEmpty()) data.maps = request.attention.maps;  // remask may omit them
    if (data.tokens.isEmpty()) data.tokens = request.attention.tokens;
    if (data.words.isEmpty()) data.words = request.attention.words;
    data.step = request.attention.step;
    emit remaskReady(request.id, data);
  } catch (const std::exception& e) {
    emit remaskFailed(request.id, QString::fromLocal8Bit(e.what()));
  }
}

}  // namespace hdui
