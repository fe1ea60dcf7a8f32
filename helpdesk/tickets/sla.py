"""Business time: SLA clocks run only in the call-centre's working hours.

``BusinessCalendar`` is the contract's interface; ``DEFAULT_POLICIES`` the targets per priority.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

Slot = tuple[str, str]
MONDAY_TO_SATURDAY_9_TO_6: dict[int, list[Slot]] = {d: [("09:00", "18:00")] for d in range(6)}
#: how far add_minutes looks ahead before deciding a calendar has no working time at all
MAX_DAYS_AHEAD = 3 * 366


@lru_cache(maxsize=64)
def india_holidays(year: int, subdiv: str | None = None) -> frozenset[date]:
    """India's national holidays (plus a state's own, given its subdivision code)."""
    return frozenset(holidays_lib.country_holidays("IN", subdiv=subdiv, years=year).keys())


@dataclass
class BusinessCalendar:
    tz: str = "Asia/Kolkata"
    hours: dict[int, list[Slot]] = field(default_factory=lambda: dict(MONDAY_TO_SATURDAY_9_TO_6))
    holidays: set[date] | None = None
    #: also close on India's holidays (and this subdivision's) as the holidays package lists them
    india_holidays: bool = False
    subdiv: str | None = None

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.tz)
        self._slots = {
            day: sorted((time.fromisoformat(a), time.fromisoformat(b)) for a, b in slots)
            for day, slots in self.hours.items()
        }
        self._extra_holidays = frozenset(self.holidays or ())

    def is_holiday(self, day: date) -> bool:
        if day in self._extra_holidays:
            return True
        return self.india_holidays and day in india_holidays(day.year, self.subdiv)

    def working_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working slots as aware datetimes in the calendar's zone."""
        if self.is_holiday(day):
            return []
        return [
            (datetime.combine(day, a, self.zone), datetime.combine(day, b, self.zone))
            for a, b in self._slots.get(day.weekday(), [])
        ]

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` business minutes after ``start``."""
        _require_aware(start)
        if minutes < 0:
            raise ValueError("minutes must be >= 0")
        local = start.astimezone(self.zone)
        remaining = timedelta(minutes=minutes)
        day = local.date()
        for _ in range(MAX_DAYS_AHEAD):
            for begin, end in self.working_intervals(day):
                begin = max(begin, local)
                if begin >= end:
                    continue
                if begin + remaining <= end:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError("the calendar has no working time ahead")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole business minutes from ``start`` to ``end`` (0 when end is not after start)."""
        _require_aware(start)
        _require_aware(end)
        if end <= start:
            return 0
        a, b = start.astimezone(self.zone), end.astimezone(self.zone)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for begin, stop in self.working_intervals(day):
                lo, hi = max(begin, a), min(stop, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("aware datetimes only")


@dataclass(frozen=True)
class SlaPolicy:
    name: str
    priority: str
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    calendar: str = "default"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "priority": self.priority,
            "first_response_minutes": self.first_response_minutes,
            "next_response_minutes": self.next_response_minutes,
            "resolution_minutes": self.resolution_minutes,
            "calendar": self.calendar,
        }


#: business minutes; a 9-hour working day is 540 minutes
DEFAULT_POLICIES: dict[str, SlaPolicy] = {
    p.priority: p
    for p in (
        SlaPolicy("Urgent", "urgent", 30, 60, 540),
        SlaPolicy("High", "high", 60, 120, 1080),
        SlaPolicy("Normal", "normal", 240, 480, 2700),
        SlaPolicy("Low", "low", 540, 1080, 5400),
    )
}


@lru_cache(maxsize=1)
def default_calendar() -> BusinessCalendar:
    """The contract's calendar: Mon-Sat 09:00-18:00 IST, closed on India's national holidays."""
    return BusinessCalendar(india_holidays=True)


def policy_for(priority: str) -> SlaPolicy:
    return DEFAULT_POLICIES[priority]
