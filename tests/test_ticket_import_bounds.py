"""Historical import within bounds: no history before IMPORT_EARLIEST, status events
without a body, and SLA clocks over decades computed week by week, not day by day."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.extensions import db
from helpdesk.sla.calendar import BusinessCalendar, default_calendar
from helpdesk.sla.configuration import install_defaults
from helpdesk.tickets.models import Ticket
from tests.test_ticket_import import counts, people, ticket_a  # noqa: F401  (fixture)


@pytest.fixture
def manager_api(api_as, people):  # noqa: F811
    return api_as(people["manager"])


def long_ticket(year: int, *, resolved: bool):
    """Created in ``year``, answered, paused for years, reopened, maybe resolved decades on."""
    events = [
        {
            "at": f"{year}-01-05T10:00:00+05:30",
            "type": "reply",
            "by": "agent@example.org",
            "body": "Noted.",
        },
        {
            "at": f"{year + 1}-01-05T10:00:00+05:30",
            "type": "status",
            "by": "agent@example.org",
            "status": "pending",
        },
        {"at": f"{year + 6}-03-02T10:00:00+05:30", "type": "reply", "body": "Any news?"},
    ]
    if resolved:
        events.append(
            {
                "at": "2025-01-06T10:00:00+05:30",
                "type": "status",
                "by": "agent@example.org",
                "status": "resolved",
            }
        )
    return ticket_a(created_at=f"{year}-01-03T10:00:00+05:30", events=events)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"created_at": "1900-01-02T10:00:00+05:30", "events": []}, "tickets[0].created_at"),
        ({"created_at": "0001-01-01T00:00:00+00:00", "events": []}, "tickets[0].created_at"),
        ({"created_at": "1999-12-31T18:29:59+00:00", "events": []}, "tickets[0].created_at"),
        ({"created_at": "0001-01-01T00:00:00+05:30", "events": []}, "tickets[0].created_at"),
    ],
)
def test_history_before_2000_is_refused(manager_api, change, field):
    before = counts()
    res = manager_api.post("/api/v1/tickets/import", json={"tickets": [ticket_a(**change)]})
    assert res.status_code == 422, res.json
    assert res.json["error"]["fields"][field] == "before 2000-01-01"
    assert counts() == before


def test_the_earliest_day_is_configurable(app, manager_api):
    app.config["IMPORT_EARLIEST"] = "2026-10-02"
    res = manager_api.post("/api/v1/tickets/import", json={"tickets": [ticket_a()]})
    assert res.status_code == 422
    assert res.json["error"]["fields"]["tickets[0].created_at"] == "before 2026-10-02"
    app.config["IMPORT_EARLIEST"] = "2026-10-01"
    assert (
        manager_api.post("/api/v1/tickets/import", json={"tickets": [ticket_a()]}).status_code
        == 201
    )


def test_the_first_day_allowed_imports(manager_api):
    item = ticket_a(created_at="2000-01-01T00:00:00+00:00", events=[])
    assert manager_api.post("/api/v1/tickets/import", json={"tickets": [item]}).status_code == 201


@pytest.mark.parametrize("body", [None, "", "   ", "\u200b", "missing"])
def test_status_events_may_have_no_body(manager_api, body):
    item = ticket_a()
    for event in item["events"]:
        if event["type"] == "status":
            if body == "missing":
                event.pop("body", None)
            else:
                event["body"] = body
    res = manager_api.post("/api/v1/tickets/import", json={"tickets": [item]})
    assert res.status_code == 201, res.json
    assert db.session.get(Ticket, res.json["ids"][0]).status == "resolved"


@pytest.mark.parametrize("body", ["", "  ", "\u200b\ufeff"])
def test_replies_still_need_a_body(manager_api, body):
    item = ticket_a()
    item["events"][0]["body"] = body
    res = manager_api.post("/api/v1/tickets/import", json={"tickets": [item]})
    assert res.status_code == 422
    assert res.json["error"]["fields"]["tickets[0].events[0].body"] == "required"


def test_decades_of_history_replay_in_bounded_work(manager_api, monkeypatch):
    """30 tickets from 2000, open or resolved in 2025: the SLA clocks over 25 years count
    whole weeks arithmetically. Stepping day by day read ~9,000 days per clock (seconds of
    SQLite's write lock per batch, 75 s for history from 1900)."""
    days_read = 0
    original = BusinessCalendar.working_intervals

    def counting(self, day):
        nonlocal days_read
        days_read += 1
        return original(self, day)

    monkeypatch.setattr(BusinessCalendar, "working_intervals", counting)
    batch = [long_ticket(2000 + i % 5, resolved=i % 2 == 0) for i in range(30)]
    res = manager_api.post("/api/v1/tickets/import", json={"tickets": batch})
    assert res.status_code == 201, res.json
    assert days_read < 30 * 2_000, days_read
    resolved = db.session.get(Ticket, res.json["ids"][0])
    assert resolved.status == "resolved"
    # a 1-year pause and 19 years of open time in business minutes, about 9 h a working day
    assert 19 * 300 * 540 < resolved.resolution_minutes < 20 * 312 * 540


CALENDARS = [
    default_calendar(),
    BusinessCalendar(
        hours={
            0: [("09:00", "13:00"), ("14:00", "18:00")],
            2: [("00:00", "24:00")],
            6: [("22:00", "24:00")],
        },
        holidays={date(2010, 1, 4), date(2012, 5, 5), date(2020, 3, 3)},
        india_holidays=True,
        subdiv="KL",
    ),
    BusinessCalendar(tz="Europe/Berlin"),  # daylight saving: always stepped
]
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def _step_by_day(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    return calendar._stepped(start, end)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    calendar=st.sampled_from(CALENDARS),
    start=MOMENTS,
    span=st.one_of(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
    ),
)
def test_weekly_business_time_equals_stepping_day_by_day(calendar, start, span):
    assert calendar.business_time(start, start + span) == _step_by_day(
        calendar, start, start + span
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    calendar=st.sampled_from(CALENDARS),
    start=MOMENTS,
    minutes=st.one_of(st.integers(0, 3000), st.integers(0, 366 * 24 * 60)),
)
def test_adding_long_targets_lands_where_the_business_time_says(calendar, start, minutes):
    due = calendar.add_minutes(start, minutes)
    assert _step_by_day(calendar, start, due) == timedelta(minutes=minutes)
    # the answer lies inside a slot or at its end (a zero target: start moved to working time)
    assert minutes == 0 or calendar.is_working(due - timedelta(microseconds=1))


def test_a_year_long_target_has_a_due_date(api_as, make_user, make_ticket):
    """Policies allow up to 366 days of business minutes (about three years of working
    days): tickets get a due date instead of "no working time ahead" (a 500)."""
    install_defaults()
    db.session.commit()
    admin = api_as(make_user("admin"))
    policies = admin.get("/api/v1/sla/policies").json["items"]
    normal = next(p for p in policies if p["priority"] == "normal")
    res = admin.patch(
        f"/api/v1/sla/policies/{normal['id']}", json={"resolution_minutes": 366 * 24 * 60}
    )
    assert res.status_code == 200, res.json
    res = admin.post(
        "/api/v1/tickets",
        json={
            "subject": "Loan papers",
            "description": "Which documents?",
            "category": "business-plan",
            "block": make_ticket().block.code,
        },
    )
    assert res.status_code == 201, res.json
    due = datetime.fromisoformat(res.json["sla"]["resolution_due"])
    assert due.year in (2029, 2030, 2031)


def test_times_from_year_1_or_9999_are_named_not_a_500(manager_api):
    item = ticket_a()
    item["events"][0]["at"] = "9999-12-31T23:59:59-05:00"
    item["events"][1]["at"] = "0001-01-01T00:00:00+05:30"
    res = manager_api.post("/api/v1/tickets/import", json={"tickets": [item]})
    assert res.status_code == 422
    fields = res.json["error"]["fields"]
    assert fields["tickets[0].events[0].at"] == "in the future"
    assert fields["tickets[0].events[1].at"] == "earlier than the event before it"


def test_a_json_file_nested_too_deeply_is_refused(runner, people, tmp_path):  # noqa: F811
    path = tmp_path / "calls.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(args=["tickets", "import", str(path)])
    assert result.exit_code == 1 and "nested too deeply" in result.output
