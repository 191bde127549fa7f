#include "model_picker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QMenu>
#include <QStandardItemModel>
#include <QStyle>
#include <QToolButton>

namespace hdui {
namespace {

QString displayName(const QString& path) {
  const QFileInfo fi(path);
  return fi.fileName().isEmpty() ? QDir(path).dirName() : fi.fileName();
}

}  // namespace

ModelPicker::ModelPicker(QWidget* parent) : QWidget(parent) {
  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  combo_ = new QComboBox(this);
  combo_->setObjectName(QStringLiteral("modelCombo"));
  combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo_->setMinimumContentsLength(12);
  browse_ = new QToolButton(this);
  browse_->setObjectName(QStringLiteral("browseModel"));
  browse_->setPopupMode(QToolButton::InstantPopup);
  browse_->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
  auto* menu = new QMenu(browse_);
  menu->addAction(QString(), this, &ModelPicker::chooseFolder)
      ->setObjectName(QStringLiteral("chooseFolder"));
  menu->addAction(QString(), this, &ModelPicker::chooseFile)
      ->setObjectName(QStringLiteral("chooseFile"));
  browse_->setMenu(menu);
  device_ = new QComboBox(this);
  device_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  device_->setMinimumContentsLength(6);
  device_->setObjectName(QStringLiteral("deviceCombo"));
  device_->addItem(QString(), int(Device::Cpu));
  device_->addItem(QString(), int(Device::Cuda));
  deviceLabel_ = new QLabel(this);
  reduced_ = new QCheckBox(this);
  reduced_->setObjectName(QStringLiteral("reducedPrecision"));
  info_ = new QLabel(this);
  info_->setWordWrap(true);
  info_->setObjectName(QStringLiteral("modelInfo"));
  info_->setForegroundRole(QPalette::PlaceholderText);
  layout->addWidget(combo_, 0, 0, 1, 2);
  layout->addWidget(browse_, 0, 2);
  layout->addWidget(deviceLabel_, 1, 0);
  layout->addWidget(device_, 1, 1, 1, 2);
  layout->addWidget(reduced_, 2, 1, 1, 2);
  layout->addWidget(info_, 3, 0, 1, 3);
  layout->setColumnStretch(1, 1);

  connect(combo_, &QComboBox::activated, this, [this](int index) {
    if (!updating_) emit modelChosen(combo_->itemData(index).toString());
  });
  connect(reduced_, &QCheckBox::clicked, this, [this](bool on) { emit precisionChosen(on); });
  connect(device_, &QComboBox::activated, this,
          [this](int index) { emit deviceChosen(Device(device_->itemData(index).toInt())); });
  retranslate();
}

void ModelPicker::setDefaultModel(const QString& path, bool installed) {
  defaultPath_ = path;
  defaultInstalled_ = installed;
  const QString selected = current();
  setRecent({});
  setCurrent(selected.isEmpty() ? path : selected);
}

void ModelPicker::setRecent(const QStringList& paths) {
  updating_ = true;
  const QString selected = current();
  combo_->clear();
  combo_->addItem(QString(), defaultPath_);  // text set by retranslate()
  for (const QString& p : paths) {
    if (p.isEmpty() || p == defaultPath_) continue;
    combo_->addItem(displayName(p), p);
    combo_->setItemData(combo_->count() - 1, QDir::toNativeSeparators(p), Qt::ToolTipRole);
  }
  retranslate();
  updating_ = false;
  if (!selected.isEmpty()) setCurrent(selected);
}

void ModelPicker::setCurrent(const QString& path) {
  updating_ = true;
  int i = combo_->findData(path);
  if (i < 0) {
    combo_->addItem(displayName(path), path);
    i = combo_->count() - 1;
    combo_->setItemData(i, QDir::toNativeSeparators(path), Qt::ToolTipRole);
  }
  combo_->setCurrentIndex(i);
  updating_ = false;
}

QString ModelPicker::current() const {
  return combo_->currentData().toString();
}

Device ModelPicker::device() const {
  return Device(device_->currentData().toInt());
}

void ModelPicker::setDevice(Device device) {
  device_->setCurrentIndex(device == Device::Cuda && cuda_ ? 1 : 0);
}

bool ModelPicker::reducedPrecision() const {
  return reduced_->isChecked();
}

void ModelPicker::setReducedPrecision(bool on) {
  reduced_->setChecked(on);
}

void ModelPicker::setCudaAvailable(bool available) {
  cuda_ = available;
  if (auto* model = qobject_cast<QStandardItemModel*>(device_->model())) {
    model->item(1)->setEnabled(available);
  }
  if (!available) device_->setCurrentIndex(0);
  retranslate();
}

void ModelPicker::setInfo(const QString& text) {
  info_->setText(text);
}

void ModelPicker::setBusy(bool busy) {
  combo_->setEnabled(!busy);
  browse_->setEnabled(!busy);
  device_->setEnabled(!busy);
  reduced_->setEnabled(!busy);
}

void ModelPicker::chooseFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a diffusers model folder"),
                                                        QFileInfo(current()).absolutePath());
  if (!dir.isEmpty()) choose(dir);
}

void ModelPicker::chooseFile() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Choose a single-file checkpoint"),
                                                    QFileInfo(current()).absolutePath(),
                                                    tr("Safetensors checkpoints (*.safetensors)"));
  if (!file.isEmpty()) choose(file);
}

void ModelPicker::choose(const QString& path) {
  setCurrent(path);
  emit modelChosen(path);
}

void ModelPicker::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  QWidget::changeEvent(event);
}

void ModelPicker::retranslate() {
  if (combo_->count() > 0) {
    combo_->setItemText(0, defaultInstalled_ ? tr("Embedded default (hd-shapes)")
                                             : tr("Embedded default (not installed)"));
    combo_->setItemData(0, QDir::toNativeSeparators(defaultPath_), Qt::ToolTipRole);
  }
  combo_->setToolTip(tr("The model: a diffusers folder or a single-file checkpoint"));
  browse_->setToolTip(tr("Open a model folder or checkpoint file"));
  const QList<QAction*> actions = browse_->menu()->actions();
  actions[0]->setText(tr("Model folder (diffusers)…"));
  actions[1]->setText(tr("Checkpoint file (.safetensors)…"));
  deviceLabel_->setText(tr("Device"));
  reduced_->setText(tr("Reduced precision (faster)"));
  reduced_->setToolTip(tr("Runs the UNet in bfloat16 on the CPU or float16 on CUDA: about twice as fast "
                          "for large models, images within a few levels of full precision."));
  device_->setItemText(0, tr("CPU"));
  device_->setItemText(1, cuda_ ? tr("CUDA") : tr("CUDA (not available)"));
}

}  // namespace hdui
