#include "main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "block_grid_view.h"
#include "engine_client.h"
#include "engine_worker.h"
#include "generation_panel.h"
#include "heatmap_grid.h"
#include "highlight_panel.h"
#include "i18n.h"
#include "image_view.h"
#include "latency_plot.h"
#include "mask_view.h"
#include "message_bar.h"
#include "model_picker.h"
#include "progress_status.h"
#include "settings.h"
#include "step_scrubber.h"
#include "token_strip.h"

namespace hdui {

MainWindow::MainWindow(const Options& options, QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("mainWindow"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  client_ = new EngineClient(this);
  connect(client_, &EngineClient::modelLoading, this, &MainWindow::onModelLoading);
  connect(client_, &EngineClient::modelLoaded, this, &MainWindow::onModelLoaded);
  connect(client_, &EngineClient::modelFailed, this, &MainWindow::onModelFailed);
  connect(client_, &EngineClient::runStarted, this, &MainWindow::onRunStarted);
  connect(client_, &EngineClient::stepReady, this, &MainWindow::onStep);
  connect(client_, &EngineClient::runFinished, this, &MainWindow::onRunFinished);
  connect(client_, &EngineClient::runFailed, this, &MainWindow::onRunFailed);
  connect(client_, &EngineClient::runEnded, this, &MainWindow::onRunEnded);
  connect(client_, &EngineClient::remaskReady, this, &MainWindow::onRemaskReady);
  connect(client_, &EngineClient::remaskFailed, this, &MainWindow::onRemaskFailed);

  buildCentral();
  buildDocks();
  buildMenus();
  progress_ = new ProgressStatus(this);
  modelStatus_ = new QLabel(this);
  modelStatus_->setObjectName(QStringLiteral("modelStatus"));
  statusBar()->addWidget(modelStatus_, 1);
  statusBar()->addPermanentWidget(progress_);
  retranslate();
  resize(1440, 920);
  defaultState_ = saveState();
  loadSettings(options);
  updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildCentral() {
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(8, 6, 8, 6);
  layout->setSpacing(6);
  message_ = new MessageBar(central);
  tokens_ = new TokenStrip(central);
  tokens_->setObjectName(QStringLiteral("tokenStrip"));
  layout->addWidget(message_);
  layout->addWidget(tokens_);

  auto* images = new QHBoxLayout;
  images->setSpacing(8);
  image_ = new ImageView(central);
  image_->setObjectName(QStringLiteral("imageView"));
  baseline_ = new ImageView(central);
  baseline_->setObjectName(QStringLiteral("baselineView"));
  baseline_->hide();
  images->addWidget(image_, 1);
  images->addWidget(baseline_, 1);
  layout->addLayout(images, 1);

  // Overlays of the image.
  auto* overlays = new QHBoxLayout;
  overlayLabel_ = new QLabel(central);
  overlays->addWidget(overlayLabel_);
  auto makeToggle = [&](const char* name, int bit) {
    auto* b = new QToolButton(central);
    b->setObjectName(QString::fromLatin1(name));
    b->setCheckable(true);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(b, &QToolButton::toggled, this, [this, bit](bool on) {
      image_->setOverlays(on ? image_->overlays() | bit : image_->overlays() & ~bit);
      baseline_->setOverlays(image_->overlays() & ~ImageView::GridOverlay);
    });
    overlays->addWidget(b);
    return b;
  };
  heatToggle_ = makeToggle("heatToggle", ImageView::HeatOverlay);
  maskToggle_ = makeToggle("maskToggle", ImageView::MaskOverlay);
  gridToggle_ = makeToggle("gridToggle", ImageView::GridOverlay);
  gridLevel_ = new QComboBox(central);
  gridLevel_->setObjectName(QStringLiteral("gridLevel"));
  gridLevel_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(gridLevel_, &QComboBox::currentIndexChanged, this, [this] { updateOverlays(); });
  overlays->addWidget(gridLevel_);
  overlays->addStretch(1);
  // PSNR and speedup of a comparison, under the images on a line of its own.
  compareSummary_ = new QLabel(central);
  compareSummary_->setObjectName(QStringLiteral("compareSummary"));
  compareSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  compareSummary_->setWordWrap(true);
  compareSummary_->setAlignment(Qt::AlignCenter);
  compareSummary_->hide();
  layout->addWidget(compareSummary_);
  layout->addLayout(overlays);

  scrubber_ = new StepScrubber(central);
  scrubber_->setObjectName(QStringLiteral("stepScrubber"));
  layout->addWidget(scrubber_);
  setCentralWidget(central);

  connect(scrubber_, &StepScrubber::positionChanged, this, &MainWindow::showPosition);
  connect(tokens_, &TokenStrip::tokenClicked, this, &MainWindow::focusToken);
  connect(tokens_, &TokenStrip::tokenDoubleClicked, this, [this](int i) {
    const AttentionData& a = shownAttention_;
    if (i < 0 || i >= a.tokens.size() || a.tokens[i].word < 0) return;
    highlight_->toggleWord(a.words.value(a.tokens[i].word));
  });
  connect(image_, &ImageView::hovered, this, &MainWindow::showHoverRanking);
  connect(baseline_, &ImageView::hovered, this, &MainWindow::showHoverRanking);
  connect(image_, &ImageView::hoverLeft, this, [this] { heatmaps_->setHoverRanking(QString()); });
}

void MainWindow::buildDocks() {
  // Controls: model, prompt, generation and highlight settings; Generate and Stop below.
  auto* controls = new QWidget(this);
  auto* col = new QVBoxLayout(controls);
  col->setContentsMargins(8, 4, 8, 8);
  auto* scroll = new QScrollArea(controls);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  auto* inner = new QWidget(scroll);
  auto* innerCol = new QVBoxLayout(inner);
  innerCol->setContentsMargins(0, 0, 4, 0);
  modelLabel_ = new QLabel(inner);
  QFont bold = modelLabel_->font();
  bold.setBold(true);
  modelLabel_->setFont(bold);
  picker_ = new ModelPicker(inner);
  picker_->setObjectName(QStringLiteral("modelPicker"));
  generation_ = new GenerationPanel(inner);
  generation_->setObjectName(QStringLiteral("generationPanel"));
  highlight_ = new HighlightPanel(inner);
  innerCol->addWidget(modelLabel_);
  innerCol->addWidget(picker_);
  innerCol->addSpacing(4);
  innerCol->addWidget(generation_);
  innerCol->addSpacing(4);
  innerCol->addWidget(highlight_);
  innerCol->addStretch(1);
  scroll->setWidget(inner);
  col->addWidget(scroll, 1);
  auto* buttons = new QHBoxLayout;
  generateButton_ = new QPushButton(controls);
  generateButton_->setObjectName(QStringLiteral("generateButton"));
  generateButton_->setDefault(true);
  generateButton_->setMinimumHeight(34);
  QFont big = generateButton_->font();
  big.setBold(true);
  generateButton_->setFont(big);
  stopButton_ = new QPushButton(controls);
  stopButton_->setObjectName(QStringLiteral("stopButton"));
  stopButton_->setMinimumHeight(34);
  buttons->addWidget(generateButton_, 2);
  buttons->addWidget(stopButton_, 1);
  col->addLayout(buttons);
  controls->setMinimumWidth(300);

  auto makeDock = [this](const char* name, QWidget* content, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(this);
    dock->setObjectName(QString::fromLatin1(name));
    dock->setWidget(content);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    return dock;
  };
  setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
  controlsDock_ = makeDock("controlsDock", controls, Qt::LeftDockWidgetArea);
  heatmaps_ = new HeatmapGrid(this);
  heatmaps_->setObjectName(QStringLiteral("heatmapGrid"));
  heatmapsDock_ = makeDock("heatmapsDock", heatmaps_, Qt::RightDockWidgetArea);
  mask_ = new MaskView(this);
  mask_->setObjectName(QStringLiteral("maskView"));
  maskDock_ = makeDock("maskDock", mask_, Qt::RightDockWidgetArea);
  latency_ = new LatencyPlot(this);
  latency_->setObjectName(QStringLiteral("latencyPlotPanel"));
  latencyDock_ = makeDock("latencyDock", latency_, Qt::BottomDockWidgetArea);
  blocks_ = new BlockGridView(this);
  blocks_->setObjectName(QStringLiteral("blockGridView"));
  blocksDock_ = makeDock("blocksDock", blocks_, Qt::BottomDockWidgetArea);
  splitDockWidget(latencyDock_, blocksDock_, Qt::Horizontal);
  stylePrimaryButton();

  connect(generateButton_, &QPushButton::clicked, this, &MainWindow::generate);
  connect(stopButton_, &QPushButton::clicked, this, &MainWindow::stop);
  connect(picker_, &ModelPicker::modelChosen, this, &MainWindow::setModel);
  connect(picker_, &ModelPicker::deviceChosen, this, [this] { setModel(picker_->current()); });
  connect(picker_, &ModelPicker::precisionChosen, this, [this] { setModel(picker_->current()); });
  connect(highlight_, &HighlightPanel::maskOptionsChanged, this, &MainWindow::maybeRemask);
  connect(highlight_->statisticCombo(), &QComboBox::currentIndexChanged, this,
          [this] { tokens_->setStatistic(highlight_->params().statistic); });
  connect(highlight_, &HighlightPanel::changed, this,
          [this] { tokens_->setManualWords(highlight_->params().words); });
  connect(heatmaps_, &HeatmapGrid::tokenClicked, this, &MainWindow::focusToken);
  connect(latency_, &LatencyPlot::stepClicked, this,
          [this](int step) { scrubber_->setPosition(step); });
}

void MainWindow::buildMenus() {
  fileMenu_ = menuBar()->addMenu(QString());
  openAction_ = fileMenu_->addAction(QString(), this, &MainWindow::openImageSettings);
  openAction_->setShortcut(QKeySequence::Open);
  saveAction_ = fileMenu_->addAction(QString(), this, &MainWindow::saveImageAs);
  saveAction_->setShortcut(QKeySequence::Save);
  copyAction_ = fileMenu_->addAction(QString(), this, [this] {
    if (const RunResult* r = record_.result()) {
      QGuiApplication::clipboard()->setImage(r->image);
      statusBar()->showMessage(tr("Copied the image"), 3000);
    }
  });
  copyAction_->setShortcut(QKeySequence::Copy);
  // The image's context menu: save and copy.
  image_->setContextMenuPolicy(Qt::ActionsContextMenu);
  image_->addAction(saveAction_);
  image_->addAction(copyAction_);
  fileMenu_->addSeparator();
  exportHeatmapsAction_ = fileMenu_->addAction(QString(), this, &MainWindow::exportHeatmapsTo);
  exportMaskAction_ = fileMenu_->addAction(QString(), this, &MainWindow::exportMaskTo);
  exportCsvAction_ = fileMenu_->addAction(QString(), this, &MainWindow::exportLatencyCsvTo);
  fileMenu_->addSeparator();
  modelFolderAction_ = fileMenu_->addAction(QString(), picker_, &ModelPicker::chooseFolder);
  modelFileAction_ = fileMenu_->addAction(QString(), picker_, &ModelPicker::chooseFile);
  fileMenu_->addSeparator();
  quitAction_ = fileMenu_->addAction(QString(), this, &QWidget::close);
  quitAction_->setShortcut(QKeySequence::Quit);

  generateMenu_ = menuBar()->addMenu(QString());
  generateAction_ = generateMenu_->addAction(QString(), this, &MainWindow::generate);
  generateAction_->setObjectName(QStringLiteral("generateAction"));
  generateAction_->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
  stopAction_ = generateMenu_->addAction(QString(), this, &MainWindow::stop);
  stopAction_->setObjectName(QStringLiteral("stopAction"));
  generateMenu_->addSeparator();
  escapeAction_ = generateMenu_->addAction(QString());
  escapeAction_->setCheckable(true);
  escapeAction_->setChecked(true);
  connect(escapeAction_, &QAction::toggled, this, &MainWindow::setEscapeStops);
  setEscapeStops(true);

  viewMenu_ = menuBar()->addMenu(QString());
  for (QDockWidget* d : {controlsDock_, heatmapsDock_, maskDock_, blocksDock_, latencyDock_}) {
    viewMenu_->addAction(d->toggleViewAction());
  }
  viewMenu_->addSeparator();
  themeMenu_ = viewMenu_->addMenu(QString());
  themeGroup_ = new QActionGroup(this);
  for (theme::Mode m : {theme::Mode::System, theme::Mode::Light, theme::Mode::Dark}) {
    QAction* a = themeMenu_->addAction(QString());
    a->setCheckable(true);
    a->setData(theme::modeKey(m));
    themeGroup_->addAction(a);
    connect(a, &QAction::triggered, this, [this, m] { setTheme(m); });
  }
  languageMenu_ = viewMenu_->addMenu(QString());
  languageGroup_ = new QActionGroup(this);
  QAction* systemLanguage = languageMenu_->addAction(QString());
  systemLanguage->setCheckable(true);
  systemLanguage->setData(QString());
  languageGroup_->addAction(systemLanguage);
  connect(systemLanguage, &QAction::triggered, this, [this] { setLanguage(QString()); });
  for (const i18n::Language& l : i18n::available()) {
    QAction* a = languageMenu_->addAction(l.nativeName);  // each in its own language
    a->setCheckable(true);
    a->setData(l.code);
    languageGroup_->addAction(a);
    connect(a, &QAction::triggered, this, [this, code = l.code] { setLanguage(code); });
  }
  viewMenu_->addSeparator();
  resetLayoutAction_ = viewMenu_->addAction(QString(), this, [this] {
    restoreState(defaultState_);
    for (QDockWidget* d : {controlsDock_, heatmapsDock_, maskDock_, blocksDock_, latencyDock_}) {
      d->show();
    }
    applyDefaultLayout();
  });

  helpMenu_ = menuBar()->addMenu(QString());
  aboutAction_ = helpMenu_->addAction(QString(), this, [this] {
    QMessageBox::about(
        this, tr("About Highlight Diffusion Studio"),
        tr("<h3>Highlight Diffusion Studio %1</h3>"
           "<p>Fast text-to-image diffusion: cross-attention maps from an early step pick the "
           "region of one prompt token; later steps recompute only that region's blocks.</p>"
           "<p>Engine %2 · libtorch %3 · Qt %4</p><p>CPU: %5</p>")
            .arg(QApplication::applicationVersion(), EngineWorker::engineVersion(),
                 EngineWorker::torchVersion(), QString::fromLatin1(qVersion()),
                 EngineWorker::cpuDescription()));
  });
}

void MainWindow::retranslate() {
  setWindowTitle(tr("Highlight Diffusion Studio"));
  fileMenu_->setTitle(tr("&File"));
  openAction_->setText(tr("&Open Settings from Image…"));
  saveAction_->setText(tr("&Save Image…"));
  copyAction_->setText(tr("&Copy Image"));
  exportHeatmapsAction_->setText(tr("Export &Heatmaps…"));
  exportMaskAction_->setText(tr("Export &Mask and Block Grids…"));
  exportCsvAction_->setText(tr("Export &Latency CSV…"));
  modelFolderAction_->setText(tr("Open Model &Folder…"));
  modelFileAction_->setText(tr("Open &Checkpoint File…"));
  quitAction_->setText(tr("&Quit"));
  generateMenu_->setTitle(tr("&Generate"));
  generateAction_->setText(tr("&Generate"));
  stopAction_->setText(tr("&Stop"));
  escapeAction_->setText(tr("Esc Stops the Generation"));
  viewMenu_->setTitle(tr("&View"));
  themeMenu_->setTitle(tr("&Theme"));
  const QList<QAction*> themes = themeGroup_->actions();
  themes[0]->setText(tr("Follow the System"));
  themes[1]->setText(tr("Light"));
  themes[2]->setText(tr("Dark"));
  languageMenu_->setTitle(tr("&Language"));
  languageGroup_->actions().first()->setText(tr("System Language"));
  resetLayoutAction_->setText(tr("&Reset Layout"));
  helpMenu_->setTitle(tr("&Help"));
  aboutAction_->setText(tr("&About Highlight Diffusion Studio"));

  controlsDock_->setWindowTitle(tr("Generation"));
  heatmapsDock_->setWindowTitle(tr("Cross-Attention Heatmaps"));
  maskDock_->setWindowTitle(tr("Mask"));
  blocksDock_->setWindowTitle(tr("Active Blocks"));
  latencyDock_->setWindowTitle(tr("Step Latency"));
  modelLabel_->setText(tr("Model"));
  generateButton_->setText(tr("Generate"));
  generateButton_->setToolTip(tr("Generate an image (Ctrl+Enter)"));
  stopButton_->setText(tr("Stop"));
  stopButton_->setToolTip(escapeAction_->isChecked() ? tr("Stop within one step (Esc)")
                                                     : tr("Stop within one step"));
  overlayLabel_->setText(tr("Overlays:"));
  heatToggle_->setText(tr("Heatmap"));
  heatToggle_->setToolTip(tr("The selected token's attention map over the image"));
  maskToggle_->setText(tr("Mask"));
  maskToggle_->setToolTip(tr("The refined mask over the image"));
  gridToggle_->setText(tr("Blocks"));
  gridToggle_->setToolTip(tr("The active tiles of one resolution over the image"));
  gridLevel_->setToolTip(tr("Which resolution's block grid to draw"));
  image_->setTitle(baseline_->isHidden() ? QString() : tr("Highlight"));
  baseline_->setTitle(tr("Dense baseline"));
  image_->setPlaceholder(tr("Write a prompt and press Generate (Ctrl+Enter)."));
  baseline_->setPlaceholder(tr("The dense baseline runs after the highlight run."));
  updateModelTexts();
  updateCompareSummary();
  showPosition(scrubber_->position());
}

void MainWindow::loadSettings(const Options& options) {
  Settings s;
  const QString defaultModel = EngineWorker::defaultModelPath();
  const bool defaultInstalled = QFileInfo::exists(defaultModel);
  picker_->setDefaultModel(defaultModel, defaultInstalled);
  picker_->setCudaAvailable(EngineWorker::cudaAvailable());
  QString model = options.model;
  if (options.restoreSettings) {
    restoreGeometry(s.geometry());
    layoutRestored_ = restoreState(s.windowState());
    const GenerationParams p = s.params();
    generation_->setParams(p);
    generation_->setSeedMode(s.seedMode());
    highlight_->setParams(p.highlight);
    highlight_->setCompareDense(p.compareDense);
    lastSeed_ = s.lastSeed();
    generation_->setUsedSeed(lastSeed_);
    picker_->setRecent(s.recentModels());
    picker_->setDevice(s.device());
    picker_->setReducedPrecision(s.reducedPrecision());
    setEscapeStops(s.escapeStops());
    escapeAction_->setChecked(s.escapeStops());
    setOverlays(s.overlays());
    if (model.isEmpty()) model = s.modelPath();
  } else {
    GenerationParams p;
    p.prompt = QStringLiteral("a red star above a blue house");
    generation_->setParams(p);
    generation_->setSeedMode(SeedMode::Random);
    picker_->setReducedPrecision(Settings::defaultReducedPrecision());
  }
  tokens_->setStatistic(highlight_->params().statistic);
  tokens_->setManualWords(highlight_->params().words);
  themeMode_ = s.theme();
  language_ = s.language();
  if (options.restoreSettings) {
    theme::apply(themeMode_);
    i18n::install(language_);
  }
  for (QAction* a : themeGroup_->actions())
    a->setChecked(a->data().toString() == theme::modeKey(themeMode_));
  for (QAction* a : languageGroup_->actions()) a->setChecked(a->data().toString() == language_);

  if (model.isEmpty()) model = defaultModel;
  picker_->setCurrent(model);
  if (model == defaultModel && !defaultInstalled) {
    message_->showMessage(
        MessageBar::Warning,
        tr("The embedded default model is not installed (expected in %1). Choose a diffusers "
           "model folder or a single-file checkpoint.")
            .arg(QDir::toNativeSeparators(defaultModel)),
        tr("Choose Model…"), [this] { chooseModelFolder(); });
    modelStatus_->setText(tr("No model loaded"));
  } else if (options.loadModel) {
    setModel(model);
  }
}

void MainWindow::saveSettings() {
  Settings s;
  s.setWindow(saveGeometry(), saveState());
  GenerationParams p = generation_->params(lastSeed_);
  if (generation_->seedMode() != SeedMode::Fixed) p.seed = s.params().seed;
  p.highlight = highlight_->params();
  p.compareDense = highlight_->compareDense();
  s.setParams(p);
  s.setSeedMode(generation_->seedMode());
  s.setLastSeed(lastSeed_);
  if (!model_.path.isEmpty()) s.setModelPath(model_.path);
  s.setDevice(picker_->device());
  s.setReducedPrecision(picker_->reducedPrecision());
  s.setTheme(themeMode_);
  s.setLanguage(language_);
  s.setEscapeStops(escapeAction_->isChecked());
  s.setOverlays(image_->overlays());
  s.sync();
}

void MainWindow::updateActions() {
  const bool busy = client_->busy();
  generateAction_->setEnabled(!busy);
  generateButton_->setEnabled(!busy);
  stopAction_->setEnabled(busy);
  stopButton_->setEnabled(busy);
  picker_->setBusy(busy || client_->loadingModel());
  const bool hasImage = record_.result() != nullptr;
  saveAction_->setEnabled(hasImage && !busy);
  copyAction_->setEnabled(hasImage);
  exportHeatmapsAction_->setEnabled(record_.hasAttention());
  exportMaskAction_->setEnabled(record_.hasAttention());
  exportCsvAction_->setEnabled(record_.stepCount() > 0);
}

void MainWindow::chooseModelFolder() {
  picker_->chooseFolder();
}

void MainWindow::setLanguage(const QString& code) {
  language_ = code;
  i18n::install(code);
  for (QAction* a : languageGroup_->actions()) a->setChecked(a->data().toString() == code);
}

void MainWindow::setTheme(theme::Mode mode) {
  themeMode_ = mode;
  theme::apply(mode);
  for (QAction* a : themeGroup_->actions())
    a->setChecked(a->data().toString() == theme::modeKey(mode));
}

void MainWindow::setEscapeStops(bool on) {
  stopAction_->setShortcut(on ? QKeySequence(Qt::Key_Escape) : QKeySequence());
  if (stopButton_) {
    stopButton_->setToolTip(on ? tr("Stop within one step (Esc)") : tr("Stop within one step"));
  }
}

void MainWindow::setOverlays(int overlays) {
  heatToggle_->setChecked(overlays & ImageView::HeatOverlay);
  maskToggle_->setChecked(overlays & ImageView::MaskOverlay);
  gridToggle_->setChecked(overlays & ImageView::GridOverlay);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (client_->busy()) client_->cancel();
  saveSettings();
  event->accept();
}

void MainWindow::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslate();
  if (event->type() == QEvent::PaletteChange) stylePrimaryButton();
  QMainWindow::changeEvent(event);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (!shownOnce_) {
    shownOnce_ = true;
    // Dock sizes only apply once the window has its size.
    if (!layoutRestored_) QTimer::singleShot(0, this, &MainWindow::applyDefaultLayout);
  }
}

void MainWindow::applyDefaultLayout() {
  resizeDocks({controlsDock_, heatmapsDock_}, {345, 330}, Qt::Horizontal);
  resizeDocks({heatmapsDock_, maskDock_}, {400, 360}, Qt::Vertical);
  resizeDocks({latencyDock_, blocksDock_}, {560, 400}, Qt::Horizontal);
  resizeDocks({latencyDock_}, {255}, Qt::Vertical);
}

void MainWindow::stylePrimaryButton() {
  if (!generateButton_) return;
  // Generate in the accent colour, like the primary action of a dialog.
  QPalette pal = palette();
  const QColor accent = theme::accent(pal).darker(theme::isDark(pal) ? 125 : 108);
  pal.setColor(QPalette::Button, accent);
  pal.setColor(QPalette::ButtonText, pal.color(QPalette::HighlightedText));
  pal.setColor(QPalette::Disabled, QPalette::Button,
               theme::mix(accent, pal.color(QPalette::Window), 0.6));
  pal.setColor(QPalette::Disabled, QPalette::ButtonText, pal.color(QPalette::HighlightedText));
  generateButton_->setPalette(pal);
}

}  // namespace hdui
