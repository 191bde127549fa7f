#include "generation_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace hdui {

GenerationPanel::GenerationPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  promptLabel_ = new QLabel(this);
  prompt_ = new QPlainTextEdit(this);
  prompt_->setObjectName(QStringLiteral("promptEdit"));
  prompt_->setTabChangesFocus(true);
  prompt_->setFixedHeight(prompt_->fontMetrics().lineSpacing() * 4 + 14);
  negativeLabel_ = new QLabel(this);
  negative_ = new QPlainTextEdit(this);
  negative_->setObjectName(QStringLiteral("negativeEdit"));
  negative_->setTabChangesFocus(true);
  negative_->setFixedHeight(negative_->fontMetrics().lineSpacing() * 2 + 14);
  promptLabel_->setBuddy(prompt_);
  negativeLabel_->setBuddy(negative_);
  layout->addWidget(promptLabel_);
  layout->addWidget(prompt_);
  layout->addWidget(negativeLabel_);
  layout->addWidget(negative_);

  form_ = new QFormLayout;
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form_->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);

  // Seed: mode, value, and the seed the last run used.
  auto* seedBox = new QWidget(this);
  auto* seedRow = new QVBoxLayout(seedBox);
  seedRow->setContentsMargins(0, 0, 0, 0);
  seedRow->setSpacing(2);
  auto* seedLine = new QHBoxLayout;
  seedMode_ = new QComboBox(this);
  seedMode_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  seedMode_->setMinimumContentsLength(6);
  seedMode_->setObjectName(QStringLiteral("seedMode"));
  for (int i = 0; i < 3; ++i) seedMode_->addItem(QString(), i);
  seed_ = new QLineEdit(this);
  seed_->setObjectName(QStringLiteral("seedEdit"));
  seed_->setValidator(
      new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,18}")), seed_));
  seedLine->addWidget(seedMode_);
  seedLine->addWidget(seed_, 1);
  usedSeed_ = new QLabel(this);
  usedSeed_->setObjectName(QStringLiteral("usedSeed"));
  usedSeed_->setTextInteractionFlags(Qt::TextBrowserInteraction);
  usedSeed_->setForegroundRole(QPalette::PlaceholderText);
  seedRow->addLayout(seedLine);
  seedRow->addWidget(usedSeed_);
  seedLabel_ = new QLabel(this);
  form_->addRow(seedLabel_, seedBox);

  steps_ = new QSpinBox(this);
  steps_->setObjectName(QStringLiteral("stepsSpin"));
  steps_->setRange(1, 500);
  steps_->setValue(GenerationParams().steps);
  stepsLabel_ = new QLabel(this);
  form_->addRow(stepsLabel_, steps_);

  sampler_ = new QComboBox(this);
  sampler_->setObjectName(QStringLiteral("samplerCombo"));
  for (const QString& key : samplerKeys()) sampler_->addItem(samplerName(key), key);
  samplerLabel_ = new QLabel(this);
  form_->addRow(samplerLabel_, sampler_);

  guidance_ = new QDoubleSpinBox(this);
  guidance_->setObjectName(QStringLiteral("guidanceSpin"));
  guidance_->setRange(0.0, 30.0);
  guidance_->setSingleStep(0.5);
  guidance_->setDecimals(1);
  guidance_->setValue(7.5);
  guidanceLabel_ = new QLabel(this);
  form_->addRow(guidanceLabel_, guidance_);

  auto* sizeRow = new QHBoxLayout;
  width_ = new QSpinBox(this);
  height_ = new QSpinBox(this);
  width_->setObjectName(QStringLiteral("widthSpin"));
  height_->setObjectName(QStringLiteral("heightSpin"));
  for (QSpinBox* s : {width_, height_}) {
    s->setRange(8, 2048);
    s->setSingleStep(8);
    s->setValue(512);
    s->setSuffix(QStringLiteral(" px"));
  }
  auto* times = new QLabel(QStringLiteral("×"), this);
  resetSize_ = new QToolButton(this);
  resetSize_->setObjectName(QStringLiteral("resetSize"));
  resetSize_->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
  resetSize_->setAutoRaise(true);
  sizeRow->addWidget(width_, 1);
  sizeRow->addWidget(times);
  sizeRow->addWidget(height_, 1);
  sizeRow->addWidget(resetSize_);
  sizeLabel_ = new QLabel(this);
  form_->addRow(sizeLabel_, sizeRow);
  layout->addLayout(form_);

  connect(prompt_, &QPlainTextEdit::textChanged, this, &GenerationPanel::changed);
  connect(negative_, &QPlainTextEdit::textChanged, this, &GenerationPanel::changed);
  connect(seedMode_, &QComboBox::currentIndexChanged, this, [this] {
    updateSeedEnabled();
    emit changed();
  });
  connect(seed_, &QLineEdit::textChanged, this, &GenerationPanel::changed);
  connect(steps_, &QSpinBox::valueChanged, this, &GenerationPanel::changed);
  connect(sampler_, &QComboBox::currentIndexChanged, this, &GenerationPanel::changed);
  connect(guidance_, &QDoubleSpinBox::valueChanged, this, &GenerationPanel::changed);
  connect(width_, &QSpinBox::valueChanged, this, &GenerationPanel::changed);
  connect(height_, &QSpinBox::valueChanged, this, &GenerationPanel::changed);
  connect(resetSize_, &QToolButton::clicked, this, [this] {
    width_->setValue(defaultWidth_);
    height_->setValue(defaultHeight_);
  });
  connect(usedSeed_, &QLabel::linkActivated, this, [this] {
    // "Keep this seed": fix the seed the last run used.
    if (usedSeedValue_ < 0) return;
    seed_->setText(QString::number(usedSeedValue_));
    setSeedMode(SeedMode::Fixed);
  });
  retranslate();
  updateSeedEnabled();
  setUsedSeed(-1);
}

