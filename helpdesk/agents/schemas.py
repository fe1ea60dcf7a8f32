"""What a users or profile request may contain; shared by the API and the admin pages.

Types and sizes are checked here; what the values mean (a known block, language, state or
category, a free e-mail address) is checked by ``agents.services``, for every entry point.
"""

from typing import Annotated

from pydantic import Field, StringConstraints

from helpdesk.agents.models import ROLES, UI_LANGUAGES
from helpdesk.tickets.schemas import Strict

# Values are checked by the service, so one answer names every bad field; the schema
# still tells API clients which values exist.
Role = Annotated[str, Field(max_length=16, json_schema_extra={"enum": list(ROLES)})]
UiLanguage = Annotated[str, Field(max_length=8, json_schema_extra={"enum": list(UI_LANGUAGES)})]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
#: at least 8 characters
Password = Annotated[str, StringConstraints(max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
Codes = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]],
    Field(max_length=60),
]


class UserCreate(Strict):
    email: Email
    name: Name
    role: Role
    password: Password
    #: block code; required for ``brc``
    block: Code | None = None
    #: BCP 47 tags of the languages this person answers in
    languages: Codes = []
    #: category slugs a mentor is expert in
    skills: Codes = []
    #: ISO 3166-2 codes of the states a mentor or manager covers
    states: Codes = []
    #: any written form of an Indian number; stored in E.164
    phone: Phone | None = None
    active: bool = True


class UserUpdate(Strict):
    """Only the fields sent change; ``"active": false`` cuts the user off at once, a new
    ``password`` ends their API tokens. ``block`` and ``phone`` may be null."""

    email: Email = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    role: Role = None  # type: ignore[assignment]
    password: Password = None  # type: ignore[assignment]
    block: Code | None = None
    languages: Codes = None  # type: ignore[assignment]
    skills: Codes = None  # type: ignore[assignment]
    states: Codes = None  # type: ignore[assignment]
    phone: Phone | None = None
    active: bool = None  # type: ignore[assignment]


class ProfileUpdate(Strict):
    """One's own name, phone, interface language and password; a new ``password`` needs
    ``current_password``. ``ui_language`` null means "not chosen" (the browser decides)."""

    name: Name = None  # type: ignore[assignment]
    phone: Phone | None = None
    ui_language: UiLanguage | None = None
    password: Password = None  # type: ignore[assignment]
    current_password: Annotated[str, StringConstraints(max_length=200)] = None  # type: ignore[assignment]
