"""What the telephony system and the SMS gateway send us."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.tickets.schemas import Strict
from helpdesk.validation import text

CallId = text(1, 100)
Email = text(3, 254)
Cause = text(1, 60)
#: a text made only of spaces or zero-width characters says nothing: 422, no ticket
SmsText = text(1, 5000)
#: what came of a callback: spaces or zero-width characters alone say nothing
CallbackNote = text(1, 5000)
Phone = Annotated[str, Field(max_length=32)]


def _e164(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise ValueError(str(exc)) from exc


class CtiEventIn(Strict):
    """One event of a call. ``from``/``to`` in any common Indian form (stored in E.164)."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    event: Literal["newCall", "answer", "hangup"]
    call_id: CallId
    from_number: Phone = Field(alias="from")
    to_number: Phone | None = Field(default=None, alias="to")
    direction: Literal["in", "out"] = "in"
    #: the answering agent's e-mail; required on ``answer``
    user: Email | None = None
    #: the telephony system's hangup cause, e.g. ``normal_clearing``
    cause: Cause | None = None

    @field_validator("from_number", "to_number")
    @classmethod
    def in_e164(cls, value: str | None) -> str | None:
        return _e164(value)

    @model_validator(mode="after")
    def outgoing_names_the_callee(self) -> "CtiEventIn":
        if self.direction == "out" and self.to_number is None:
            raise ValueError("'to' is required for an outgoing call")
        return self


class SmsInboundIn(Strict):
    """A text received by the SMS gateway."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    from_number: Phone = Field(alias="from")
    text: SmsText
    #: the gateway's id of the text, if it sends one: a text delivered twice is taken once
    id: CallId | None = None

    @field_validator("from_number")
    @classmethod
    def in_e164(cls, value: str) -> str:
        return _e164(value)


class CallbackDoneIn(Strict):
    """What came of a callback: required, said in words."""

    note: CallbackNote
