// Languages: the translations compiled into the application (Qt Linguist .ts files under
// translations/, built into the :/i18n resource by qt_add_translations).
#pragma once

#include <QList>
#include <QString>

namespace hdui::i18n {

struct Language {
  QString code;        // "en", "de", "ko"
  QString nativeName;  // "English", "Deutsch", "한국어"
};

QList<Language> available();

// Installs the translation for `code` ("" follows the system's locale) and returns the code
// in effect. Widgets receive QEvent::LanguageChange and retranslate themselves.
QString install(const QString& code);

// The language in effect.
QString current();

}  // namespace hdui::i18n
