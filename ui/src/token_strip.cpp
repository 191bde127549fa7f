#include "token_strip.h"

#include <QEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>

#include "paint_util.h"
#include "theme.h"

namespace hdui {

// The painted chips; TokenStrip adds the info line below.
class TokenChips : public QWidget {
 public:
  explicit TokenChips(TokenStrip* strip) : QWidget(strip), strip_(strip) {
    setMouseTracking(true);
    QSizePolicy sp(QSizePolicy::Preferred, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
  }

  AttentionData attention;
  Statistic statistic = Statistic::Variance;
  int focused = -1;
  QStringList manualWords;
  QString placeholder;

  struct Item {
    QRectF rect;
    int token = -1;  // -1: the group frame or the truncation flag
    bool group = false;
    bool flag = false;
  };

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int w) const override {
    if (attention.tokens.isEmpty()) return rowHeight() + 8;
    const auto items = layout(w);
    qreal bottom = 0;
    for (const Item& it : items) bottom = std::max(bottom, it.rect.bottom());
    return int(bottom) + 4;
  }
  QSize sizeHint() const override { return {400, heightForWidth(400)}; }
  QSize minimumSizeHint() const override { return {120, rowHeight() + 8}; }

  int indexAt(const QPointF& pos) const {
    for (const Item& it : layout(width())) {
      if (it.token >= 0 && it.rect.contains(pos)) return it.token;
    }
    return -1;
  }

  QRect rectOf(int token) const {
    for (const Item& it : layout(width())) {
      if (it.token == token) return it.rect.toAlignedRect();
    }
    return {};
  }

  QString label(int i) const {
    const TokenData& t = attention.tokens[i];
    if (t.word < 0) {
      return i == 0 ? TokenStrip::tr("start") : TokenStrip::tr("end");
    }
    return t.text;
  }

 protected:
  int rowHeight() const { return fontMetrics().height() + 14; }

