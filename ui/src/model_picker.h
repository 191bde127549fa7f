// ModelPicker: the model (the embedded default, recent models, or a diffusers folder or
// single-file checkpoint chosen by the user), the device (CPU; CUDA when built and present) and
// the UNet's precision (full, or reduced: bfloat16 on CPUs, float16 on CUDA).
#pragma once

#include <QWidget>

#include "types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QToolButton;

namespace hdui {

class ModelPicker : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPicker(QWidget* parent = nullptr);

  // The embedded default's path (listed first even when it is not installed yet).
  void setDefaultModel(const QString& path, bool installed);
  void setRecent(const QStringList& paths);
  // Selects `path`, adding it to the list when it is new. Emits nothing.
  void setCurrent(const QString& path);
  QString current() const;
  Device device() const;
  void setDevice(Device device);
  bool reducedPrecision() const;
  void setReducedPrecision(bool on);  // emits nothing
  void setCudaAvailable(bool available);
  void setInfo(const QString& text);
  void setBusy(bool busy);

  QComboBox* modelCombo() const { return combo_; }

 public slots:
  void chooseFolder();
  void chooseFile();

 signals:
  void modelChosen(const QString& path);
  void deviceChosen(hdui::Device device);
  void precisionChosen(bool reduced);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void retranslate();
  void choose(const QString& path);

  QComboBox* combo_ = nullptr;
  QToolButton* browse_ = nullptr;
  QComboBox* device_ = nullptr;
  QLabel* deviceLabel_ = nullptr;
  QCheckBox* reduced_ = nullptr;
  QLabel* info_ = nullptr;
  QString defaultPath_;
  bool defaultInstalled_ = false;
  bool cuda_ = false;
  bool updating_ = false;
};

}  // namespace hdui
