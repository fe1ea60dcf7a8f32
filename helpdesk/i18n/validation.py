"""pydantic's validation errors as sentences people read next to a form's fields.

The API answers pydantic's own English reasons (``helpdesk.errors.field_errors_from_pydantic``);
a page says, in its language and naming the field, what is wrong: "Subject is longer than
200 characters." / "विषय 200 अक्षरों से लंबा है।".
"""

from collections.abc import Callable

from flask_babel import gettext
from pydantic import ValidationError

from helpdesk.i18n import translate
from helpdesk.i18n.labels import field_label

_LIST_TYPES = ("list_type", "too_long", "too_short")


def location(loc: tuple) -> str:
    """("requester", "phone") → "requester.phone"; ("tags", 3) → "tags[3]"."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return text.lstrip(".") or "body"


def required(name: str) -> str:
    """The sentence for an empty field that must be filled."""
    return gettext("%(field)s is required.", field=field_label(name))


def sentence(error: dict, name: str) -> str:
    """One pydantic error (``exc.errors()`` item) about the form field ``name``."""
    kind, ctx = error["type"], error.get("ctx") or {}
    field = field_label(name)
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return required(name)
    if kind == "string_too_long":
        return gettext(
            "%(field)s is longer than %(max)s characters.", field=field, max=ctx["max_length"]
        )
    if kind == "string_too_short":
        return gettext(
            "%(field)s needs at least %(min)s characters.", field=field, min=ctx["min_length"]
        )
    if kind in ("literal_error", "enum"):
        return gettext("%(field)s: choose one from the list.", field=field)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return gettext("%(field)s must be a whole number.", field=field)
    if kind in ("greater_than", "greater_than_equal"):
        limit = ctx.get("gt", ctx.get("ge"))
        if kind == "greater_than":
            return gettext("%(field)s must be more than %(limit)s.", field=field, limit=limit)
        return gettext("%(field)s must be at least %(limit)s.", field=field, limit=limit)
    if kind in ("less_than", "less_than_equal"):
        limit = ctx.get("lt", ctx.get("le"))
        return gettext("%(field)s must be at most %(limit)s.", field=field, limit=limit)
    if kind in _LIST_TYPES and len(error["loc"]) == 1:
        return gettext("%(field)s has too many entries.", field=field)
    if kind.startswith(("date_", "datetime_")):
        return gettext("%(field)s is not a valid date.", field=field)
    if kind == "extra_forbidden":
        return gettext("%(field)s is not expected here.", field=field)
    if kind == "value_error":
        why = str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
        return gettext("%(field)s: %(why)s", field=field, why=translate(why))
    return gettext("%(field)s is not valid.", field=field)


def form_errors(
    exc: ValidationError, field_of: Callable[[str], str] = lambda loc: loc
) -> dict[str, str]:
    """{form field: sentence}, the first error of each field. ``field_of`` turns pydantic's
    location ("requester.phone", "tags[3]") into the form field that shows it."""
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        name = field_of(location(error["loc"]))
        errors.setdefault(name, sentence(error, name))
    return errors
