#include "latency_plot.h"

#include <qcustomplot.h>
#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>

#include "theme.h"

namespace hdui {
namespace {

double sum(const QVector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

QString seconds(double ms) {
  return ms >= 1000 ? LatencyPlot::tr("%1 s").arg(ms / 1000.0, 0, 'f', 2)
                    : LatencyPlot::tr("%1 ms").arg(ms, 0, 'f', 0);
}

}  // namespace

LatencyPlot::LatencyPlot(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(2);
  plot_ = new QCustomPlot(this);
  plot_->setMinimumHeight(150);
  plot_->setObjectName(QStringLiteral("latencyPlot"));
  full_ = new QCPBars(plot_->xAxis, plot_->yAxis);
  partial_ = new QCPBars(plot_->xAxis, plot_->yAxis);
  for (QCPBars* bars : {full_, partial_}) {
    bars->setWidth(0.72);
    bars->setAntialiased(false);
  }
  baseline_ = plot_->addGraph();
  baseline_->setLineStyle(QCPGraph::lsLine);
  marker_ = new QCPItemStraightLine(plot_);
  marker_->setVisible(false);
  marker_->setSelectable(false);
  // The legend in a row of its own above the plot, so it never hides a bar.
  plot_->legend->setVisible(true);
  plot_->plotLayout()->insertRow(0);
  auto* legendRow = new QCPLayoutGrid;
  plot_->plotLayout()->addElement(0, 0, legendRow);
  legendRow->setMargins(QMargins(0, 0, 0, 0));
  legendRow->addElement(0, 0, new QCPLayoutElement(plot_));  // pushes the legend right
  legendRow->addElement(0, 1, plot_->legend);
  legendRow->setColumnStretchFactor(0, 1);
  legendRow->setColumnStretchFactor(1, 0.0001);
  plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
  plot_->legend->setIconSize(14, 10);
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  plot_->setInteractions(QCP::Interactions());
  connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
    const int step = int(std::lround(plot_->xAxis->pixelToCoord(e->position().x()))) - 1;
    if (step >= 0 && step < totalSteps_) emit stepClicked(step);
  });
  layout->addWidget(plot_, 1);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setObjectName(QStringLiteral("latencySummary"));
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(summary_);
  retranslate();
  applyColors();
  reset(0);
}

