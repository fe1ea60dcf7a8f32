"""Input every route shares, parsed in one place so a bad value gets the same 4xx wherever
it is sent: ids (in paths, bodies and query strings), whole numbers and days in query
strings, text (no NUL, not only invisible characters) and redirect targets.

``init_app`` registers the ``<id:...>`` URL converter, refuses NUL characters in any
query string, form field or path segment before a view runs, and enforces the body size
limit on chunked bodies too.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated
from urllib.parse import urlsplit

from flask import Flask, Request, request
from pydantic import BeforeValidator, Field, StringConstraints
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_content_length, get_input_stream

from helpdesk.errors import ValidationFailed

#: The largest id: primary keys are INTEGER columns, 32-bit on PostgreSQL. A larger id
#: names nothing (404 in a path, 422 in a body) rather than overflowing the database driver.
MAX_ID = 2**31 - 1
#: Days a report or a log may ask about; year 1 or 9999 is a typo, and overflows date maths.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
NUL = "\x00"
NUL_MESSAGE = "must not contain NUL characters"

_ASCII_WHOLE = re.compile(r"[0-9]{1,30}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# --- whole numbers and ids --------------------------------------------------------------


def ascii_int(text: str | None) -> int | None:
    """``text`` as a whole number written in ASCII digits only, else None. ``"²"``, ``"١"``,
    ``"१"``, ``"+1"``, ``" 1"`` and ``"1_000"`` are not numbers here (``int()`` takes some
    of them, ``str.isdigit()`` others)."""
    if text is None or not _ASCII_WHOLE.fullmatch(text):
        return None
    return int(text)


def as_id(text: str | None) -> int | None:
    """An id (1 to MAX_ID in ASCII digits) or None."""
    value = ascii_int(text)
    return value if value is not None and 1 <= value <= MAX_ID else None


def id_or_text(text: str) -> int | str | None:
    """A form field meant to hold an id: the id, None when empty, else the text unchanged
    (so the schema's strict ``Id`` names the field as invalid)."""
    if not text:
        return None
    value = ascii_int(text)
    return text if value is None or value > MAX_ID else value


def parse_int(value: str | None, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """A query parameter holding a whole number from ``minimum`` to ``maximum`` (ASCII
    digits only); missing or empty gives ``default``; anything else ValidationFailed."""
    if value in (None, ""):
        return default
    number = ascii_int(value)
    if number is None or not minimum <= number <= maximum:
        raise ValidationFailed(
            "Invalid query parameter.",
            {name: f"must be a whole number from {minimum} to {maximum}"},
        )
    return number


def _at_most(limit: int) -> str:
    """A regex matching the numbers 1 to ``limit``, without leading zeros."""
    digits = str(limit)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = [
        f"{digits[:i]}[{'1' if i == 0 else '0'}-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}"
        for i, d in enumerate(digits)
        if int(d) > (1 if i == 0 else 0)
    ]
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


class IdConverter(BaseConverter):
    """``<id:ticket_id>``: 1 to MAX_ID in ASCII digits; anything else matches no route (404).
    The regex itself holds the range: a value refused after matching would make werkzeug
    answer 405 when the path has routes for other methods."""

    regex = _at_most(MAX_ID)

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


#: an id in a JSON body (strict models: a JSON integer, 1 to MAX_ID)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- days -------------------------------------------------------------------------------


def parse_day(value: str | None, name: str, errors: dict[str, str]) -> date | None:
    """``YYYY-MM-DD`` from EARLIEST_DAY to LATEST_DAY; None when empty; a bad value is
    recorded in ``errors`` under ``name`` (and None returned)."""
    if value in (None, ""):
        return None
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = "must be a date, YYYY-MM-DD"
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        errors[name] = f"must be between {EARLIEST_DAY} and {LATEST_DAY}"
        return None
    return day


def parse_day_range(
    args: Mapping, *, first: str = "from", last: str = "to"
) -> tuple[date | None, date | None]:
    """Two days of a query string, each optional, the first not after the last;
    ValidationFailed naming each bad one."""
    errors: dict[str, str] = {}
    start = parse_day(args.get(first), first, errors)
    end = parse_day(args.get(last), last, errors)
    if start and end and start > end:
        errors[first] = f"must not be after '{last}'"
    if errors:
        raise ValidationFailed("Invalid dates.", errors)
    return start, end


#: a day in a JSON body: ``"2026-01-26"``, within the same bounds
Day = Annotated[date, Field(strict=False, ge=EARLIEST_DAY, le=LATEST_DAY)]


# --- text -------------------------------------------------------------------------------


def _invisible(ch: str) -> bool:
    # Whitespace, and format characters such as the zero-width space, joiners and the BOM:
    # a text made only of them looks empty to the person who reads it.
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc")


def strip_invisible(value):
    """``value`` without whitespace or invisible format characters at either end (inside
    the text they stay: Indic scripts need the zero-width joiners)."""
    if not isinstance(value, str):
        return value
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def text(min_length: int, max_length: int):
    """A string field trimmed of whitespace and invisible characters at its ends, then
    ``min_length`` to ``max_length`` characters long."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        BeforeValidator(strip_invisible),
    ]


def contains_nul(value) -> bool:
    """A NUL anywhere in a string, or in the strings of a list or a mapping's keys and
    non-mapping values (nested mappings are models: they check their own fields)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, dict) and item is value:
            pending.extend(item.keys())
            pending.extend(v for v in item.values() if not isinstance(v, dict))
    return False


def nul_fields(pairs: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Names of the (name, value) pairs that hold a NUL character."""
    return {
        name.replace(NUL, "\\0"): NUL_MESSAGE
        for name, value in pairs
        if NUL in name or contains_nul(value)
    }


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_input() -> None:
    """PostgreSQL stores no NUL character: a query string, form field or path segment that
    holds one is refused before any view sees it (422, the field named)."""
    pairs = list(request.args.items(multi=True))
    if request.mimetype in FORM_TYPES:
        pairs += list(request.form.items(multi=True))
    pairs += [(k, v) for k, v in (request.view_args or {}).items() if isinstance(v, str)]
    fields = nul_fields(pairs)
    if fields:
        raise ValidationFailed("Text may not contain NUL characters.", fields)


# --- body size ------------------------------------------------------------------------


class _MaximumStream(LimitedStream):
    """A body of unknown length (``Transfer-Encoding: chunked``) read up to a maximum.
    werkzeug's own stops silently at the maximum, so the view would read a cut body (a
    400 "not JSON", or a form missing its end); this one reads one byte further to tell,
    and a longer body is a 413."""

    def __init__(self, stream, maximum: int) -> None:
        super().__init__(stream, maximum + 1, is_max=True)
        self.maximum = maximum

    def readinto(self, buffer) -> int:
        size = super().readinto(buffer)
        if self._pos > self.maximum:
            raise RequestEntityTooLarge()
        return size


class HelpdeskRequest(Request):
    """Flask's request, with MAX_CONTENT_LENGTH (or a view's own limit) enforced on
    chunked bodies too: 413 whether or not the client sent a Content-Length."""

    @cached_property
    def stream(self):
        environ, maximum = self.environ, self.max_content_length
        if maximum is None or "wsgi.input_terminated" not in environ:
            return get_input_stream(environ, max_content_length=maximum)
        length = get_content_length(environ)
        if length is not None and length > maximum:
            raise RequestEntityTooLarge()
        return _MaximumStream(environ["wsgi.input"], maximum)


# --- redirects --------------------------------------------------------------------------


def safe_redirect_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None. Refused: absolute and
    scheme-relative URLs (an open redirect), backslashes (browsers read ``/\\host`` as
    ``//host``) and control characters (CR/LF would split the Location header; browsers
    drop tabs, turning ``/\\t/host`` into ``//host``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def init_app(app: Flask) -> None:
    app.request_class = HelpdeskRequest
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul_input)
