// HighlightPanel: the Highlight Diffusion controls: on/off, full-step interval, threshold
// (0..255), when the maps are collected, the selection statistic, automatic or manual token
// choice, minimum region, mask refresh at full steps, and "compare with dense".
#pragma once

#include <QGroupBox>

#include "types.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace hdui {

class HighlightPanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit HighlightPanel(QWidget* parent = nullptr);

  HighlightParams params() const;
  void setParams(const HighlightParams& params);
  bool compareDense() const;
  void setCompareDense(bool on);
  // Adds or removes a word of the manual choice (and switches to manual).
  void toggleWord(const QString& word);

  QSlider* thresholdSlider() const { return threshold_; }
  QSlider* intervalSlider() const { return interval_; }
  QComboBox* statisticCombo() const { return statistic_; }
  QCheckBox* compareCheck() const { return compare_; }

 signals:
  void changed();
  // Threshold, statistic, chosen words or minimum region: a stored run can be re-masked.
  void maskOptionsChanged();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void updateLabels();

  QSlider* interval_ = nullptr;
  QLabel* intervalValue_ = nullptr;
  QSlider* threshold_ = nullptr;
  QLabel* thresholdValue_ = nullptr;
  QSpinBox* collect_ = nullptr;
  QComboBox* statistic_ = nullptr;
  QComboBox* choice_ = nullptr;
  QLineEdit* words_ = nullptr;
  QDoubleSpinBox* minArea_ = nullptr;
  QCheckBox* refresh_ = nullptr;
  QCheckBox* compare_ = nullptr;
  QLabel* intervalLabel_ = nullptr;
  QLabel* thresholdLabel_ = nullptr;
  QLabel* collectLabel_ = nullptr;
  QLabel* statisticLabel_ = nullptr;
  QLabel* choiceLabel_ = nullptr;
  QLabel* minAreaLabel_ = nullptr;
};

}  // namespace hdui
