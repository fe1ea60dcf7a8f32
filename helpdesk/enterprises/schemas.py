"""What an enterprise request may contain."""

from typing import Annotated

from pydantic import Field, field_validator

from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.tickets.schemas import Code, Name, Strict, text

EnterpriseName = text(1, 200)
Activity = text(0, 120)


class OwnerIn(Strict):
    name: Name
    phone: Annotated[str, Field(max_length=32)]

    @field_validator("phone")
    @classmethod
    def phone_in_e164(cls, value: str) -> str:
        try:
            return normalize_phone(value)
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from exc


class EnterpriseCreate(Strict):
    #: the enterprise's id in the programme's MIS
    code: Code
    name: EnterpriseName
    activity: Activity = ""
    #: block code
    block: Code
    #: the member who runs it; becomes (or is) a contact of the block
    owner: OwnerIn
