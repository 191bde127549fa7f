#include "message_bar.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

#include "theme.h"

namespace hdui {
namespace {

QColor kindColor(MessageBar::Kind kind, const QPalette& pal) {
  switch (kind) {
    case MessageBar::Error:
      return theme::isDark(pal) ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
    case MessageBar::Warning:
      return theme::warningColor(pal);
    case MessageBar::Information:
      break;
  }
  return theme::accent(pal);
}

}  // namespace

MessageBar::MessageBar(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("messageBar"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(10, 6, 6, 6);
  icon_ = new QLabel(this);
  text_ = new QLabel(this);
  text_->setWordWrap(true);
  text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  action_ = new QPushButton(this);
  close_ = new QToolButton(this);
  close_->setAutoRaise(true);
  close_->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
  close_->setToolTip(tr("Close"));
  layout->addWidget(icon_, 0, Qt::AlignTop);
  layout->addWidget(text_, 1);
  layout->addWidget(action_, 0, Qt::AlignVCenter);
  layout->addWidget(close_, 0, Qt::AlignTop);
  connect(close_, &QToolButton::clicked, this, &MessageBar::dismiss);
  connect(action_, &QPushButton::clicked, this, [this] {
    if (callback_) callback_();
  });
  hide();
}

void MessageBar::showMessage(Kind kind, const QString& text, const QString& actionText,
                             std::function<void()> action) {
  kind_ = kind;
  text_->setText(text);
  const QStyle::StandardPixmap icon = kind == Error     ? QStyle::SP_MessageBoxCritical
                                      : kind == Warning ? QStyle::SP_MessageBoxWarning
                                                        : QStyle::SP_MessageBoxInformation;
  const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
  icon_->setPixmap(style()->standardIcon(icon).pixmap(size, size));
  action_->setText(actionText);
  action_->setVisible(!actionText.isEmpty());
  callback_ = std::move(action);
  show();
  update();
}

void MessageBar::dismiss() {
  callback_ = nullptr;
  hide();
}

QString MessageBar::text() const {
  return isHidden() ? QString() : text_->text();
}

void MessageBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, true);
  const QColor c = kindColor(kind_, palette());
  p.setPen(QPen(c, 1));
  p.setBrush(theme::mix(palette().color(QPalette::Base), c, 0.12));
  p.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
}

void MessageBar::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) close_->setToolTip(tr("Close"));
  QWidget::changeEvent(event);
}

}  // namespace hdui
