"""What a ticket request may contain; shared by the API, the web forms and imports."""

from typing import Annotated, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import CHANNELS, PRIORITIES, STATUSES
from helpdesk.validation import NUL_MESSAGE, Id, contains_nul, text

Language = Literal[tuple(LANGUAGES)]  # type: ignore[valid-type]
Priority = Literal[PRIORITIES]  # type: ignore[valid-type]
Channel = Literal[CHANNELS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
# Text is trimmed of whitespace and invisible characters (zero-width spaces, BOMs) first:
# a subject made only of them is empty.
Subject = text(3, 200)
Body = text(1, 20000)
Slug = text(1, 60)
Code = text(1, 40)
Name = text(1, 120)


class Strict(BaseModel):
    """Wrong types are errors, not coerced; unknown fields are reported, not ignored; no
    string anywhere may hold a NUL character (PostgreSQL cannot store one)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value, info: ValidationInfo):
        # A nested object is a model of its own that checks its own fields (and names them).
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, dict) and get_origin(annotation) is not dict:
            return value
        if contains_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


class RequesterIn(Strict):
    name: Name
    phone: Annotated[str | None, Field(max_length=32)] = None

    @field_validator("phone")
    @classmethod
    def phone_in_e164(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return normalize_phone(value)
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from exc


class TicketCreate(Strict):
    subject: Subject
    description: Body
    category: Slug
    priority: Priority = "normal"
    channel: Channel = "api"
    language: Language = "hi"
    #: block code; ignored for BRC staff, whose tickets always belong to their block
    block: Code | None = None
    requester: RequesterIn | None = None


class TicketUpdate(Strict):
    status: Status | None = None
    priority: Priority | None = None
    category: Slug | None = None
    #: user id of the agent to assign, or null to unassign
    assignee: Id | None = None
    language: Language | None = None
    #: block code (staff only): triages a ticket opened for an unknown sender into its block
    block: Code | None = None


class MessageCreate(Strict):
    body: Body
    internal: bool = False
