// LatencyPlot: per-step latency (QCustomPlot). Full and partial steps of the highlight run
// are bars of two colours; the dense baseline's steps, when comparing, are a line. A vertical
// marker follows the step scrubber; clicking the plot picks a step. Below: total time and
// speedup.
#pragma once

#include <QVector>
#include <QWidget>

#include "types.h"

class QCustomPlot;
class QCPBars;
class QCPGraph;
class QCPItemStraightLine;
class QLabel;

namespace hdui {

class LatencyPlot : public QWidget {
  Q_OBJECT

 public:
  explicit LatencyPlot(QWidget* parent = nullptr);

  void reset(int totalSteps);
  void addStep(const StepData& step);
  void setCurrentStep(int step);  // -1 hides the marker
  // Whole-run timings from the results (denoising loops only), for the summary.
  void setTotals(double highlightMs, double baselineMs);

  int pointCount(Pass pass) const;
  QString summaryText() const;
  QCustomPlot* plot() const { return plot_; }

 signals:
  void stepClicked(int step);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void applyColors();
  void rescale();
  void updateSummary();

  QCustomPlot* plot_ = nullptr;
  QCPBars* full_ = nullptr;
  QCPBars* partial_ = nullptr;
  QCPGraph* baseline_ = nullptr;
  QCPItemStraightLine* marker_ = nullptr;
  QLabel* summary_ = nullptr;
  int totalSteps_ = 0;
  QVector<double> highlightMs_, baselineMs_;
  QVector<StepKind> kinds_;
  double highlightTotal_ = 0, baselineTotal_ = 0;
};

}  // namespace hdui
