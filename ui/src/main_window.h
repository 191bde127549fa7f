// MainWindow: Highlight Diffusion Studio's window. Controls on the left; the token strip, the
// image (and the dense baseline when comparing) with its overlays and the step scrubber in the
// middle; heatmaps and mask on the right; latency and block grids below. Everything shown
// comes from engine events through EngineClient; RunRecord keeps them for replay.
//
// main_window.cpp: layout, menus, settings; main_window_run.cpp: generation, step display,
// re-masking; main_window_files.cpp: save, export, restore from PNG, drag and drop.
#pragma once

#include <QMainWindow>
#include <QPointer>

#include "png_metadata.h"
#include "run_record.h"
#include "theme.h"
#include "types.h"

class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QPushButton;
class QToolButton;

namespace hdui {

class BlockGridView;
class EngineClient;
class GenerationPanel;
class HeatmapGrid;
class HighlightPanel;
class ImageView;
class LatencyPlot;
class MaskView;
class MessageBar;
class ModelPicker;
class ProgressStatus;
class StepScrubber;
class TokenStrip;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  struct Options {
    bool restoreSettings = true;  // window layout and last settings from QSettings
    QString model;                // overrides the saved model; empty: saved or default
    bool loadModel = true;        // load the model at start
  };

  explicit MainWindow(const Options& options, QWidget* parent = nullptr);
  MainWindow() : MainWindow(Options{}) {}
  ~MainWindow() override;

  // Loads a model (folder or .safetensors) on the worker thread.
  void setModel(const QString& path);
  bool isGenerating() const;
  bool modelReady() const;
  const RunRecord& record() const { return record_; }
  const ModelInfoData& modelInfo() const { return model_; }
  ImageMetadata metadata() const;
  int remaskCount() const { return remaskCount_; }
  int position() const;  // the scrubber's position

  EngineClient* engine() const { return client_; }
  GenerationPanel* generationPanel() const { return generation_; }
  HighlightPanel* highlightPanel() const { return highlight_; }
  ModelPicker* modelPicker() const { return picker_; }
  TokenStrip* tokenStrip() const { return tokens_; }
  HeatmapGrid* heatmapGrid() const { return heatmaps_; }
  MaskView* maskView() const { return mask_; }
  BlockGridView* blockGridView() const { return blocks_; }
  LatencyPlot* latencyPlot() const { return latency_; }
  ImageView* imageView() const { return image_; }
  ImageView* baselineView() const { return baseline_; }
  StepScrubber* stepScrubber() const { return scrubber_; }
  MessageBar* messageBar() const { return message_; }
  ProgressStatus* progressStatus() const { return progress_; }
  QAction* generateAction() const { return generateAction_; }
  QAction* stopAction() const { return stopAction_; }

 public slots:
  void generate();
  void stop();
  bool saveImage(const QString& path);
  bool restoreFromImage(const QString& path);
  bool exportHeatmaps(const QString& dir);
  bool exportMask(const QString& dir);
  bool exportLatencyCsv(const QString& path);
  void setLanguage(const QString& code);
  void setTheme(hdui::theme::Mode mode);
  void setEscapeStops(bool on);
  // ImageView::Overlay bits: the heatmap, mask and block grid over the image.
  void setOverlays(int overlays);

