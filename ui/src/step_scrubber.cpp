#include "step_scrubber.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace hdui {

StepScrubber::StepScrubber(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  play_ = new QToolButton(this);
  play_->setObjectName(QStringLiteral("playSteps"));
  play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  play_->setAutoRaise(true);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setObjectName(QStringLiteral("stepSlider"));
  slider_->setPageStep(1);
  slider_->setTickPosition(QSlider::NoTicks);
  live_ = new QToolButton(this);
  live_->setObjectName(QStringLiteral("liveSteps"));
  live_->setCheckable(true);
  live_->setChecked(true);
  live_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  info_ = new QLabel(this);
  info_->setObjectName(QStringLiteral("stepInfo"));
  info_->setMinimumWidth(info_->fontMetrics().horizontalAdvance(QStringLiteral("M")) * 24);
  layout->addWidget(play_);
  layout->addWidget(slider_, 1);
  layout->addWidget(live_);
  layout->addWidget(info_);
  timer_ = new QTimer(this);
  timer_->setInterval(140);
  connect(timer_, &QTimer::timeout, this, &StepScrubber::stepPlayback);
  connect(play_, &QToolButton::clicked, this, [this] {
    if (timer_->isActive()) {
      timer_->stop();
    } else {
      if (position() >= slider_->maximum()) setPosition(0);
      setLive(false);
      timer_->start();
    }
    play_->setIcon(
        style()->standardIcon(timer_->isActive() ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  });
  connect(slider_, &QSlider::valueChanged, this, [this](int value) {
    if (updating_) return;
    // Dragging back in time stops following; reaching the end follows again.
    if (slider_->isSliderDown()) setLive(value >= slider_->maximum());
    emit positionChanged(value);
  });
  connect(live_, &QToolButton::toggled, this, [this](bool on) {
    if (on && slider_->maximum() >= 0) {
      timer_->stop();
      play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
      if (slider_->value() != slider_->maximum()) slider_->setValue(slider_->maximum());
    }
  });
  retranslate();
  reset();
}

void StepScrubber::reset() {
  timer_->stop();
  play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  steps_ = 0;
  decoded_ = false;
  setLive(true);
  updateRange();
  info_->clear();
}

void StepScrubber::setAvailable(int steps, bool decoded) {
  steps_ = steps;
  decoded_ = decoded;
  updateRange();
}

int StepScrubber::position() const {
  return slider_->isEnabled() ? slider_->value() : -1;
}

void StepScrubber::setPosition(int position) {
  setLive(position >= slider_->maximum());
  slider_->setValue(position);
}

bool StepScrubber::live() const {
  return live_->isChecked();
}

void StepScrubber::setLive(bool live) {
  if (live_->isChecked() != live) live_->setChecked(live);
}

void StepScrubber::setInfo(const QString& text) {
  info_->setText(text);
}

void StepScrubber::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(event);
}

void StepScrubber::retranslate() {
  play_->setToolTip(tr("Replay the steps"));
  live_->setText(tr("Live"));
  live_->setToolTip(tr("Follow new steps as they arrive"));
  slider_->setToolTip(tr("Step: drag to replay a past step's preview, maps, mask and grid"));
}

void StepScrubber::updateRange() {
  const int positions = steps_ + (decoded_ ? 1 : 0);
  const int old = slider_->value();
  updating_ = true;
  slider_->setEnabled(positions > 0);
  play_->setEnabled(positions > 1);
  slider_->setRange(0, std::max(0, positions - 1));
  if (live()) slider_->setValue(slider_->maximum());
  updating_ = false;
  if (positions > 0 && (live() || slider_->value() != old)) emit positionChanged(slider_->value());
}

void StepScrubber::stepPlayback() {
  if (slider_->value() >= slider_->maximum()) {
    timer_->stop();
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    return;
  }
  slider_->setValue(slider_->value() + 1);
}

}  // namespace hdui
