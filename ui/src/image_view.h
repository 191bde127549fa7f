// ImageView: the image (a step's preview or the decoded result), scaled to fit, with optional
// overlays in image coordinates: one token's heatmap, the refined mask and one level's active
// block grid. Hovering reports the normalised image position (for the token ranking).
#pragma once

#include <QImage>
#include <QPainterPath>
#include <QWidget>

#include "types.h"

namespace hdui {

class ImageView : public QWidget {
  Q_OBJECT

 public:
  enum Overlay { HeatOverlay = 1, MaskOverlay = 2, GridOverlay = 4 };

  explicit ImageView(QWidget* parent = nullptr);

  void setImage(const QImage& image);
  const QImage& image() const { return image_; }
  void setTitle(const QString& title);      // top-left, e.g. "Highlight" / "Dense baseline"
  void setCaption(const QString& caption);  // bottom-left, e.g. "Step 7/20 · preview"
  void setPlaceholder(const QString& text);

  void setHeatMap(const HeatMap& map, const QString& label);
  void setMask(const QImage& mask);
  void setGrid(const GridLevel& level);
  void clearOverlays();
  void setOverlays(int overlays);
  int overlays() const { return overlays_; }
  bool hasHeatMap() const { return !heat_.isNull(); }

  // Where the image is drawn, in widget coordinates.
  QRectF imageRect() const;

  QSize sizeHint() const override { return {420, 420}; }
  QSize minimumSizeHint() const override { return {160, 160}; }

 signals:
  // u, v in [0, 1]: the image position under the mouse.
  void hovered(double u, double v, const QPoint& globalPos);
  void hoverLeft();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  QImage image_;
  QString title_, caption_, placeholder_;
  QImage heat_;  // coloured, at map resolution
  QString heatLabel_;
  QImage mask_;             // 0/255
  QImage maskShade_;        // dims what lies outside the mask
  QPainterPath maskEdges_;  // the mask's outline, in mask pixels
  GridLevel grid_;
  int overlays_ = 0;
};

}  // namespace hdui
