"""Admin SLA forms become the same pydantic models the SLA API validates.

Each ``*_from_form`` returns ``(model, {})`` or ``(None, errors)`` with errors keyed by the
form's field names, ready to show next to each field.
"""

import re
from collections.abc import Mapping

from flask_babel import gettext
from pydantic import BaseModel, ValidationError

from helpdesk.i18n import N_, validation
from helpdesk.i18n.labels import field_label
from helpdesk.sla.schemas import CalendarUpdate, HolidayIn, PolicyCreate, PolicyUpdate
from helpdesk.validation import ascii_int

MINUTE_FIELDS = (
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "mentor_response_minutes",
)
FLAGS = ("raise_priority_on_breach", "escalate_on_breach")
#: shown in the page's language (templates translate them with |t)
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_SLOT = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def _text(form: Mapping, name: str) -> str:
    return (form.get(name) or "").strip()


def _checked(form: Mapping, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")


def _validate(model: type[BaseModel], data: dict, errors: dict[str, str]):
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        for loc, why in validation.form_errors(exc).items():
            errors.setdefault(loc, why)
        return None, errors
    return (None, errors) if errors else (result, {})


def policy_from_form(form: Mapping, *, create: bool):
    """A PolicyCreate (``create=True``) or a full PolicyUpdate from the edit form."""
    data: dict = {}
    errors: dict[str, str] = {}
    for name in MINUTE_FIELDS:
        value = _text(form, name)
        minutes = ascii_int(value)
        if minutes is None:
            errors[name] = (
                validation.required(name)
                if not value
                else gettext(
                    "%(field)s must be a whole number of minutes.", field=field_label(name)
                )
            )
        else:
            data[name] = minutes
    data["calendar"] = _text(form, "calendar")
    data |= {flag: _checked(form, flag) for flag in FLAGS}
    if create:
        data |= {
            "name": _text(form, "name"),
            "priority": _text(form, "priority"),
            "category": _text(form, "category") or None,
            "state": _text(form, "state") or None,
        }
        errors |= {
            name: validation.required(name) for name in ("name", "priority") if not data[name]
        }
        return _validate(PolicyCreate, data, errors)
    return _validate(PolicyUpdate, data, errors)


def slots_text(slots: list[list[str]]) -> str:
    """[["09:00", "13:00"], ["14:00", "18:00"]] → "09:00-13:00, 14:00-18:00"."""
    return ", ".join(f"{a}-{b}" for a, b in slots or [])


def calendar_from_form(form: Mapping):
    """Hours typed per weekday (``hours_0`` ... ``hours_6``) as ``09:00-13:00, 14:00-18:00``;
    an empty weekday is closed."""
    hours: dict[str, list[list[str]]] = {}
    errors: dict[str, str] = {}
    for day in range(7):
        slots = []
        for part in filter(None, (p.strip() for p in _text(form, f"hours_{day}").split(","))):
            match = _SLOT.match(part)
            if match is None:
                errors[f"hours_{day}"] = N_("write slots as 09:00-13:00, 14:00-18:00")
                break
            slots.append([t.zfill(5) for t in match.groups()])
        hours[str(day)] = slots
    data = {
        "hours": hours,
        "india_holidays": _checked(form, "india_holidays"),
        "state_holidays": _checked(form, "state_holidays"),
    }
    return _validate(CalendarUpdate, data, errors)


def calendar_errors_for_form(fields: Mapping[str, str]) -> dict[str, str]:
    """The service's ``hours.3`` → the form's ``hours_3``."""
    return {key.replace("hours.", "hours_"): why for key, why in fields.items()}


def holiday_from_form(form: Mapping):
    errors: dict[str, str] = {}
    if not _text(form, "day"):
        errors["day"] = validation.required("day")
    return _validate(
        HolidayIn, {"day": _text(form, "day") or None, "name": _text(form, "name")}, errors
    )