void LatencyPlot::reset(int totalSteps) {
  totalSteps_ = totalSteps;
  highlightMs_.clear();
  baselineMs_.clear();
  kinds_.clear();
  highlightTotal_ = baselineTotal_ = 0;
  full_->data()->clear();
  partial_->data()->clear();
  baseline_->data()->clear();
  baseline_->setVisible(false);
  baseline_->removeFromLegend();
  marker_->setVisible(false);
  rescale();
  updateSummary();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyPlot::addStep(const StepData& s) {
  const double x = s.step + 1;  // steps are shown 1-based
  totalSteps_ = std::max(totalSteps_, s.totalSteps);
  if (s.pass == Pass::Baseline) {
    if (baselineMs_.size() <= s.step) baselineMs_.resize(s.step + 1);
    baselineMs_[s.step] = s.ms;
    baseline_->addData(x, s.ms);
    if (!baseline_->visible()) {
      baseline_->setVisible(true);
      baseline_->addToLegend();
    }
  } else {
    if (highlightMs_.size() <= s.step) {
      highlightMs_.resize(s.step + 1);
      kinds_.resize(s.step + 1);
    }
    highlightMs_[s.step] = s.ms;
    kinds_[s.step] = s.kind;
    (s.kind == StepKind::Partial ? partial_ : full_)->addData(x, s.ms);
  }
  rescale();
  updateSummary();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyPlot::setCurrentStep(int step) {
  marker_->setVisible(step >= 0);
  if (step >= 0) {
    marker_->point1->setCoords(step + 1, 0);
    marker_->point2->setCoords(step + 1, 1);
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyPlot::setTotals(double highlightMs, double baselineMs) {
  highlightTotal_ = highlightMs;
  baselineTotal_ = baselineMs;
  updateSummary();
}

int LatencyPlot::pointCount(Pass pass) const {
  return pass == Pass::Baseline ? baseline_->dataCount()
                                : full_->dataCount() + partial_->dataCount();
}

QString LatencyPlot::summaryText() const {
  return summary_->text();
}

void LatencyPlot::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  if (event->type() == QEvent::PaletteChange) applyColors();
  QWidget::changeEvent(event);
}

void LatencyPlot::retranslate() {
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(tr("latency (ms)"));
  full_->setName(tr("full step"));
  partial_->setName(tr("partial step"));
  baseline_->setName(tr("dense baseline"));
  updateSummary();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyPlot::applyColors() {
  const QPalette& pal = palette();
  const QColor text = pal.color(QPalette::WindowText);
  const QColor window = pal.color(QPalette::Window);
  const QColor gridColor = theme::mix(text, window, 0.85);
  plot_->setBackground(window);
  plot_->axisRect()->setBackground(pal.color(QPalette::Base));
  for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
    axis->setBasePen(QPen(theme::mix(text, window, 0.5), 1));
    axis->setTickPen(QPen(theme::mix(text, window, 0.5), 1));
    axis->setSubTickPen(QPen(theme::mix(text, window, 0.65), 1));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(gridColor, 1, Qt::DotLine));
  }
  const QColor fullColor = theme::fullStepColor(pal);
  const QColor partialColor = theme::partialStepColor(pal);
  full_->setBrush(fullColor);
  full_->setPen(QPen(fullColor.darker(115), 1));
  partial_->setBrush(partialColor);
  partial_->setPen(QPen(partialColor.darker(115), 1));
  const QColor base = theme::baselineColor(pal);
  baseline_->setPen(QPen(base, 2));
  baseline_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, base, window, 5));
  marker_->setPen(QPen(theme::accent(pal), 1.5, Qt::DashLine));
  plot_->legend->setBrush(Qt::NoBrush);
  plot_->legend->setTextColor(text);
  plot_->legend->setBorderPen(Qt::NoPen);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyPlot::rescale() {
  const int steps = std::max(totalSteps_, 1);
  plot_->xAxis->setRange(0.4, steps + 0.6);
  double top = 1;
  for (double v : highlightMs_) top = std::max(top, v);
  for (double v : baselineMs_) top = std::max(top, v);
  plot_->yAxis->setRange(0, top * 1.08);
  QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
  ticker->setTickStep(std::max(1.0, std::ceil(steps / 10.0)));
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
  plot_->xAxis->setTicker(ticker);
}

void LatencyPlot::updateSummary() {
  if (highlightMs_.isEmpty()) {
    summary_->setText(tr("Per-step latency appears here while the image is denoised."));
    return;
  }
  const double hl = highlightTotal_ > 0 ? highlightTotal_ : sum(highlightMs_);
  double fullSum = 0, partialSum = 0;
  int full = 0, partial = 0;
  for (int i = 0; i < highlightMs_.size(); ++i) {
    if (kinds_[i] == StepKind::Partial) {
      partialSum += highlightMs_[i];
      ++partial;
    } else {
      fullSum += highlightMs_[i];
      ++full;
    }
  }
  QStringList parts;
  parts << tr("Denoising %1 (%2 full, %3 partial)").arg(seconds(hl)).arg(full).arg(partial);
  if (full > 0) parts << tr("full step %1").arg(seconds(fullSum / full));
  if (partial > 0) parts << tr("partial step %1").arg(seconds(partialSum / partial));
  const double base = baselineTotal_ > 0 ? baselineTotal_ : sum(baselineMs_);
  if (!baselineMs_.isEmpty() && hl > 0) {
    parts << tr("dense %1").arg(seconds(base));
    if (baselineMs_.size() >= highlightMs_.size()) {
      parts << tr("speedup %1×").arg(base / hl, 0, 'f', 2);
    }
  } else if (full > 0 && partial > 0 && hl > 0) {
    // Without a baseline: every step at the mean full-step time.
    const double estimate = fullSum / full * highlightMs_.size();
    parts << tr("≈%1× vs. all full steps (estimated)").arg(estimate / hl, 0, 'f', 2);
  }
  summary_->setText(parts.join(QStringLiteral(" · ")));
}

}  // namespace hdui
