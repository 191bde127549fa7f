#include "i18n.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace hdui::i18n {
namespace {

QTranslator& appTranslator() {
  static QTranslator t;
  return t;
}

QTranslator& qtTranslator() {
  static QTranslator t;
  return t;
}

QString& currentCode() {
  static QString code = QStringLiteral("en");
  return code;
}

}  // namespace

QList<Language> available() {
  return {{QStringLiteral("en"), QStringLiteral("English")},
          {QStringLiteral("de"), QStringLiteral("Deutsch")},
          {QStringLiteral("ko"), QStringLiteral("한국어")}};
}

QString install(const QString& requested) {
  QString code = requested;
  if (code.isEmpty()) {
    code = QStringLiteral("en");
    for (const QString& ui : QLocale::system().uiLanguages()) {
      const QString lang = ui.section(u'-', 0, 0).section(u'_', 0, 0).toLower();
      bool known = false;
      for (const Language& l : available()) known = known || l.code == lang;
      if (known) {
        code = lang;
        break;
      }
    }
  }
  QCoreApplication::removeTranslator(&appTranslator());
  QCoreApplication::removeTranslator(&qtTranslator());
  if (code != QLatin1String("en")) {
    if (appTranslator().load(QStringLiteral(":/i18n/hd_studio_%1.qm").arg(code))) {
      QCoreApplication::installTranslator(&appTranslator());
    } else {
      code = QStringLiteral("en");
    }
    // Qt's own strings (standard dialogs, context menus) when the system has them.
    if (qtTranslator().load(QStringLiteral("qtbase_%1").arg(code),
                            QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
      QCoreApplication::installTranslator(&qtTranslator());
    }
  }
  QLocale::setDefault(QLocale(code));
  currentCode() = code;
  if (code == QLatin1String("en")) {
    // Nothing was installed or removed that would notify the widgets; tell them.
    QEvent event(QEvent::LanguageChange);
    QCoreApplication::sendEvent(QCoreApplication::instance(), &event);
  }
  return code;
}

QString current() {
  return currentCode();
}

}  // namespace hdui::i18n
