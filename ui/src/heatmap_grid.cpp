#include "heatmap_grid.h"

#include <QEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>

#include "paint_util.h"
#include "theme.h"

namespace hdui {

class HeatmapTiles : public QWidget {
 public:
  explicit HeatmapTiles(HeatmapGrid* grid) : QWidget(grid), grid_(grid) {
    QSizePolicy sp(QSizePolicy::Preferred, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
    setMouseTracking(true);
  }

  AttentionData attention;
  QVector<QImage> images;  // coloured maps
  int focused = -1;
  int hovered = -1;
  QString placeholder;

  void setAttention(const AttentionData& a) {
    attention = a;
    images.clear();
    for (const HeatMap& m : a.maps) images.append(theme::heatImage(m));
    updateGeometry();
    update();
  }

  int count() const { return int(std::min(attention.tokens.size(), attention.maps.size())); }
  int tileSize() const { return 76; }
  int labelHeight() const { return fontMetrics().height() + 4; }
  int columns(int w) const { return std::max(1, (w - kGap) / (tileSize() + kGap)); }

  QRect rectOf(int i) const {
    const int cols = columns(width());
    const int cellW = (width() - kGap) / cols;
    const int x = kGap + (i % cols) * cellW + (cellW - kGap - tileSize()) / 2;
    const int y = kGap + (i / cols) * (tileSize() + labelHeight() + kGap);
    return {x, y, tileSize(), tileSize() + labelHeight()};
  }

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int w) const override {
    if (count() == 0) return 80;
    const int rows = (count() + columns(w) - 1) / columns(w);
    return kGap + rows * (tileSize() + labelHeight() + kGap);
  }
  QSize sizeHint() const override { return {260, heightForWidth(260)}; }

 protected:
  static constexpr int kGap = 8;

  int indexAt(const QPoint& pos) const {
    for (int i = 0; i < count(); ++i) {
      if (rectOf(i).contains(pos)) return i;
    }
    return -1;
  }

  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    const QPalette& pal = palette();
    if (count() == 0) {
      drawPlaceholder(p, rect(), placeholder, pal);
      return;
    }
    const QColor accent = theme::accent(pal);
    const QColor text = pal.color(QPalette::WindowText);
    for (int i = 0; i < count(); ++i) {
      const TokenData& t = attention.tokens[i];
      const QRect cell = rectOf(i);
      const QRect img(cell.topLeft(), QSize(tileSize(), tileSize()));
      p.setRenderHint(QPainter::SmoothPixmapTransform, true);
      if (!images[i].isNull()) {
        p.drawImage(img, images[i]);
      } else {
        p.fillRect(img, pal.color(QPalette::Base));
      }
      p.setRenderHint(QPainter::Antialiasing, true);
      p.setBrush(Qt::NoBrush);
      if (t.selected) {
        p.setPen(QPen(accent, 3));
        p.drawRect(QRectF(img).adjusted(1.5, 1.5, -1.5, -1.5));
      } else if (i == hovered) {
        p.setPen(QPen(theme::mix(text, pal.color(QPalette::Window), 0.4), 1));
        p.drawRect(QRectF(img).adjusted(0.5, 0.5, -0.5, -0.5));
      }
      if (i == focused) {
        p.setPen(QPen(text, 2, Qt::DotLine));
        p.drawRect(QRectF(img).adjusted(-2, -2, 2, 2));
      }
      if (t.candidate) {
        p.setPen(QPen(pal.color(QPalette::Base), 1));
        p.setBrush(theme::candidateColor(pal));
        p.drawEllipse(QPointF(img.right() - 6, img.top() + 6), 3.5, 3.5);
      }
      QFont f = font();
      f.setBold(t.selected);
      p.setFont(f);
      p.setPen(t.word < 0 ? theme::mutedText(pal) : (t.selected ? accent : text));
      const QRect label(cell.left() - 4, img.bottom() + 2, cell.width() + 8, labelHeight());
      const QString name =
          t.word < 0 ? (i == 0 ? HeatmapGrid::tr("start") : HeatmapGrid::tr("end")) : t.text;
      p.drawText(label, Qt::AlignHCenter | Qt::AlignTop,
                 QFontMetrics(f).elidedText(name, Qt::ElideRight, label.width()));
    }
  }

  void mouseMoveEvent(QMouseEvent* e) override {
    const int i = indexAt(e->position().toPoint());
    if (i != hovered) {
      hovered = i;
      setCursor(i >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
      if (i >= 0) {
        const TokenData& t = attention.tokens[i];
        setToolTip(HeatmapGrid::tr("%1 — variance %2 · sum %3 · max %4")
                       .arg(t.text)
                       .arg(double(t.variance), 0, 'g', 3)
                       .arg(double(t.sum), 0, 'g', 3)
                       .arg(double(t.max), 0, 'g', 3));
      } else {
        setToolTip(QString());
      }
      update();
    }
  }

  void leaveEvent(QEvent*) override {
    hovered = -1;
    update();
  }

  void mousePressEvent(QMouseEvent* e) override {
    const int i = indexAt(e->position().toPoint());
    if (i >= 0 && e->button() == Qt::LeftButton) emit grid_->tokenClicked(i);
  }

 private:
  HeatmapGrid* grid_;
};

HeatmapGrid::HeatmapGrid(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(4);
  tiles_ = new HeatmapTiles(this);
  scroll_ = new QScrollArea(this);
  scroll_->setWidget(tiles_);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  legend_ = new QLabel(this);
  legend_->setWordWrap(true);
  legend_->setForegroundRole(QPalette::PlaceholderText);
  legend_->setObjectName(QStringLiteral("heatmapLegend"));
  hover_ = new QLabel(this);
  hover_->setWordWrap(true);
  hover_->setTextFormat(Qt::RichText);
  hover_->setObjectName(QStringLiteral("hoverRanking"));
  hover_->setMinimumHeight(hover_->fontMetrics().height() * 2);
  hover_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  layout->addWidget(legend_);
  layout->addWidget(scroll_, 1);
  layout->addWidget(hover_);
  retranslate();
}

void HeatmapGrid::setAttention(const AttentionData& attention) {
  tiles_->setAttention(attention);
}

void HeatmapGrid::clear() {
  tiles_->setAttention(AttentionData());
  tiles_->focused = -1;
  hover_->clear();
}

void HeatmapGrid::setFocusedToken(int index) {
  tiles_->focused = index;
  tiles_->update();
}

int HeatmapGrid::focusedToken() const {
  return tiles_->focused;
}

void HeatmapGrid::setHoverRanking(const QString& text) {
  hover_->setText(text);
}

void HeatmapGrid::setPlaceholder(const QString& text) {
  tiles_->placeholder = text;
  tiles_->update();
}

int HeatmapGrid::tileCount() const {
  return tiles_->count();
}

QRect HeatmapGrid::tileRect(int index) const {
  const QRect r = tiles_->rectOf(index);
  return QRect(tiles_->mapTo(this, r.topLeft()), r.size());
}

void HeatmapGrid::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(event);
}

void HeatmapGrid::retranslate() {
  legend_->setText(
      tr("Each map scaled to its own range (dark: low, bright: high); "
         "green dot: noun candidate."));
  setPlaceholder(tr("No attention maps yet. They are captured at the collection step."));
}

}  // namespace hdui