GenerationParams GenerationPanel::params(qint64 lastSeed) const {
  GenerationParams p;
  p.prompt = prompt_->toPlainText().trimmed();
  p.negativePrompt = negative_->toPlainText().trimmed();
  p.steps = steps_->value();
  p.sampler = sampler_->currentData().toString();
  p.guidance = guidance_->value();
  switch (seedMode()) {
    case SeedMode::Random:
      p.seed = -1;
      break;
    case SeedMode::Fixed:
      p.seed = seed_->text().isEmpty() ? 0 : seed_->text().toLongLong();
      break;
    case SeedMode::ReuseLast:
      p.seed = lastSeed;
      break;
  }
  p.width = width_->value();
  p.height = height_->value();
  return p;
}

void GenerationPanel::setParams(const GenerationParams& p) {
  prompt_->setPlainText(p.prompt);
  negative_->setPlainText(p.negativePrompt);
  steps_->setValue(p.steps);
  if (const int i = sampler_->findData(p.sampler); i >= 0) sampler_->setCurrentIndex(i);
  guidance_->setValue(p.guidance);
  if (p.seed >= 0) {
    seed_->setText(QString::number(p.seed));
    setSeedMode(SeedMode::Fixed);
  }
  if (p.width > 0) width_->setValue(p.width);
  if (p.height > 0) height_->setValue(p.height);
}

SeedMode GenerationPanel::seedMode() const {
  return SeedMode(seedMode_->currentData().toInt());
}

void GenerationPanel::setSeedMode(SeedMode mode) {
  seedMode_->setCurrentIndex(int(mode));
}

void GenerationPanel::setUsedSeed(qint64 seed) {
  usedSeedValue_ = seed;
  if (seed < 0) {
    usedSeed_->setText(tr("No seed used yet."));
  } else {
    usedSeed_->setText(tr("Used seed: <b>%1</b> · <a href=\"keep\">keep it</a>").arg(seed));
  }
}

void GenerationPanel::setModelDefaults(int width, int height, int multiple) {
  const bool wasDefault = width_->value() == defaultWidth_ && height_->value() == defaultHeight_;
  defaultWidth_ = width;
  defaultHeight_ = height;
  for (QSpinBox* s : {width_, height_}) {
    s->setSingleStep(std::max(1, multiple));
    s->setMinimum(std::max(1, multiple));
  }
  if (wasDefault) {
    width_->setValue(width);
    height_->setValue(height);
  }
}

void GenerationPanel::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(event);
}

void GenerationPanel::retranslate() {
  promptLabel_->setText(tr("&Prompt"));
  negativeLabel_->setText(tr("&Negative prompt"));
  prompt_->setPlaceholderText(tr("Describe the image, e.g. “a red star above a blue house”"));
  negative_->setPlaceholderText(tr("What to avoid (optional)"));
  seedLabel_->setText(tr("Seed"));
  seedMode_->setItemText(0, tr("Random"));
  seedMode_->setItemText(1, tr("Fixed"));
  seedMode_->setItemText(2, tr("Reuse last"));
  seed_->setPlaceholderText(tr("seed"));
  stepsLabel_->setText(tr("Steps"));
  steps_->setToolTip(tr("Denoising steps"));
  samplerLabel_->setText(tr("Sampler"));
  sampler_->setToolTip(
      tr("DDIM: the paper's sampler. DPM++ 2M (DPM-Solver++): a second-order solver, nearer the "
         "fully converged image than DDIM in as many steps (20 to 30 steps). DPM++ 2M Karras: the "
         "same on Karras et al.'s noise levels, for SD 1.x-style models; on zero-terminal-SNR "
         "models such as the embedded one it spends most steps at the highest noise."));
  guidanceLabel_->setText(tr("Guidance"));
  guidance_->setToolTip(tr("Classifier-free guidance scale; 1 or less turns it off"));
  sizeLabel_->setText(tr("Size"));
  resetSize_->setToolTip(tr("The model's default size"));
  setUsedSeed(usedSeedValue_);
}

void GenerationPanel::updateSeedEnabled() {
  seed_->setEnabled(seedMode() == SeedMode::Fixed);
}

}  // namespace hdui
