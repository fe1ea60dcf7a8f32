"""What an SLA policy or calendar change may contain; shared by the JSON API and the admin
pages, so a rule holds in both."""

import re
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from helpdesk.tickets.schemas import Priority, Strict
from helpdesk.validation import Day

Minutes = Field(default=None, gt=0, le=366 * 24 * 60)
CalendarName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
_SLOT = re.compile(r"^\d{2}:\d{2}$")


class PolicyUpdate(Strict):
    first_response_minutes: int | None = Minutes
    next_response_minutes: int | None = Minutes
    resolution_minutes: int | None = Minutes
    mentor_response_minutes: int | None = Minutes
    calendar: CalendarName | None = None
    raise_priority_on_breach: bool | None = None
    escalate_on_breach: bool | None = None


class PolicyCreate(Strict):
    """A policy for a priority, optionally narrowed to a category and/or a state; the most
    specific matching policy applies to tickets created (or re-prioritised) from then on."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    priority: Priority
    #: category slug; omitted or null: every category
    category: str | None = None
    #: ISO 3166-2 state code such as IN-KL; omitted or null: every state
    state: str | None = None
    first_response_minutes: int = Field(gt=0, le=366 * 24 * 60)
    next_response_minutes: int = Field(gt=0, le=366 * 24 * 60)
    resolution_minutes: int = Field(gt=0, le=366 * 24 * 60)
    mentor_response_minutes: int = Field(gt=0, le=366 * 24 * 60)
    calendar: CalendarName = "default"
    raise_priority_on_breach: bool = False
    escalate_on_breach: bool = False


class CalendarUpdate(Strict):
    """Weekly hours: weekday "0" (Monday) to "6" → slots [["09:00", "13:00"], ["14:00", "18:00"]]
    (several slots make lunch breaks; a missing or empty weekday is closed)."""

    hours: dict[Annotated[str, StringConstraints(pattern=r"^[0-6]$")], list[list[str]]]
    india_holidays: bool = True
    state_holidays: bool = False

    @field_validator("hours")
    @classmethod
    def slots_are_pairs_of_times(cls, value: dict) -> dict:
        for slots in value.values():
            for slot in slots:
                if len(slot) != 2 or not all(_SLOT.match(t) for t in slot):
                    raise ValueError('each slot is ["HH:MM", "HH:MM"]')
        return value


class HolidayIn(Strict):
    day: Day
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
