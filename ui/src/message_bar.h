// MessageBar: an inline message above the image (error, warning or information) with an
// optional action button and a close button. Unlike a modal dialog it never blocks the window,
// so a failure leaves the app usable and the message readable while the user fixes it.
#pragma once

#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;
class QToolButton;

namespace hdui {

class MessageBar : public QWidget {
  Q_OBJECT

 public:
  enum Kind { Information, Warning, Error };

  explicit MessageBar(QWidget* parent = nullptr);

  // `actionText` empty: no action button.
  void showMessage(Kind kind, const QString& text, const QString& actionText = {},
                   std::function<void()> action = {});
  void dismiss();
  Kind kind() const { return kind_; }
  QString text() const;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  QLabel* icon_ = nullptr;
  QLabel* text_ = nullptr;
  QPushButton* action_ = nullptr;
  QToolButton* close_ = nullptr;
  std::function<void()> callback_;
  Kind kind_ = Information;
};

}  // namespace hdui
