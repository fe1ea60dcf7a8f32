"""The interface language: English or Hindi, chosen per request.

Which language a page is in (the contract's "Interface language"): the signed-in user's
``ui_language``; else a ``?lang=hi|en`` given on any page, remembered in the session; else
the best match of the browser's Accept-Language; else English. The API stays English
whatever is chosen: its messages are the contract, and only web pages translate.

Strings are marked with ``_``/``gettext`` in templates, ``gettext``/``lazy_gettext`` in web
code, and ``N_`` where a service writes a sentence the API sends in English and a page shows
translated (the page looks it up in the catalogue: ``helpdesk.i18n.translate``).

``helpdesk.i18n.app`` binds Flask-Babel to the app; ``labels`` names statuses, roles and
fields; ``validation`` words pydantic's errors; ``errors`` shows a service's refusal;
``js_strings`` is the scripts' catalogue.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from flask import has_request_context, request, session
from flask_babel import get_locale, gettext
from flask_login import current_user

#: interface languages, as BCP 47 tags; the first is the default
SUPPORTED = ("en", "hi")
DEFAULT = SUPPORTED[0]
#: each language's name as its readers write it (the header's switcher)
NATIVE_NAMES = {"en": "English", "hi": "हिन्दी"}
#: where ``?lang`` is remembered in Flask's session
SESSION_KEY = "lang"
TRANSLATIONS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "translations"
)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it: services raise errors in
    English (the API's language) and pages translate them with ``translate``."""
    return message


def translate(message) -> str:
    """``message`` in the page's language when the catalogue has it, else as it is (a
    name, a number, or a sentence already translated)."""
    if message is None or message == "":
        return ""
    return gettext(str(message)) if str(get_locale()) != DEFAULT else str(message)


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT  # jobs and the command line write in English
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "ui_language", None)
        if chosen in SUPPORTED:
            return chosen
    remembered = session.get(SESSION_KEY)
    if remembered in SUPPORTED:
        return remembered
    return request.accept_languages.best_match(SUPPORTED) or DEFAULT


def requested_language() -> str | None:
    """The language a ``?lang=`` on this page asks for, if it names one we have."""
    lang = request.args.get("lang")
    return lang if lang in SUPPORTED else None


def remember_requested_language() -> None:
    """A ``?lang=`` on a page is remembered for the rest of the session."""
    lang = requested_language()
    if lang is not None and not request.path.startswith(("/api/", "/static/")):
        session[SESSION_KEY] = lang


@contextmanager
def language_kept_across_sign_in() -> Iterator[None]:
    """Signing in or out empties the session (no session id survives it); the language the
    person was reading in is put back afterwards, so the next page is in it too."""
    lang = str(get_locale())
    yield
    session[SESSION_KEY] = lang


def language_url(lang: str) -> str:
    """This page again in ``lang``: the same path and query, ``lang`` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode(args + [('lang', lang)])}"
