"""What every web page shares: Jinja filters (times in IST, in the page's language),
per-role navigation, error pages."""

from datetime import date, datetime

from flask import Flask, render_template
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from helpdesk.i18n import translate
from helpdesk.i18n.durations import due_in, duration, working_duration
from helpdesk.i18n.labels import (
    ROLES,
    by_category_name,
    category_name,
    channel_label,
    event_field_label,
    field_label,
    priority_label,
    role_label,
    sla_target_label,
    status_label,
)
from helpdesk.languages import LANGUAGES
from helpdesk.timeutil import isoformat, utcnow

#: (endpoint, label, access key) per role; the base template draws the navigation from it
KNOWLEDGE_BASE = ("knowledge.browse", _l("Knowledge base"), "k")
CONSOLE = ("console.live_queue", _l("Console"), "c")
CALLS = ("calls.log", _l("Calls"), "p")
REPORTS = ("reports.sla", _l("Reports"), "r")
SLA_ADMIN = ("sla_admin.index", _l("SLA"), "a")
ENTERPRISES = ("enterprises.index", _l("Enterprises"), "n")
RESPONSES = ("replies.index", _l("Responses"), "t")
SETTINGS = ("administration.blocks", _l("Settings"), "b")
#: what every call-centre desk (agent, manager, admin) works with, in this order
DESK = [
    CONSOLE,
    ("tickets.queue", _l("Queue"), "q"),
    ("tickets.new", _l("Log a call"), "l"),
    CALLS,
    KNOWLEDGE_BASE,
    ENTERPRISES,
    RESPONSES,
]
NAVIGATION: dict[str, list[tuple[str, str, str]]] = {
    "agent": DESK,
    "manager": [*DESK, REPORTS, SLA_ADMIN, SETTINGS],
    "admin": [
        *DESK,
        REPORTS,
        SLA_ADMIN,
        SETTINGS,
        ("console_admin.settings", _l("Console settings"), "s"),
        ("users_admin.index", _l("Users"), "u"),
    ],
    "mentor": [
        ("tickets.mentor_queue", _l("Escalated to me"), "e"),
        CONSOLE,
        ("tickets.queue", _l("Queue"), "q"),
        KNOWLEDGE_BASE,
        ENTERPRISES,
        RESPONSES,
    ],
    "brc": [
        ("portal.home", _l("My block"), "m"),
        ("portal.new", _l("Raise a ticket"), "r"),
        KNOWLEDGE_BASE,
        ENTERPRISES,
    ],
}

#: each role's name in the page's language (helpdesk.i18n.labels)
ROLE_NAMES = ROLES

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("Not allowed here"),
    409: _l("That change is not possible"),
    410: _l("This link has expired"),
    413: _l("That was too large"),
    422: _l("Some details are not valid"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("Please try again in a moment"),
}

#: Babel date patterns (CLDR): month names in the page's language, 24-hour times
DATETIME = "d MMM y, HH:mm"
DATETIME_SECONDS = "d MMM y, HH:mm:ss"


def ist(value: datetime | None, fmt: str = DATETIME) -> str:
    """A UTC timestamp as the call-centre reads it: Asia/Kolkata wall-clock time (Babel's
    timezone, BABEL_DEFAULT_TIMEZONE), month names in the page's language."""
    return format_datetime(value, fmt) if value else "—"


def ist_date(value: date | None, fmt: str = "d MMM y") -> str:
    """A calendar day (no time, no timezone) in the page's language."""
    return format_date(value, fmt) if value else "—"


def ist_time(value: datetime | None, fmt: str = DATETIME) -> Markup:
    """``<time>`` with the machine-readable instant and the IST text."""
    if value is None:
        return Markup("—")
    return Markup('<time datetime="{}" title="{} IST">{}</time>').format(
        isoformat(value), ist(value, DATETIME_SECONDS), ist(value, fmt)
    )


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, as a queue shows it: 4 min, 3 h, 2 d."""
    if value is None:
        return "—"
    minutes = max(0, int(((now or utcnow()) - value).total_seconds() // 60))
    if minutes < 1:
        return gettext("just now")
    if minutes < 60:
        return gettext("%(n)s min", n=minutes)
    if minutes < 48 * 60:
        return gettext("%(n)s h", n=minutes // 60)
    return gettext("%(n)s d", n=minutes // (24 * 60))


def number(value: int | float | None) -> str:
    """A count as the page's language groups digits (Hindi: 1,00,000)."""
    return format_decimal(value or 0)


def language_names() -> dict[str, str]:
    """Each language as pickers show it: its own name, then in brackets its name in the
    page's language ("മലയാളം (Malayalam)", "മലയാളം (मलयालम)"), from Babel's CLDR data."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return LANGUAGES
    names = {}
    for code, label in LANGUAGES.items():
        native, local = label.split(" (")[0], locale.languages.get(code)
        names[code] = native if not local or local == native else f"{native} ({local})"
    return names


def language_name(code: str | None) -> str:
    return language_names().get(code or "", code or "—")


def multiline(text: str | None) -> Markup:
    """Plain text with its line breaks kept; everything escaped."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


def count_label(value: int | None) -> str:
    """A status count as a tab shows it: "10,000+" once it passed the counting cap."""
    from helpdesk.tickets.queries import STATUS_COUNT_CAP

    value = value or 0
    return f"{number(STATUS_COUNT_CAP)}+" if value > STATUS_COUNT_CAP else number(value)


def combine(mapping: dict, **changes) -> dict:
    """``mapping`` with ``changes`` applied, empty values dropped: tidy query strings."""
    return {k: v for k, v in (dict(mapping) | changes).items() if v not in (None, "")}


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        ist=ist,
        ist_date=ist_date,
        ist_time=ist_time,
        number=number,
        t=translate,
        status_label=status_label,
        priority_label=priority_label,
        channel_label=channel_label,
        role_label=role_label,
        category_name=category_name,
        by_category_name=by_category_name,
        event_field_label=event_field_label,
        field_label=field_label,
        sla_target_label=sla_target_label,
        age=age,
        duration=duration,
        working_duration=working_duration,
        due_in=due_in,
        language_name=language_name,
        multiline=multiline,
        combine=combine,
        count_label=count_label,
        zip=lambda a, b: list(zip(a, b)),
    )
    app.jinja_env.globals.update(
        translate=translate, status_label=status_label, priority_label=priority_label
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def navigation() -> dict:
        items = NAVIGATION.get(current_user.role, []) if current_user.is_authenticated else []
        return {"nav_items": items, "role_names": ROLE_NAMES, "languages": language_names()}


def render_error_page(status: int, message: str | None = None):
    """A friendly HTML error page; falls back to text if even the template cannot render."""
    title = ERROR_TITLES.get(status, _l("Something went wrong"))
    try:
        # translating asks for the person's language, which may need the database that failed
        title = str(title)
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status
    except Exception:  # noqa: BLE001 (the error page must never become a second failure)
        english = title._args[0] if hasattr(title, "_args") else title
        return f"{status} {english}", status