  QVector<Item> layout(int width) const {
    QVector<Item> items;
    const QFontMetricsF fm(font());
    const qreal pad = 8, gap = 6, groupPad = 3, chipH = fm.height() + 8;
    const qreal rowH = chipH + 2 * groupPad + 6;
    qreal x = 2, y = 2;
    const auto& tokens = attention.tokens;
    int i = 0;
    auto place = [&](qreal w) {
      if (x > 2 && x + w > width - 2) {
        x = 2;
        y += rowH;
      }
      const QPointF at(x, y);
      x += w + gap;
      return at;
    };
    while (i < tokens.size()) {
      int j = i + 1;
      if (tokens[i].word >= 0) {
        while (j < tokens.size() && tokens[j].word == tokens[i].word) ++j;
      }
      QVector<qreal> widths;
      qreal total = 2 * groupPad;
      for (int k = i; k < j; ++k) {
        widths.append(fm.horizontalAdvance(label(k)) + 2 * pad);
        total += widths.back() + (k > i ? 2 : 0);
      }
      const QPointF at = place(total);
      items.append({QRectF(at, QSizeF(total, chipH + 2 * groupPad)), -1, true, false});
      qreal cx = at.x() + groupPad;
      for (int k = i; k < j; ++k) {
        items.append({QRectF(cx, at.y() + groupPad, widths[k - i], chipH), k, false, false});
        cx += widths[k - i] + 2;
      }
      i = j;
    }
    if (attention.truncated) {
      const QString text = TokenStrip::tr("⚠ truncated");
      const qreal w = fm.horizontalAdvance(text) + 2 * pad;
      const QPointF at = place(w);
      items.append({QRectF(at + QPointF(0, groupPad), QSizeF(w, chipH)), -1, false, true});
    }
    return items;
  }

  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QPalette& pal = palette();
    if (attention.tokens.isEmpty()) {
      p.setPen(theme::mutedText(pal));
      p.drawText(rect().adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap,
                 placeholder);
      return;
    }
    float statMax = 0.f;
    for (const TokenData& t : attention.tokens) {
      if (t.word >= 0) statMax = std::max(statMax, t.value(statistic));
    }
    const QColor accent = theme::accent(pal);
    const QColor text = pal.color(QPalette::WindowText);
    const QColor base = pal.color(QPalette::Base);
    const QColor frame = theme::mix(text, pal.color(QPalette::Window), 0.78);
    for (const Item& it : layout(width())) {
      if (it.group) {
        p.setPen(QPen(frame, 1));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(it.rect.adjusted(0.5, 0.5, -0.5, -0.5), 7, 7);
        continue;
      }
      if (it.flag) {
        const QColor warn = theme::warningColor(pal);
        p.setPen(QPen(warn, 1));
        p.setBrush(theme::mix(base, warn, 0.12));
        p.drawRoundedRect(it.rect, 5, 5);
        p.setPen(warn);
        p.drawText(it.rect, Qt::AlignCenter, TokenStrip::tr("⚠ truncated"));
        continue;
      }
      const TokenData& t = attention.tokens[it.token];
      const bool special = t.word < 0;
      const bool manual = !special && attention.words.value(t.word).size() > 0 &&
                          manualWords.contains(attention.words.value(t.word), Qt::CaseInsensitive);
      QColor bg = special ? theme::mix(base, pal.color(QPalette::Window), 0.5) : base;
      QColor fg = special ? theme::mutedText(pal) : text;
      if (t.selected) {
        bg = accent;
        fg = pal.color(QPalette::HighlightedText);
      }
      p.setPen(Qt::NoPen);
      p.setBrush(bg);
      p.drawRoundedRect(it.rect, 5, 5);
      if (manual && !t.selected) {
        p.setPen(QPen(accent, 1.2, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(it.rect.adjusted(0.6, 0.6, -0.6, -0.6), 5, 5);
      }
      if (it.token == focused) {
        p.setPen(QPen(text, 2));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(it.rect.adjusted(1, 1, -1, -1), 5, 5);
      }
      QFont f = font();
      f.setBold(t.selected);
      p.setFont(f);
      p.setPen(fg);
      p.drawText(it.rect.adjusted(0, 0, 0, -3), Qt::AlignCenter, label(it.token));
      if (!special && statMax > 0.f) {
        // The statistic of this token relative to the largest in the prompt.
        const qreal frac = std::clamp(qreal(t.value(statistic) / statMax), 0.0, 1.0);
        const QRectF bar(it.rect.left() + 5, it.rect.bottom() - 4, (it.rect.width() - 10) * frac,
                         2);
        p.setPen(Qt::NoPen);
        p.setBrush(t.selected ? fg : theme::mix(accent, bg, 0.35));
        p.drawRect(bar);
      }
      if (t.candidate) {
        p.setPen(Qt::NoPen);
        p.setBrush(t.selected ? fg : theme::candidateColor(pal));
        p.drawEllipse(QPointF(it.rect.right() - 4.5, it.rect.top() + 4.5), 2.4, 2.4);
      }
    }
  }

  void mousePressEvent(QMouseEvent* e) override {
    const int i = indexAt(e->position());
    if (i >= 0 && e->button() == Qt::LeftButton) emit strip_->tokenClicked(i);
  }

  void mouseDoubleClickEvent(QMouseEvent* e) override {
    const int i = indexAt(e->position());
    if (i >= 0 && e->button() == Qt::LeftButton) emit strip_->tokenDoubleClicked(i);
  }

  void mouseMoveEvent(QMouseEvent* e) override {
    const int i = indexAt(e->position());
    setCursor(i >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (i < 0) {
      QToolTip::hideText();
      return;
    }
    const TokenData& t = attention.tokens[i];
    QString tip = QStringLiteral("<b>%1</b>").arg(t.text.toHtmlEscaped());
    if (t.word >= 0) {
      tip += QStringLiteral("<br>") +
             TokenStrip::tr("word: %1").arg(attention.words.value(t.word).toHtmlEscaped());
    }
    tip += QStringLiteral("<br>") + TokenStrip::tr("variance %1 · sum %2 · max %3")
                                        .arg(double(t.variance), 0, 'g', 3)
                                        .arg(double(t.sum), 0, 'g', 3)
                                        .arg(double(t.max), 0, 'g', 3);
    if (t.candidate) tip += QStringLiteral("<br>") + TokenStrip::tr("noun candidate");
    if (t.selected) tip += QStringLiteral("<br>") + TokenStrip::tr("highlighted");
    tip += QStringLiteral("<br><i>") +
           TokenStrip::tr(
               "Click to show its map over the image; double-click to highlight "
               "this word instead.") +
           QStringLiteral("</i>");
    QToolTip::showText(e->globalPosition().toPoint(), tip, this, rectOf(i));
  }

 private:
  TokenStrip* strip_;
};

TokenStrip::TokenStrip(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  chips_ = new TokenChips(this);
  info_ = new QLabel(this);
  info_->setTextFormat(Qt::RichText);
  info_->setWordWrap(true);
  info_->setObjectName(QStringLiteral("tokenInfo"));
  layout->addWidget(chips_);
  layout->addWidget(info_);
  setPlaceholder(tr("The prompt's tokens appear here when the attention maps are captured."));
  updateInfo();
}

void TokenStrip::setAttention(const AttentionData& attention) {
  chips_->attention = attention;
  chips_->updateGeometry();
  chips_->update();
  updateInfo();
}

void TokenStrip::clear() {
  chips_->attention = AttentionData();
  chips_->focused = -1;
  promptTokens_ = maxTokens_ = 0;
  promptTruncated_ = false;
  chips_->updateGeometry();
  chips_->update();
  updateInfo();
}

void TokenStrip::setStatistic(Statistic statistic) {
  statistic_ = statistic;
  chips_->statistic = statistic;
  chips_->update();
  updateInfo();
}

void TokenStrip::setFocusedToken(int index) {
  chips_->focused = index;
  chips_->update();
}

void TokenStrip::setManualWords(const QStringList& words) {
  chips_->manualWords = words;
  chips_->update();
}

void TokenStrip::setPromptInfo(int promptTokens, int maxTokens, bool truncated) {
  promptTokens_ = promptTokens;
  maxTokens_ = maxTokens;
  promptTruncated_ = truncated;
  updateInfo();
}

void TokenStrip::setPlaceholder(const QString& text) {
  chips_->placeholder = text;
  chips_->update();
}

const AttentionData& TokenStrip::attention() const {
  return chips_->attention;
}

QRect TokenStrip::tokenRect(int index) const {
  const QRect r = chips_->rectOf(index);
  return r.isNull() ? r : r.translated(chips_->pos());
}

void TokenStrip::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) {
    setPlaceholder(tr("The prompt's tokens appear here when the attention maps are captured."));
    updateInfo();
  }
  QWidget::changeEvent(event);
}

void TokenStrip::updateInfo() {
  const AttentionData& a = chips_->attention;
  QStringList parts;
  const int sel = a.selectedToken();
  if (sel >= 0) {
    const TokenData& t = a.tokens[sel];
    parts << tr("Highlighted: <b>%1</b> — variance %2 · sum %3 · max %4")
                 .arg(t.text.toHtmlEscaped())
                 .arg(double(t.variance), 0, 'g', 3)
                 .arg(double(t.sum), 0, 'g', 3)
                 .arg(double(t.max), 0, 'g', 3);
    if (!a.reason.isEmpty()) parts << a.reason.toHtmlEscaped();
  } else if (!a.tokens.isEmpty()) {
    parts << tr("No token is highlighted.");
  }
  const bool truncated = a.truncated || promptTruncated_;
  if (promptTokens_ > 0 && a.tokens.isEmpty()) {
    parts << tr("Prompt tokens: %1").arg(promptTokens_);
  }
  if (truncated) {
    const QColor warn = theme::warningColor(palette());
    parts << QStringLiteral("<span style=\"color:%1\">%2</span>")
                 .arg(warn.name(),
                      maxTokens_ > 0
                          ? tr("The prompt is longer than the tokenizer's limit of %1 tokens; "
                               "the rest is ignored.")
                                .arg(maxTokens_)
                          : tr("The prompt is longer than the tokenizer's limit; the rest is "
                               "ignored."));
  }
  info_->setText(parts.join(QStringLiteral(" · ")));
  info_->setVisible(!parts.isEmpty());
}

}  // namespace hdui
