"""Business time: SLA clocks run only in the call-centre's working hours.

``BusinessCalendar`` is the contract's interface. ``DEFAULT_POLICIES`` are the targets per
priority that migration 0003 seeds into ``sla_policies`` and that apply when that table has
no row for a priority (see ``helpdesk.sla.policies``).

Calendar rules:

- ``hours`` maps a weekday (0 = Monday) to its working slots, e.g. a lunch break is
  ``[("09:00", "13:00"), ("14:00", "18:00")]``; overlapping or touching slots are merged,
  ``"24:00"`` ends a slot at midnight.
- ``special_hours`` (date → slots, an admin's business-hours exception) replaces that
  date's hours, whatever its weekday or any public holiday says.
- a day is closed when it is in ``holidays`` (dates an admin added), or, with
  ``india_holidays=True``, when the ``holidays`` package lists it for India (and for
  ``subdiv``, a state's own holidays, when given).
- ``add_minutes(start, 0)`` is ``start`` moved forward to working time; with ``minutes > 0``
  the answer lies inside a slot or exactly at a slot's end (17:00 + 60 min is 18:00, not
  09:00 the next day). ``minutes_between`` counts whole minutes of working time.
- Arithmetic is done in UTC, so a zone with daylight saving counts real minutes.
"""

import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

Slot = tuple[str, str]
MONDAY_TO_SATURDAY_9_TO_6: dict[int, list[Slot]] = {d: [("09:00", "18:00")] for d in range(6)}
#: how far add_minutes looks ahead before deciding a calendar has no working time at all
MAX_DAYS_AHEAD = 3 * 366
DAY_MINUTES = 24 * 60
#: business_time counts whole weeks arithmetically past this many days (a ticket open for
#: years, an imported history): stepping day by day costs ~25 ms per 26 years, per clock
STEP_DAYS = 21
#: add_business_time skips at most this many whole weeks (a century) before giving up
MAX_WEEKS_SKIPPED = 100 * 53


@lru_cache(maxsize=64)
def _fixed_offset(tz: str) -> bool:
    """True when ``tz`` keeps one UTC offset (no daylight saving): every week has the same
    working minutes, so whole weeks can be counted without stepping through them."""
    zone = ZoneInfo(tz)
    moments = (
        datetime(year, month, 1, tzinfo=zone)
        for year in range(1990, 2101)
        for month in (1, 4, 7, 10)
    )
    return len({moment.utcoffset() for moment in moments}) == 1


