// The application around MainWindow: names, icon, command line, and the scripted mode used by
// packaging/screenshot.sh (generate once, save a screenshot, quit). app/gui/main.cpp calls it.
#pragma once

namespace hdui {

int runStudio(int argc, char** argv);

}  // namespace hdui
