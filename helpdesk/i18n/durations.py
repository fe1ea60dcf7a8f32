"""Lengths of time as people read them, in the page's language: "2 d 4 h" / "2 दिन 4 घंटे",
"45 min" / "45 मिनट", never raw minutes.

The pages (the ``duration`` filters) and the scripts (``helpdeskDuration`` in app.js) must say
the same: the scripts get their unit words from ``duration_units()``, made here from the same
catalogue entries, and app.js follows the same rule of which units to show.
"""

from datetime import datetime

from flask_babel import gettext, ngettext

from helpdesk.timeutil import utcnow

#: a working day of the default calendar (09:00-18:00), for targets in business minutes
WORKING_DAY_MINUTES = 9 * 60

#: the units, largest last; each says a count of itself in the page's language
_UNITS = ("min", "h", "d")


def _unit(unit: str, count: int | str, plural_of: int) -> str:
    """``count`` of ``unit``; ``plural_of`` picks the form (Hindi: 1 घंटा, 2 घंटे)."""
    if unit == "d":
        return ngettext("%(count)s d", "%(count)s d", plural_of, count=count)
    if unit == "h":
        return ngettext("%(count)s h", "%(count)s h", plural_of, count=count)
    return ngettext("%(count)s min", "%(count)s min", plural_of, count=count)


def duration(minutes: float | None, day_minutes: int = 24 * 60) -> str:
    """Minutes as people read them: "45 min", "3 h 20 min", "2 d 4 h". Days are
    ``day_minutes`` long (``WORKING_DAY_MINUTES`` for business minutes)."""
    if minutes is None:
        return "—"
    minutes = max(0, int(minutes))
    if minutes < 60:
        return _unit("min", minutes, minutes)
    if minutes < day_minutes:
        hours, rest = divmod(minutes, 60)
        parts = [_unit("h", hours, hours)] + ([_unit("min", rest, rest)] if rest else [])
    else:
        days, rest = divmod(minutes, day_minutes)
        hours = rest // 60
        parts = [_unit("d", days, days)] + ([_unit("h", hours, hours)] if hours else [])
    return " ".join(parts)


def working_duration(minutes: float | None) -> str:
    """Business minutes in working days of 9 h: 2700 → "5 d"."""
    return duration(minutes, WORKING_DAY_MINUTES)


def due_in(value: datetime | None, now: datetime | None = None) -> str:
    """How long until ``value`` (or how long past it): "in 2 h 10 min", "5 min overdue"."""
    if value is None:
        return ""
    minutes = ((value - (now or utcnow())).total_seconds()) / 60
    if minutes >= 0:
        return gettext("in %(time)s", time=duration(minutes))
    return gettext("%(time)s overdue", time=duration(-minutes))


def duration_units() -> dict[str, str]:
    """For the scripts' catalogue: each unit's one and other form with ``{n}`` for the
    count (``duration:h:one`` → "{n} घंटा"). app.js takes "one" for a count of 1 or less,
    as the Hindi catalogue's plural rule does (English writes both forms alike)."""
    return {
        f"duration:{unit}:{form}": _unit(unit, "{n}", plural_of)
        for unit in _UNITS
        for form, plural_of in (("one", 1), ("other", 2))
    }
