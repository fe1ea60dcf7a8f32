"""What every web page shares: Jinja filters (times in IST), per-role navigation, error pages."""

from datetime import datetime

from flask import Flask, render_template
from flask_login import current_user
from markupsafe import Markup, escape

from helpdesk.languages import LANGUAGES
from helpdesk.timeutil import as_ist, isoformat, utcnow

#: (endpoint, label, access key) per role; the base template draws the navigation from it
KNOWLEDGE_BASE = ("knowledge.browse", "Knowledge base", "k")
CONSOLE = ("console.live_queue", "Console", "c")
CALLS = ("calls.log", "Calls", "p")
REPORTS = ("reports.sla", "Reports", "r")
SLA_ADMIN = ("sla_admin.index", "SLA", "a")
SETTINGS = ("administration.blocks", "Settings", "b")
NAVIGATION: dict[str, list[tuple[str, str, str]]] = {
    "agent": [
        CONSOLE,
        ("tickets.queue", "Queue", "q"),
        ("tickets.new", "Log a call", "l"),
        CALLS,
        KNOWLEDGE_BASE,
    ],
    "manager": [
        CONSOLE,
        ("tickets.queue", "Queue", "q"),
        ("tickets.new", "Log a call", "l"),
        CALLS,
        KNOWLEDGE_BASE,
        REPORTS,
        SLA_ADMIN,
        SETTINGS,
    ],
    "admin": [
        CONSOLE,
        ("tickets.queue", "Queue", "q"),
        ("tickets.new", "Log a call", "l"),
        CALLS,
        KNOWLEDGE_BASE,
        REPORTS,
        SLA_ADMIN,
        SETTINGS,
        ("console_admin.settings", "Console settings", "s"),
        ("users_admin.index", "Users", "u"),
    ],
    "mentor": [
        ("tickets.mentor_queue", "Escalated to me", "e"),
        CONSOLE,
        ("tickets.queue", "Queue", "q"),
        KNOWLEDGE_BASE,
    ],
    "brc": [
        ("portal.home", "My block", "m"),
        ("portal.new", "Raise a ticket", "r"),
        KNOWLEDGE_BASE,
    ],
}

ROLE_NAMES = {
    "agent": "Call-centre agent",
    "mentor": "Mentor",
    "brc": "BRC staff",
    "manager": "Manager",
    "admin": "Administrator",
}

ERROR_TITLES = {
    400: "The request could not be understood",
    403: "You may not open this page",
    404: "Page not found",
    405: "Not allowed here",
    409: "That change is not possible",
    413: "That was too large",
    422: "Some details are not valid",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "Busy, try again",
}


def ist(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A UTC timestamp as the call-centre reads it: Asia/Kolkata wall-clock time."""
    return as_ist(value).strftime(fmt) if value else "—"


def ist_time(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> Markup:
    """``<time>`` with the machine-readable instant and the IST text."""
    if value is None:
        return Markup("—")
    return Markup('<time datetime="{}" title="{} IST">{}</time>').format(
        isoformat(value), ist(value, "%d %b %Y %H:%M:%S"), ist(value, fmt)
    )


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, as a queue shows it: 4 min, 3 h, 2 d."""
    if value is None:
        return "—"
    minutes = max(0, int(((now or utcnow()) - value).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def language_name(code: str | None) -> str:
    return LANGUAGES.get(code or "", code or "—")


def multiline(text: str | None) -> Markup:
    """Plain text with its line breaks kept; everything escaped."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


def count_label(value: int | None) -> str:
    """A status count as a tab shows it: "10,000+" once it passed the counting cap."""
    from helpdesk.tickets.queries import STATUS_COUNT_CAP

    value = value or 0
    return f"{STATUS_COUNT_CAP:,}+" if value > STATUS_COUNT_CAP else str(value)


def combine(mapping: dict, **changes) -> dict:
    """``mapping`` with ``changes`` applied, empty values dropped: tidy query strings."""
    return {k: v for k, v in (dict(mapping) | changes).items() if v not in (None, "")}


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        ist=ist,
        ist_time=ist_time,
        age=age,
        language_name=language_name,
        multiline=multiline,
        combine=combine,
        count_label=count_label,
        zip=lambda a, b: list(zip(a, b)),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def navigation() -> dict:
        items = NAVIGATION.get(current_user.role, []) if current_user.is_authenticated else []
        return {"nav_items": items, "role_names": ROLE_NAMES, "languages": LANGUAGES}


def render_error_page(status: int, message: str | None = None):
    """A friendly HTML error page; falls back to text if even the template cannot render."""
    title = ERROR_TITLES.get(status, "Something went wrong")
    try:
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status
    except Exception:  # noqa: BLE001 (the error page must never become a second failure)
        return f"{status} {title}", status
