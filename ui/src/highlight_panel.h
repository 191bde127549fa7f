// HighlightPanel: the Highlight Diffusion controls: on/off, full-step interval, threshold
// (0..255), when the maps are collected, the selection statistic, automatic or manual token
// choice, minimum region, which cross-attention layers give the maps, mask refresh at full
// steps, and "compare with dense".
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
  // The loaded model's cross-attention levels (ModelInfoData::attentionFactors) and latent
  // size: one check box per level, all checked meaning every layer. A choice set before
  // (settings, an opened image) is applied to the levels the model has.
  void setAttentionLevels(const QList<int>& factors, int latentWidth, int latentHeight);

  QSlider* thresholdSlider() const { return threshold_; }
  QSlider* intervalSlider() const { return interval_; }
  QComboBox* statisticCombo() const { return statistic_; }
  QCheckBox* compareCheck() const { return compare_; }
  QList<QCheckBox*> mapChecks() const { return mapChecks_; }

 signals:
  void changed();
  // Threshold, statistic, chosen words or minimum region: a stored run can be re-masked.
  void maskOptionsChanged();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void updateLabels();
  void applyFactors();

  QSlider* interval_ = nullptr;
  QLabel* intervalValue_ = nullptr;
  QSlider* threshold_ = nullptr;
  QLabel* thresholdValue_ = nullptr;
  QSpinBox* collect_ = nullptr;
  QComboBox* statistic_ = nullptr;
  QComboBox* choice_ = nullptr;
  QLineEdit* words_ = nullptr;
  QDoubleSpinBox* minArea_ = nullptr;
  QWidget* mapsBox_ = nullptr;
  QList<QCheckBox*> mapChecks_;  // one per factor of factors_
  QList<int> factors_;           // the model's
  QList<int> wanted_;            // the choice to show (empty: every layer)
  QCheckBox* refresh_ = nullptr;
  QCheckBox* compare_ = nullptr;
  QLabel* intervalLabel_ = nullptr;
  QLabel* thresholdLabel_ = nullptr;
  QLabel* collectLabel_ = nullptr;
  QLabel* statisticLabel_ = nullptr;
  QLabel* choiceLabel_ = nullptr;
  QLabel* minAreaLabel_ = nullptr;
  QLabel* mapsLabel_ = nullptr;
};

}  // namespace hdui
