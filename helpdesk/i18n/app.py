"""Flask-Babel bound to the app: the locale each request gets, and what every page needs to
show and switch its language."""

from flask import Flask
from flask_babel import get_locale

from helpdesk.extensions import babel
from helpdesk.i18n import (
    DEFAULT,
    NATIVE_NAMES,
    SUPPORTED,
    TRANSLATIONS_DIR,
    language_url,
    remember_requested_language,
    select_locale,
)
from helpdesk.i18n.js_strings import js_catalogue


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Kolkata")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_requested_language)

    @app.context_processor
    def language_context() -> dict:
        return {
            "html_lang": str(get_locale()),
            "language_choices": [(code, NATIVE_NAMES[code]) for code in SUPPORTED],
            "language_url": language_url,
            "js_catalogue": js_catalogue,
        }
