// GenerationPanel: prompt and negative prompt, seed (random, fixed or the last one used; the
// seed used is always shown), steps, sampler, guidance and resolution.
#pragma once

#include <QWidget>

#include "types.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QToolButton;

namespace hdui {

class GenerationPanel : public QWidget {
  Q_OBJECT

 public:
  explicit GenerationPanel(QWidget* parent = nullptr);

  // The request's part of this panel. The seed follows the seed mode: -1 (random), the fixed
  // value, or `lastSeed` (random when there is none).
  GenerationParams params(qint64 lastSeed) const;
  // Restores everything; a seed >= 0 switches to a fixed seed.
  void setParams(const GenerationParams& params);
  SeedMode seedMode() const;
  void setSeedMode(SeedMode mode);
  void setUsedSeed(qint64 seed);  // shown under the seed; < 0 hides it
  // The model's default size and the multiple sizes must be of.
  void setModelDefaults(int width, int height, int multiple);

  QPlainTextEdit* promptEdit() const { return prompt_; }
  QPlainTextEdit* negativeEdit() const { return negative_; }
  QSpinBox* stepsSpin() const { return steps_; }
  QLineEdit* seedEdit() const { return seed_; }

 signals:
  void changed();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void updateSeedEnabled();

  QLabel* promptLabel_ = nullptr;
  QLabel* negativeLabel_ = nullptr;
  QPlainTextEdit* prompt_ = nullptr;
  QPlainTextEdit* negative_ = nullptr;
  QFormLayout* form_ = nullptr;
  QComboBox* seedMode_ = nullptr;
  QLineEdit* seed_ = nullptr;
  QLabel* usedSeed_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QComboBox* sampler_ = nullptr;
  QDoubleSpinBox* guidance_ = nullptr;
  QSpinBox* width_ = nullptr;
  QSpinBox* height_ = nullptr;
  QToolButton* resetSize_ = nullptr;
  QLabel* sizeLabel_ = nullptr;
  QLabel* seedLabel_ = nullptr;
  QLabel* stepsLabel_ = nullptr;
  QLabel* samplerLabel_ = nullptr;
  QLabel* guidanceLabel_ = nullptr;
  int defaultWidth_ = 512, defaultHeight_ = 512;
  qint64 usedSeedValue_ = -1;
};

}  // namespace hdui
