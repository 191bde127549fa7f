#include "highlight_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace hdui {
namespace {

QStringList splitWords(const QString& text) {
  QStringList out;
  for (const QString& w : text.split(u',', Qt::SkipEmptyParts)) {
    const QString t = w.trimmed();
    if (!t.isEmpty()) out << t;
  }
  return out;
}

QWidget* sliderRow(QWidget* parent, QSlider* slider, QLabel* value) {
  auto* box = new QWidget(parent);
  auto* row = new QHBoxLayout(box);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(slider, 1);
  value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QStringLiteral("0000")));
  value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  row->addWidget(value);
  return box;
}

}  // namespace

HighlightPanel::HighlightPanel(QWidget* parent) : QGroupBox(parent) {
  setObjectName(QStringLiteral("highlightPanel"));
  setCheckable(true);
  setChecked(true);
  auto* form = new QFormLayout(this);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  interval_ = new QSlider(Qt::Horizontal, this);
  interval_->setObjectName(QStringLiteral("intervalSlider"));
  interval_->setRange(1, 20);
  interval_->setValue(5);
  intervalValue_ = new QLabel(this);
  intervalLabel_ = new QLabel(this);
  form->addRow(intervalLabel_, sliderRow(this, interval_, intervalValue_));

  threshold_ = new QSlider(Qt::Horizontal, this);
  threshold_->setObjectName(QStringLiteral("thresholdSlider"));
  threshold_->setRange(0, 255);
  threshold_->setValue(150);
  threshold_->setPageStep(16);
  thresholdValue_ = new QLabel(this);
  thresholdValue_->setObjectName(QStringLiteral("thresholdValue"));
  thresholdLabel_ = new QLabel(this);
  form->addRow(thresholdLabel_, sliderRow(this, threshold_, thresholdValue_));

  collect_ = new QSpinBox(this);
  collect_->setObjectName(QStringLiteral("collectSpin"));
  collect_->setRange(5, 90);
  collect_->setSingleStep(5);
  collect_->setSuffix(QStringLiteral(" %"));
  collect_->setValue(20);
  collectLabel_ = new QLabel(this);
  form->addRow(collectLabel_, collect_);

  statistic_ = new QComboBox(this);
  statistic_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  statistic_->setMinimumContentsLength(6);
  statistic_->setObjectName(QStringLiteral("statisticCombo"));
  statistic_->addItem(QString(), int(Statistic::Variance));
  statistic_->addItem(QString(), int(Statistic::Sum));
  statistic_->addItem(QString(), int(Statistic::Max));
  statisticLabel_ = new QLabel(this);
  form->addRow(statisticLabel_, statistic_);

  auto* choiceBox = new QWidget(this);
  auto* choiceCol = new QVBoxLayout(choiceBox);
  choiceCol->setContentsMargins(0, 0, 0, 0);
  choiceCol->setSpacing(3);
  choice_ = new QComboBox(this);
  choice_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  choice_->setMinimumContentsLength(6);
  choice_->setObjectName(QStringLiteral("tokenChoice"));
  choice_->addItem(QString());
  choice_->addItem(QString());
  words_ = new QLineEdit(this);
  words_->setObjectName(QStringLiteral("manualWords"));
  words_->setClearButtonEnabled(true);
  choiceCol->addWidget(choice_);
  choiceCol->addWidget(words_);
  choiceLabel_ = new QLabel(this);
  form->addRow(choiceLabel_, choiceBox);

  minArea_ = new QDoubleSpinBox(this);
  minArea_->setObjectName(QStringLiteral("minAreaSpin"));
  minArea_->setRange(0.0, 25.0);
  minArea_->setDecimals(1);
  minArea_->setSingleStep(0.1);
  minArea_->setSuffix(QStringLiteral(" %"));
  minArea_->setValue(0.4);
  minAreaLabel_ = new QLabel(this);
  form->addRow(minAreaLabel_, minArea_);

  mapsBox_ = new QWidget(this);
  mapsBox_->setObjectName(QStringLiteral("mapLevels"));
  auto* mapsRow = new QHBoxLayout(mapsBox_);
  mapsRow->setContentsMargins(0, 0, 0, 0);
  mapsLabel_ = new QLabel(this);
  form->addRow(mapsLabel_, mapsBox_);

  refresh_ = new QCheckBox(this);
  refresh_->setObjectName(QStringLiteral("refreshMask"));
  form->addRow(refresh_);
  compare_ = new QCheckBox(this);
  compare_->setObjectName(QStringLiteral("compareDense"));
  form->addRow(compare_);

  connect(this, &QGroupBox::toggled, this, &HighlightPanel::changed);
  connect(interval_, &QSlider::valueChanged, this, [this] {
    updateLabels();
    emit changed();
  });
  connect(threshold_, &QSlider::valueChanged, this, [this] {
    updateLabels();
    emit changed();
    emit maskOptionsChanged();
  });
  connect(collect_, &QSpinBox::valueChanged, this, &HighlightPanel::changed);
  connect(statistic_, &QComboBox::currentIndexChanged, this, [this] {
    emit changed();
    emit maskOptionsChanged();
  });
  connect(choice_, &QComboBox::currentIndexChanged, this, [this](int i) {
    words_->setEnabled(i == 1);
    emit changed();
    emit maskOptionsChanged();
  });
  connect(words_, &QLineEdit::textChanged, this, [this] {
    emit changed();
    if (choice_->currentIndex() == 1) emit maskOptionsChanged();
  });
  connect(minArea_, &QDoubleSpinBox::valueChanged, this, [this] {
    emit changed();
    emit maskOptionsChanged();
  });
  connect(refresh_, &QCheckBox::toggled, this, &HighlightPanel::changed);
  connect(compare_, &QCheckBox::toggled, this, &HighlightPanel::changed);
  words_->setEnabled(false);
  retranslate();
}

