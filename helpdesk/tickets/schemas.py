"""What a ticket request may contain; shared by the API, the web forms and imports."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import CHANNELS, PRIORITIES, STATUSES

Language = Literal[tuple(LANGUAGES)]  # type: ignore[valid-type]
Priority = Literal[PRIORITIES]  # type: ignore[valid-type]
Channel = Literal[CHANNELS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Strict(BaseModel):
    """Wrong types are errors, not coerced; unknown fields are reported, not ignored."""

    model_config = ConfigDict(strict=True, extra="forbid")


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
    assignee: int | None = None
    language: Language | None = None
    #: block code (staff only): triages a ticket opened for an unknown sender into its block
    block: Code | None = None


#: what a reply may set in the same transaction ("send and resolve", "send and wait")
ReplyStatus = Literal["resolved", "pending"]


class MessageCreate(Strict):
    body: Body
    internal: bool = False
    #: set the ticket's status in the same transaction (staff and mentors only)
    status: ReplyStatus | None = None
