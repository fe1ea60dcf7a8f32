"""The user and profile forms become the same pydantic models the API validates.

Each ``*_from_form`` returns ``(fields, {})`` ready for ``agents.services``, or
``(None, errors)`` keyed by the form's field names, to show next to each field.
"""

from collections.abc import Mapping

from flask_babel import gettext
from pydantic import BaseModel, ValidationError

from helpdesk.agents.schemas import ProfileUpdate, UserCreate, UserUpdate
from helpdesk.i18n import validation

#: the fields of the create and edit forms (the password only when creating)
DETAIL_FIELDS = ("email", "name", "role", "block", "phone")
LIST_FIELDS = ("languages", "skills", "states")


def _text(form: Mapping, name: str) -> str:
    return (form.get(name) or "").strip()


def _validate(model: type[BaseModel], data: dict, errors: dict[str, str]):
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        # "languages[2]" is shown next to the languages
        found = validation.form_errors(exc, lambda loc: loc.split("[")[0].split(".")[0])
        for name, why in found.items():
            empty = name in data and not data[name]
            errors.setdefault(name, validation.required(name) if empty else why)
        return None, errors
    if errors:
        return None, errors
    return result.model_dump(exclude_unset=True), {}


def user_from_form(form, *, create: bool):
    """The whole user as the admin's form shows it: empty block and phone mean none, an
    unticked list means an empty one."""
    data: dict = {name: _text(form, name) for name in DETAIL_FIELDS}
    data["block"] = data["block"] or None
    data["phone"] = data["phone"] or None
    for name in LIST_FIELDS:
        data[name] = [v for v in form.getlist(name) if v.strip()]
    if create:
        data["password"] = form.get("password") or ""
        return _validate(UserCreate, data, {})
    return _validate(UserUpdate, data, {})


def password_from_form(form):
    """A new password typed twice (the admin's reset and one's own change)."""
    password, again = form.get("password") or "", form.get("password_confirm") or ""
    errors = {}
    if password and password != again:
        errors["password_confirm"] = gettext("The two passwords differ.")
    return _validate(UserUpdate, {"password": password}, errors)


def profile_from_form(form):
    """Name, phone and interface language (empty: not chosen)."""
    data = {
        "name": _text(form, "name"),
        "phone": _text(form, "phone") or None,
        "ui_language": _text(form, "ui_language") or None,
    }
    return _validate(ProfileUpdate, data, {})
