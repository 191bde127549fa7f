#include "progress_status.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <cmath>

namespace hdui {
namespace {

QString duration(double seconds) {
  const int s = int(std::ceil(seconds));
  return s >= 3600 ? QStringLiteral("%1:%2:%3")
                         .arg(s / 3600)
                         .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                         .arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

ProgressStatus::ProgressStatus(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  label_ = new QLabel(this);
  label_->setObjectName(QStringLiteral("progressText"));
  bar_ = new QProgressBar(this);
  bar_->setObjectName(QStringLiteral("progressBar"));
  bar_->setFixedWidth(160);
  bar_->setTextVisible(false);
  bar_->setMaximumHeight(12);
  bar_->setRange(0, 1);
  bar_->setValue(0);
  layout->addWidget(label_);
  layout->addWidget(bar_);
}

void ProgressStatus::start(const QString& phase, int totalSteps) {
  phase_ = phase;
  bar_->setRange(0, std::max(1, totalSteps));
  bar_->setValue(0);
  label_->setText(tr("%1: preparing…").arg(phase));
}

void ProgressStatus::step(int done, int total, double elapsedMs) {
  bar_->setRange(0, std::max(1, total));
  bar_->setValue(done);
  const double perStep = done > 0 ? elapsedMs / done : 0;
  const double itPerSec = perStep > 0 ? 1000.0 / perStep : 0;
  const double left = perStep * (total - done) / 1000.0;
  label_->setText(tr("%1: step %2/%3 · %4 it/s · %5 left")
                      .arg(phase_)
                      .arg(done)
                      .arg(total)
                      .arg(itPerSec, 0, 'f', itPerSec >= 10 ? 1 : 2)
                      .arg(duration(left)));
}

void ProgressStatus::finish(const QString& text) {
  bar_->setValue(bar_->maximum());
  label_->setText(text);
}

QString ProgressStatus::text() const {
  return label_->text();
}

}  // namespace hdui
