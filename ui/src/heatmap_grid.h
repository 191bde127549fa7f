// HeatmapGrid: one tile per token with its cross-attention map (each normalised to its own
// range). Clicking a tile shows that map over the image; the highlighted token's tile is
// framed in the accent colour. Below the tiles, the tokens ranked at the hovered pixel.
#pragma once

#include <QWidget>

#include "types.h"

class QLabel;
class QScrollArea;

namespace hdui {

class HeatmapTiles;

class HeatmapGrid : public QWidget {
  Q_OBJECT

 public:
  explicit HeatmapGrid(QWidget* parent = nullptr);

  void setAttention(const AttentionData& attention);
  void clear();
  void setFocusedToken(int index);
  int focusedToken() const;
  // Shown under the tiles: the tokens ranked by attention at the hovered pixel.
  void setHoverRanking(const QString& text);
  void setPlaceholder(const QString& text);

  int tileCount() const;
  QRect tileRect(int index) const;  // in this widget's coordinates

 signals:
  void tokenClicked(int index);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();

  HeatmapTiles* tiles_ = nullptr;
  QScrollArea* scroll_ = nullptr;
  QLabel* hover_ = nullptr;
  QLabel* legend_ = nullptr;
};

}  // namespace hdui
