// hd-studio: the Qt 6 desktop application (see ui/).
#include "studio_app.h"

int main(int argc, char** argv) {
  return hdui::runStudio(argc, argv);
}
