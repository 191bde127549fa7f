// MaskView: the selected token's map thresholded ("before") and after refinement (small
// regions dropped), drawn pixel-exact, with the refined area.
#pragma once

#include <QWidget>

#include "types.h"

class QLabel;

namespace hdui {

class MaskCanvas;

class MaskView : public QWidget {
  Q_OBJECT

 public:
  explicit MaskView(QWidget* parent = nullptr);

  // `threshold` is the value the mask was built with; `stale` marks a mask that no longer
  // matches the current settings (a rebuild is on its way or not possible).
  void setMask(const MaskData& mask, int threshold, bool stale = false);
  void clear();
  QString infoText() const;

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void updateInfo();

  MaskCanvas* raw_ = nullptr;
  MaskCanvas* refined_ = nullptr;
  QLabel* info_ = nullptr;
  MaskData mask_;
  int threshold_ = 0;
  bool stale_ = false;
};

// One mask image, pixel-exact, with a title above it. Also used by the block grid view.
class MaskCanvas : public QWidget {
  Q_OBJECT

 public:
  explicit MaskCanvas(QWidget* parent = nullptr);
  void setTitle(const QString& title);
  void setMask(const QImage& mask);
  void setPlaceholder(const QString& text);
  QSize sizeHint() const override { return {150, 170}; }
  QSize minimumSizeHint() const override { return {80, 90}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString title_, placeholder_;
  QImage mask_;
};

}  // namespace hdui
