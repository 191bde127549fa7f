// StepScrubber: replays any past step. Positions 0..N-1 are denoising steps; when the run has
// been decoded, one more position shows the decoded result. "Live" follows new steps as they
// arrive; Play steps through the run.
#pragma once

#include <QWidget>

class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace hdui {

class StepScrubber : public QWidget {
  Q_OBJECT

 public:
  explicit StepScrubber(QWidget* parent = nullptr);

  void reset();
  // Steps received so far; `decoded`: the result position exists.
  void setAvailable(int steps, bool decoded);
  int available() const { return steps_; }
  bool decoded() const { return decoded_; }

  int position() const;            // -1 when empty; == available() for the decoded result
  void setPosition(int position);  // stops following live
  bool live() const;
  void setLive(bool live);
  void setInfo(const QString& text);

  QSlider* slider() const { return slider_; }

 signals:
  void positionChanged(int position);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void updateRange();
  void stepPlayback();

  QToolButton* play_ = nullptr;
  QSlider* slider_ = nullptr;
  QToolButton* live_ = nullptr;
  QLabel* info_ = nullptr;
  QTimer* timer_ = nullptr;
  int steps_ = 0;
  bool decoded_ = false;
  bool updating_ = false;
};

}  // namespace hdui