HighlightParams HighlightPanel::params() const {
  HighlightParams p;
  p.enabled = isChecked();
  p.interval = interval_->value();
  p.threshold = threshold_->value();
  p.collectAt = collect_->value() / 100.0;
  p.statistic = Statistic(statistic_->currentData().toInt());
  p.words = choice_->currentIndex() == 1 ? splitWords(words_->text()) : QStringList();
  p.refreshMask = refresh_->isChecked();
  p.minArea = minArea_->value() / 100.0;
  if (mapChecks_.isEmpty()) {
    p.mapFactors = wanted_;  // no model yet: keep the choice as it was set
  } else {
    for (int i = 0; i < mapChecks_.size(); ++i) {
      if (mapChecks_[i]->isChecked()) p.mapFactors.append(factors_[i]);
    }
    if (p.mapFactors.size() == factors_.size()) p.mapFactors.clear();  // every layer
  }
  return p;
}

void HighlightPanel::setParams(const HighlightParams& p) {
  setChecked(p.enabled);
  interval_->setValue(p.interval);
  threshold_->setValue(p.threshold);
  collect_->setValue(int(std::lround(p.collectAt * 100)));
  statistic_->setCurrentIndex(std::max(0, statistic_->findData(int(p.statistic))));
  choice_->setCurrentIndex(p.words.isEmpty() ? 0 : 1);
  if (!p.words.isEmpty()) words_->setText(p.words.join(QStringLiteral(", ")));
  refresh_->setChecked(p.refreshMask);
  minArea_->setValue(p.minArea * 100.0);
  wanted_ = p.mapFactors;
  applyFactors();
}

void HighlightPanel::setAttentionLevels(const QList<int>& factors, int latentWidth,
                                        int latentHeight) {
  if (!mapChecks_.isEmpty()) wanted_ = params().mapFactors;
  qDeleteAll(mapChecks_);
  mapChecks_.clear();
  factors_ = factors;
  for (int f : factors_) {
    auto* box = new QCheckBox(
        QStringLiteral("%1\u00d7%2").arg(latentWidth / f).arg(latentHeight / f), mapsBox_);
    box->setObjectName(QStringLiteral("mapFactor%1").arg(f));
    box->setProperty("factor", f);
    mapsBox_->layout()->addWidget(box);
    mapChecks_.append(box);
    connect(box, &QCheckBox::toggled, this, [this, box](bool on) {
      bool any = false;
      for (QCheckBox* b : mapChecks_) any = any || b->isChecked();
      if (!on && !any) {  // the maps come from at least one level
        const QSignalBlocker block(box);
        box->setChecked(true);
        return;
      }
      emit changed();
    });
  }
  applyFactors();
  retranslate();
}

