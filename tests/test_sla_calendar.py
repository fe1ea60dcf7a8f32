"""Business time: hand-computed cases and properties of BusinessCalendar."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.sla.calendar import BusinessCalendar, default_calendar

IST = ZoneInfo("Asia/Kolkata")
LUNCH = {d: [("09:00", "13:00"), ("14:00", "18:00")] for d in range(6)}


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST)


# --- hand-computed --------------------------------------------------------------------


def test_saturday_evening_runs_into_monday_across_sunday():
    # Sat 21 Nov 17:30 → 30 min that day, Sunday closed, 30 more on Monday 23rd
    assert default_calendar().add_minutes(at(21, 17, 30), 60) == at(23, 9, 30)
    assert default_calendar().minutes_between(at(21, 17, 30), at(23, 9, 30)) == 60


def test_national_holiday_is_closed():
    # Mon 23 Nov 17:00 + 120: 60 left Monday, Tue 24 Nov (Guru Nanak's Birthday) closed
    assert default_calendar().add_minutes(at(23, 17), 120) == at(25, 10)


def test_lunch_break_does_not_count():
    cal = BusinessCalendar(hours=LUNCH)
    assert cal.add_minutes(at(25, 12, 30), 60) == at(25, 14, 30)
    assert cal.minutes_between(at(25, 12), at(25, 15)) == 120
    assert cal.minutes_between(at(25, 13), at(25, 14)) == 0
    # starting inside the break counts from 14:00
    assert cal.add_minutes(at(25, 13, 20), 10) == at(25, 14, 10)


def test_a_slot_boundary_is_consistent():
    cal = default_calendar()
    # ending exactly at 18:00 stays there; starting at 18:00 begins the next working day
    assert cal.add_minutes(at(25, 17), 60) == at(25, 18)
    assert cal.add_minutes(at(25, 18), 1) == at(26, 9, 1)
    assert cal.add_minutes(at(25, 18), 0) == at(26, 9)
    assert cal.minutes_between(at(25, 17), at(25, 18)) == 60
    assert cal.minutes_between(at(25, 18), at(26, 9)) == 0
    assert cal.is_working(at(25, 9)) and not cal.is_working(at(25, 18))
    lunch = BusinessCalendar(hours=LUNCH)
    assert lunch.add_minutes(at(25, 12), 60) == at(25, 13)
    assert lunch.add_minutes(at(25, 13), 1) == at(25, 14, 1)


def test_admin_added_holiday_and_state_holidays():
    admin_closed = BusinessCalendar(india_holidays=True, holidays={date(2026, 11, 25)})
    # Tue 24 (national) and Wed 25 (admin) closed
    assert admin_closed.add_minutes(at(23, 17, 30), 60) == at(26, 9, 30)
    kerala = BusinessCalendar(india_holidays=True, subdiv="KL")
    # Onam: 25-28 Aug 2026 are Kerala holidays, not national ones
    assert kerala.add_minutes(at(24, 17, month=8), 120) == at(29, 10, month=8)
    assert default_calendar().add_minutes(at(24, 17, month=8), 120) == at(25, 10, month=8)


def test_overlapping_slots_are_merged_and_bad_ones_refused():
    cal = BusinessCalendar(hours={0: [("09:00", "12:00"), ("11:00", "13:00")]})
    assert cal.minutes_between(at(23, 8), at(23, 20)) == 240
    with pytest.raises(ValueError):
        BusinessCalendar(hours={0: [("18:00", "09:00")]})
    with pytest.raises(ValueError):
        BusinessCalendar(hours={7: [("09:00", "18:00")]})


def test_aware_in_aware_out_in_the_callers_zone():
    start = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 09:30 IST
    result = default_calendar().add_minutes(start, 30)
    assert result.tzinfo is UTC and result == at(25, 10)


def test_daylight_saving_zone_counts_real_minutes():
    # Europe/London springs forward on Sun 29 Mar 2026; a 24-hour slot that day has 23 hours
    cal = BusinessCalendar(tz="Europe/London", hours={6: [("00:00", "24:00")]})
    london = ZoneInfo("Europe/London")
    day_start = datetime(2026, 3, 29, 0, 0, tzinfo=london)
    assert cal.minutes_between(day_start, day_start + timedelta(days=2)) == 23 * 60


# --- properties ----------------------------------------------------------------------

CALENDARS = [default_calendar(), BusinessCalendar(hours=LUNCH, holidays={date(2026, 11, 25)})]
moments = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
amounts = st.integers(min_value=0, max_value=6000)
calendars = st.sampled_from(CALENDARS)
SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(calendars, moments, amounts)
def test_add_then_measure_round_trips(cal, start, minutes):
    end = cal.add_minutes(start, minutes)
    assert end >= start
    assert cal.minutes_between(start, end) == minutes


@SETTINGS
@given(calendars, moments, moments, moments)
def test_minutes_between_is_additive_over_a_split_point(cal, a, b, c):
    start, middle, end = sorted((a, b, c))
    assert cal.minutes_between(start, end) == (
        cal.minutes_between(start, middle) + cal.minutes_between(middle, end)
    )
    assert cal.minutes_between(start, end) <= (end - start) / timedelta(minutes=1)
    assert cal.minutes_between(end, start) == 0


@SETTINGS
@given(calendars, moments, moments, amounts, amounts)
def test_add_minutes_is_monotonic(cal, a, b, m, n):
    (a, b), (m, n) = sorted((a, b)), sorted((m, n))
    assert cal.add_minutes(a, m) <= cal.add_minutes(a, n)
    assert cal.add_minutes(a, m) <= cal.add_minutes(b, m)


@SETTINGS
@given(calendars, moments, amounts)
def test_results_lie_in_working_time_or_at_a_slot_end(cal, start, minutes):
    end = cal.add_minutes(start, minutes)
    if minutes == 0:
        assert cal.is_working(end)
    else:
        # inside a slot, or exactly at its end: the minute just before was working time
        assert cal.is_working(end - timedelta(seconds=1))


@SETTINGS
@given(calendars, moments, amounts, amounts)
def test_adding_in_two_steps_equals_adding_once(cal, start, m, n):
    assert cal.minutes_between(start, cal.add_minutes(cal.add_minutes(start, m), n)) == m + n
