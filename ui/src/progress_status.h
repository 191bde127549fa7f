// ProgressStatus: the status bar's live part: "Step N/M · it/s · time left" and a progress
// bar, computed from the step events' timings.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;

namespace hdui {

class ProgressStatus : public QWidget {
  Q_OBJECT

 public:
  explicit ProgressStatus(QWidget* parent = nullptr);

  // `phase`: what runs ("Highlight run", "Dense baseline"); totalSteps of this pass.
  void start(const QString& phase, int totalSteps);
  void step(int done, int total, double elapsedMs);
  void finish(const QString& text);
  QString text() const;

 private:
  QLabel* label_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QString phase_;
};

}  // namespace hdui