void HighlightPanel::applyFactors() {
  bool any = false;
  for (int f : wanted_) any = any || factors_.contains(f);
  for (int i = 0; i < mapChecks_.size(); ++i) {
    const QSignalBlocker block(mapChecks_[i]);
    mapChecks_[i]->setChecked(!any || wanted_.contains(factors_[i]));
  }
}

bool HighlightPanel::compareDense() const {
  return compare_->isChecked();
}
void HighlightPanel::setCompareDense(bool on) {
  compare_->setChecked(on);
}

void HighlightPanel::toggleWord(const QString& word) {
  QStringList words = choice_->currentIndex() == 1 ? splitWords(words_->text()) : QStringList();
  bool removed = false;
  for (int i = words.size() - 1; i >= 0; --i) {
    if (words[i].compare(word, Qt::CaseInsensitive) == 0) {
      words.removeAt(i);
      removed = true;
    }
  }
  if (!removed) words << word;
  const QSignalBlocker block(words_);
  words_->setText(words.join(QStringLiteral(", ")));
  if (choice_->currentIndex() != 1 && !words.isEmpty()) {
    choice_->setCurrentIndex(1);  // emits the change signals
  } else if (words.isEmpty()) {
    choice_->setCurrentIndex(0);
  } else {
    emit changed();
    emit maskOptionsChanged();
  }
}

void HighlightPanel::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QGroupBox::changeEvent(event);
}

void HighlightPanel::retranslate() {
  setTitle(tr("Highlight Diffusion"));
  setToolTip(tr("Recompute only the highlighted token's region in partial steps"));
  intervalLabel_->setText(tr("Full-step interval"));
  interval_->setToolTip(
      tr("After the maps are collected, a full step every N steps; partial "
         "steps in between. 5 suits 50 steps; with fewer steps each step changes more, so "
         "keep N near steps / 10 (2 at 20 steps)."));
  thresholdLabel_->setText(tr("Threshold"));
  threshold_->setToolTip(
      tr("On the token's map scaled to 0..255: higher gives a smaller mask. "
         "After a run, moving it re-masks the stored maps at once."));
  collectLabel_->setText(tr("Collect maps at"));
  collect_->setToolTip(tr("Fraction of the steps before the cross-attention maps are captured"));
  statisticLabel_->setText(tr("Selection statistic"));
  statistic_->setItemText(0, tr("Variance"));
  statistic_->setItemText(1, tr("Sum"));
  statistic_->setItemText(2, tr("Max"));
  statistic_->setToolTip(tr("How the automatic choice ranks the noun candidates' maps"));
  choiceLabel_->setText(tr("Token"));
  choice_->setItemText(0, tr("Automatic (nouns)"));
  choice_->setItemText(1, tr("Manual"));
  words_->setPlaceholderText(tr("words, comma-separated"));
  words_->setToolTip(
      tr("The words to highlight. Double-click a word in the token strip to add "
         "or remove it."));
  minAreaLabel_->setText(tr("Minimum region"));
  minArea_->setToolTip(tr("Refinement drops mask regions smaller than this part of the image"));
  mapsLabel_->setText(tr("Attention maps"));
  mapsBox_->setToolTip(
      tr("The cross-attention layers whose maps pick the region, by the size of their feature "
         "map. Finer maps follow the object's outline; coarser ones are smoother. Applies to "
         "the next run."));
  for (QCheckBox* box : mapChecks_) {
    box->setToolTip(
        tr("Maps of the layers at 1/%1 of the latent's size").arg(box->property("factor").toInt()));
  }
  refresh_->setText(tr("Refresh the mask at full steps"));
  compare_->setText(tr("Compare with dense"));
  compare_->setToolTip(
      tr("Also run every step dense with the same seed, and show both images, "
         "their PSNR and the speedup"));
  updateLabels();
}

void HighlightPanel::updateLabels() {
  intervalValue_->setText(QString::number(interval_->value()));
  intervalValue_->setToolTip(tr("a full step every %1 steps").arg(interval_->value()));
  thresholdValue_->setText(QString::number(threshold_->value()));
}

}  // namespace hdui
