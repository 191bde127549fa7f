// BlockGridView: the tiles partial steps compute, one grid per UNet resolution, drawn over
// the refined mask (or the image), with tile counts, the predicted MAC fraction and what the
// shown step actually computed.
#pragma once

#include <QWidget>

#include "types.h"

class QCheckBox;
class QGridLayout;
class QLabel;

namespace hdui {

class LevelCanvas;

class BlockGridView : public QWidget {
  Q_OBJECT

 public:
  explicit BlockGridView(QWidget* parent = nullptr);

  void setMask(const MaskData& mask);
  void setImage(const QImage& image);
  void setStep(const StepData& step);  // the step shown (counts, mode, MACs)
  void clear();

  int levelCount() const;
  QString summaryText() const;
  QString stepText() const;

 protected:
  void changeEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void retranslate();
  void rebuild();
  void relayout();
  void updateTexts();

  MaskData mask_;
  QImage image_;
  StepData step_;
  bool hasStep_ = false;
  QVector<LevelCanvas*> canvases_;
  QGridLayout* grid_ = nullptr;
  QLabel* placeholder_ = nullptr;
  QLabel* summary_ = nullptr;
  QLabel* stepInfo_ = nullptr;
  QCheckBox* showImage_ = nullptr;
  int columns_ = 0;
};

}  // namespace hdui
