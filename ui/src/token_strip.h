// TokenStrip: the prompt's real tokens as chips, grouped into words. Noun candidates carry a
// dot, the highlighted token is filled with the accent colour, a small bar under each chip
// shows the selection statistic, and a line below gives the highlighted token's statistics
// and why it was chosen. A prompt cut at the tokenizer's limit is flagged.
#pragma once

#include <QWidget>

#include "types.h"

class QLabel;

namespace hdui {

class TokenChips;

class TokenStrip : public QWidget {
  Q_OBJECT

 public:
  explicit TokenStrip(QWidget* parent = nullptr);

  void setAttention(const AttentionData& attention);
  void clear();
  void setStatistic(Statistic statistic);
  void setFocusedToken(int index);  // the token whose map is shown over the image
  void setManualWords(const QStringList& words);
  // When no maps exist yet: what the run said about the prompt.
  void setPromptInfo(int promptTokens, int maxTokens, bool truncated);
  void setPlaceholder(const QString& text);

  const AttentionData& attention() const;
  // The chip rectangle of token `index` (widget coordinates), for tests.
  QRect tokenRect(int index) const;

 signals:
  void tokenClicked(int index);
  void tokenDoubleClicked(int index);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void updateInfo();

  TokenChips* chips_ = nullptr;
  QLabel* info_ = nullptr;
  Statistic statistic_ = Statistic::Variance;
  int promptTokens_ = 0, maxTokens_ = 0;
  bool promptTruncated_ = false;
};

}  // namespace hdui