@lru_cache(maxsize=256)
def india_holidays(year: int, subdiv: str | None = None) -> frozenset[date]:
    """India's national holidays (plus a state's own, given its subdivision code). The
    package knows some years only (2001-2035 as of 0.8x) and warns about the others; an
    imported ticket from 2000 then just has no national holidays that year."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return frozenset(holidays_lib.country_holidays("IN", subdiv=subdiv, years=year).keys())


def _minute_of_day(text: str) -> int:
    if text == "24:00":
        return DAY_MINUTES
    parsed = time.fromisoformat(text)
    if parsed.second or parsed.microsecond:
        raise ValueError(f"slot times are whole minutes: {text!r}")
    return parsed.hour * 60 + parsed.minute


def _merged_slots(slots: list[Slot]) -> list[tuple[int, int]]:
    """Slots as sorted, non-overlapping (start, end) minutes of the day."""
    spans = sorted((_minute_of_day(a), _minute_of_day(b)) for a, b in slots)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if b <= a:
            raise ValueError(f"a slot must end after it starts: {a // 60:02d}:{a % 60:02d}")
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


#: days whose working intervals one calendar keeps
_KEPT_DAYS = 1024


@dataclass
class BusinessCalendar:
    tz: str = "Asia/Kolkata"
    hours: dict[int, list[Slot]] = field(default_factory=lambda: dict(MONDAY_TO_SATURDAY_9_TO_6))
    holidays: set[date] | None = None
    #: also close on India's holidays (and this subdivision's) as the holidays package lists them
    india_holidays: bool = False
    subdiv: str | None = None
    #: dates with special working slots instead of their weekday's
    special_hours: dict[date, list[Slot]] | None = None

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.tz)
        self._slots = {int(day): _merged_slots(slots) for day, slots in self.hours.items()}
        if any(day not in range(7) for day in self._slots):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        self._special = {d: _merged_slots(s) for d, s in (self.special_hours or {}).items()}
        self._extra_holidays = frozenset(self.holidays or ()) - set(self._special)
        #: day → its working intervals: every new ticket asks for the same few days, each
        #: time turning local wall times into UTC
        self._intervals: dict[date, tuple[tuple[datetime, datetime], ...]] = {}

    def is_holiday(self, day: date) -> bool:
        if day in self._extra_holidays:
            return True
        return self.india_holidays and day in india_holidays(day.year, self.subdiv)

    def _wall(self, day: date, minute: int) -> datetime:
        day += timedelta(days=minute // DAY_MINUTES)
        minute %= DAY_MINUTES
        local = datetime.combine(day, time(minute // 60, minute % 60), self.zone)
        return local.astimezone(UTC)

    def working_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's working slots as aware UTC datetimes, in order, never overlapping."""
        intervals = self._intervals.get(day)
        if intervals is None:
            if day in self._special:
                slots = self._special[day]
            elif self.is_holiday(day):
                slots = []
            else:
                slots = self._slots.get(day.weekday(), [])
            intervals = tuple((self._wall(day, a), self._wall(day, b)) for a, b in slots)
            if len(self._intervals) >= _KEPT_DAYS:  # imports replay decades: stay bounded
                self._intervals.clear()
            self._intervals[day] = intervals
        return intervals

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of working time after ``start`` (same zone as ``start``)."""
        _require_aware(start)
        if amount < timedelta(0):
            raise ValueError("minutes must be >= 0")
        moment = start.astimezone(UTC)
        remaining = amount
        # The local day before: a slot of the previous local day may still be running.
        first = start.astimezone(self.zone).date()
        day = first - timedelta(days=1)
        stepped = weeks_skipped = 0
        while stepped < MAX_DAYS_AHEAD:
            if day.weekday() == 0 and day > first and weeks_skipped < MAX_WEEKS_SKIPPED:
                # A target longer than a week (policies allow a year of minutes): skip
                # whole weeks that cannot hold the answer instead of stepping through them.
                week = self._week_time(day)
                if timedelta(0) < week < remaining:
                    remaining -= week
                    day += timedelta(days=7)
                    weeks_skipped += 1
                    continue
            stepped += 1
            for begin, end in self.working_intervals(day):
                begin = max(begin, moment)
                if begin >= end:
                    continue
                if begin + remaining <= end:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError("the calendar has no working time ahead")

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` business minutes after ``start``."""
        return self.add_business_time(start, timedelta(minutes=minutes))

    def business_time(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``, exactly (zero when end is not after start)."""
        _require_aware(start)
        _require_aware(end)
        if end <= start:
            return timedelta(0)
        first, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        if (last - first).days > STEP_DAYS and _fixed_offset(self.tz):
            # Whole weeks between the Monday after ``first`` and the Monday on or before
            # ``last`` are counted arithmetically; the ragged ends are stepped.
            monday_after = first + timedelta(days=7 - first.weekday())
            last_monday = last - timedelta(days=last.weekday())
            head_end = datetime.combine(monday_after, time(0), self.zone)
            tail_start = datetime.combine(last_monday, time(0), self.zone)
            return (
                self._stepped(start, head_end)
                + self._whole_weeks(monday_after, last_monday)
                + self._stepped(tail_start, end)
            )
        return self._stepped(start, end)

    def _week_time(self, monday: date) -> timedelta:
        """Working time of the week starting on ``monday``."""
        if _fixed_offset(self.tz):
            return self._whole_weeks(monday, monday + timedelta(days=7))
        start = datetime.combine(monday, time(0), self.zone)
        return self._stepped(
            start, datetime.combine(monday + timedelta(days=7), time(0), self.zone)
        )

    def _whole_weeks(self, monday: date, until: date) -> timedelta:
        """Working time of the whole weeks from ``monday`` to ``until`` (a later Monday)."""
        day_minutes = {day: sum(b - a for a, b in slots) for day, slots in self._slots.items()}
        minutes = (until - monday).days // 7 * sum(day_minutes.values())
        closed = {d for d in self._extra_holidays if monday <= d < until}
        if self.india_holidays:
            for year in range(monday.year, until.year + 1):
                closed |= {d for d in india_holidays(year, self.subdiv) if monday <= d < until}
        special = {d: slots for d, slots in self._special.items() if monday <= d < until}
        closed -= set(special)
        minutes -= sum(day_minutes.get(d.weekday(), 0) for d in closed)
        for day, slots in special.items():
            minutes += sum(b - a for a, b in slots) - day_minutes.get(day.weekday(), 0)
        return timedelta(minutes=minutes)

    def _stepped(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``, day by day."""
        if end <= start:
            return timedelta(0)
        a, b = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date()
        while day <= last:
            for begin, stop in self.working_intervals(day):
                lo, hi = max(begin, a), min(stop, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole business minutes from ``start`` to ``end`` (0 when end is not after start)."""
        return int(self.business_time(start, end) // timedelta(minutes=1))

    def is_working(self, moment: datetime) -> bool:
        """True when ``moment`` lies inside a slot (its start included, its end not)."""
        _require_aware(moment)
        moment = moment.astimezone(UTC)
        day = moment.astimezone(self.zone).date()
        return any(
            begin <= moment < end
            for d in (day - timedelta(days=1), day)
            for begin, end in self.working_intervals(d)
        )


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("aware datetimes only")


@dataclass(frozen=True)
class PolicyTargets:
    """A policy's targets in business minutes, as code knows them (the database may differ)."""

    name: str
    priority: str
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    mentor_response_minutes: int
    calendar: str = "default"


#: business minutes; a 9-hour working day is 540 minutes
DEFAULT_POLICIES: dict[str, PolicyTargets] = {
    p.priority: p
    for p in (
        PolicyTargets("Urgent", "urgent", 30, 60, 540, 120),
        PolicyTargets("High", "high", 60, 120, 1080, 240),
        PolicyTargets("Normal", "normal", 240, 480, 2700, 540),
        PolicyTargets("Low", "low", 540, 1080, 5400, 1080),
    )
}


@lru_cache(maxsize=1)
def default_calendar() -> BusinessCalendar:
    """The contract's calendar: Mon-Sat 09:00-18:00 IST, closed on India's national holidays."""
    return BusinessCalendar(india_holidays=True)