 signals:
  void modelLoadFinished(bool ok);
  // After the last pass of a generation, whether it finished, failed or was stopped.
  void generationEnded(bool ok);
  void remaskApplied();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void changeEvent(QEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // main_window.cpp
  void buildCentral();
  void buildDocks();
  void buildMenus();
  void retranslate();
  void loadSettings(const Options& options);
  void saveSettings();
  void updateActions();
  void chooseModelFolder();
  void updateModelTexts();
  void applyDefaultLayout();
  void stylePrimaryButton();

  // main_window_run.cpp
  void onModelLoading(const QString& path);
  void onModelLoaded(const hdui::ModelInfoData& info);
  void onModelFailed(const QString& path, const QString& message);
  void onRunStarted(quint64 runId, hdui::Pass pass, int totalSteps);
  void onStep(const hdui::StepData& step);
  void onRunFinished(const hdui::RunResult& result);
  void onRunFailed(quint64 runId, hdui::Pass pass, const QString& message, bool cancelled);
  void onRunEnded(quint64 runId);
  void showPosition(int position);
  void showAttention(const AttentionData& attention, bool stale);
  void updateOverlays();
  void focusToken(int index);
  void showHoverRanking(double u, double v, const QPoint& globalPos);
  void maybeRemask();
  void onRemaskReady(quint64 id, const hdui::AttentionData& attention);
  void onRemaskFailed(quint64 id, const QString& message);
  void updateCompareSummary();
  int shownStep() const;  // the highlight step behind the scrubber's position, -1: none

  // main_window_files.cpp
  void saveImageAs();
  void openImageSettings();
  void exportHeatmapsTo();
  void exportMaskTo();
  void exportLatencyCsvTo();
  void applyMetadata(const ImageMetadata& meta, const QString& source);

  EngineClient* client_ = nullptr;
  RunRecord record_;
  ModelInfoData model_;
  qint64 lastSeed_ = -1;
  bool pendingGenerate_ = false;
  bool lastRunOk_ = false;
  quint64 remaskRun_ = 0;

  // Re-masking after a run.
  quint64 remaskInFlight_ = 0;
  HighlightParams remaskOptions_;
  bool remaskPending_ = false;
  bool remaskUnavailableShown_ = false;
  int remaskCount_ = 0;

  // What the panels show (to skip redundant updates while steps stream in).
  int shownReportStep_ = -2;
  int shownRemaskSerial_ = -1;
  int remaskSerial_ = 0;
  AttentionData shownAttention_;
  int focusedToken_ = -1;
  bool focusedByUser_ = false;

  // Widgets.
  MessageBar* message_ = nullptr;
  TokenStrip* tokens_ = nullptr;
  ImageView* image_ = nullptr;
  ImageView* baseline_ = nullptr;
  QLabel* compareSummary_ = nullptr;
  QToolButton* heatToggle_ = nullptr;
  QToolButton* maskToggle_ = nullptr;
  QToolButton* gridToggle_ = nullptr;
  QComboBox* gridLevel_ = nullptr;
  StepScrubber* scrubber_ = nullptr;
  GenerationPanel* generation_ = nullptr;
  HighlightPanel* highlight_ = nullptr;
  ModelPicker* picker_ = nullptr;
  QPushButton* generateButton_ = nullptr;
  QPushButton* stopButton_ = nullptr;
  HeatmapGrid* heatmaps_ = nullptr;
  MaskView* mask_ = nullptr;
  BlockGridView* blocks_ = nullptr;
  LatencyPlot* latency_ = nullptr;
  ProgressStatus* progress_ = nullptr;
  QLabel* modelStatus_ = nullptr;
  QLabel* modelLabel_ = nullptr;
  QLabel* overlayLabel_ = nullptr;
  QDockWidget* controlsDock_ = nullptr;
  QDockWidget* heatmapsDock_ = nullptr;
  QDockWidget* maskDock_ = nullptr;
  QDockWidget* blocksDock_ = nullptr;
  QDockWidget* latencyDock_ = nullptr;
  QByteArray defaultState_;
  bool layoutRestored_ = false;
  bool shownOnce_ = false;

  // Menus and actions.
  QMenu* fileMenu_ = nullptr;
  QMenu* generateMenu_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  QMenu* themeMenu_ = nullptr;
  QMenu* languageMenu_ = nullptr;
  QMenu* helpMenu_ = nullptr;
  QAction* openAction_ = nullptr;
  QAction* saveAction_ = nullptr;
  QAction* copyAction_ = nullptr;
  QAction* exportHeatmapsAction_ = nullptr;
  QAction* exportMaskAction_ = nullptr;
  QAction* exportCsvAction_ = nullptr;
  QAction* modelFolderAction_ = nullptr;
  QAction* modelFileAction_ = nullptr;
  QAction* quitAction_ = nullptr;
  QAction* generateAction_ = nullptr;
  QAction* stopAction_ = nullptr;
  QAction* escapeAction_ = nullptr;
  QAction* resetLayoutAction_ = nullptr;
  QAction* aboutAction_ = nullptr;
  QActionGroup* themeGroup_ = nullptr;
  QActionGroup* languageGroup_ = nullptr;
  theme::Mode themeMode_ = theme::Mode::System;
  QString language_;
};

}  // namespace hdui
