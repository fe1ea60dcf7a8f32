"""SLA reports on hand-computed histories (times in IST).

November 2026: Sat 21, Sun 22, Mon 23, Tue 24 (Guru Nanak's Birthday, a national holiday),
Wed 25 ... Sat 28, Sun 29, Mon 30. Default calendar Mon-Sat 09:00-18:00; the Kerala
policy's calendar has a lunch break 13:00-14:00.

Percentiles: PostgreSQL's percentile_cont, position p * (n - 1) among the sorted values.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.reports.queries import GROUP_KEYS
from helpdesk.sla.configuration import install_defaults
from helpdesk.sla.models import SlaCalendar, SlaPolicy
from helpdesk.sla.timers import reconcile_sla
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.timeutil import utcnow

IST = ZoneInfo("Asia/Kolkata")
RANGE = "from=2026-11-21&to=2026-11-30"


def at(day, hour, minute=0, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


@pytest.fixture
def agent(make_user):
    return make_user("agent", email="asha@example.org", name="Asha")


@pytest.fixture
def manager(make_user):
    return make_user("manager")


def create(agent, block, when, priority="normal", category="business-plan", subject="Loan papers"):
    data = TicketCreate.model_validate(
        {
            "subject": subject,
            "description": "Which documents does the bank need?",
            "category": category,
            "priority": priority,
            "channel": "phone",
            "language": "hi",
            "block": block.code,
            "requester": {"name": "Sunita Devi", "phone": "9876543210"},
        }
    )
    return services.create_ticket(data, agent, now=when)


def reply(ticket, author, when):
    return services.add_message(ticket, author, MessageCreate(body="..."), now=when)


def requester_says(ticket, when):
    return services.add_message(
        ticket,
        None,
        MessageCreate(body="Any news?"),
        channel="sms",
        contact=ticket.requester,
        now=when,
    )


def set_status(ticket, actor, status, when):
    return services.update_ticket(ticket, actor, TicketUpdate(status=status), now=when)


@pytest.fixture
def histories(app, agent, make_block):
    """Five tickets whose minutes are worked out by hand below."""
    install_defaults()
    db.session.add(
        SlaCalendar(
            name="kerala",
            tz="Asia/Kolkata",
            india_holidays=True,
            state_holidays=False,
            hours={str(d): [["09:00", "13:00"], ["14:00", "18:00"]] for d in range(6)},
        )
    )
    db.session.add(
        SlaPolicy(
            name="Kerala",
            priority="normal",
            state_code="IN-KL",
            first_response_minutes=120,
            next_response_minutes=240,
            resolution_minutes=2160,
            mentor_response_minutes=240,
            calendar="kerala",
        )
    )
    db.session.commit()
    khuntpani = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    begun = make_block(code="RJ-BEGUN", name="Begun", district="Chittorgarh", state="IN-RJ")
    kochi = make_block(code="KL-VADAVUCODE", name="Vadavucode", district="Ernakulam", state="IN-KL")

    # A (Normal 240/2700): Sat 16:00 → reply Mon 11:30 = 120 + 150 = 270 (breached);
    # resolved Wed 10:00 = 120 Sat + 540 Mon + Tue holiday + 60 Wed = 720 (met)
    a = create(agent, khuntpani, at(21, 16))
    reply(a, agent, at(23, 11, 30))
    set_status(a, agent, "resolved", at(25, 10))
    # B (Urgent 30/540): Wed 17:00 → reply 17:10 = 10; pending 17:20 (20 used), the
    # requester reopens Thu 11:00, resolved Thu 12:00: 20 + 60 = 80
    b = create(agent, khuntpani, at(25, 17), priority="urgent", category="bank-linkage")
    reply(b, agent, at(25, 17, 10))
    set_status(b, agent, "pending", at(25, 17, 20))
    requester_says(b, at(26, 11))
    set_status(b, agent, "resolved", at(26, 12))
    # C (High 60/1080): Fri 09:00 → reply 09:30 = 30; resolved 12:00 (180), reopened by
    # the requester Mon 30 10:00, resolved again 11:00: 180 + 60 = 240
    c = create(agent, begun, at(27, 9), priority="high")
    reply(c, agent, at(27, 9, 30))
    set_status(c, agent, "resolved", at(27, 12))
    requester_says(c, at(30, 10))
    set_status(c, agent, "resolved", at(30, 11))
    # D (Kerala, lunch 13-14): Wed 12:30 → reply 14:30 = 30 + 30 = 60 (met); still open
    d = create(agent, kochi, at(25, 12, 30))
    reply(d, agent, at(25, 14, 30))
    # E (Urgent): Mon 30 09:00, nobody answers; the reconciler records the breach at 10:00
    e = create(agent, begun, at(30, 9), priority="urgent")
    reconcile_sla(at(30, 10))
    db.session.expire_all()
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_tickets_store_business_minutes_and_breach_flags(histories):
    got = {
        name: (
            t.first_response_minutes,
            t.resolution_minutes,
            t.first_response_breached,
            t.resolution_breached,
        )
        for name, t in histories.items()
    }
    assert got == {
        "A": (270, 720, True, False),
        "B": (10, 80, False, False),
        "C": (30, 240, False, False),
        "D": (60, None, False, False),
        "E": (None, None, True, False),
    }


def test_report_by_state_equals_the_hand_computed_minutes(histories, api_as, manager):
    response = api_as(manager).get(f"/api/v1/reports/sla?{RANGE}&group_by=state")
    assert response.status_code == 200
    report = response.json
    rows = {row["key"]: row for row in report["rows"]}
    assert list(rows) == ["IN-JH", "IN-RJ", "IN-KL"] or set(rows) == {"IN-JH", "IN-RJ", "IN-KL"}
    # Jharkhand: A and B. First response 270 (breached) and 10; resolution 720 and 80.
    assert rows["IN-JH"]["tickets"] == 2 and rows["IN-JH"]["label"] == "Jharkhand"
    assert rows["IN-JH"]["first_response"] == {
        "met": 1,
        "breached": 1,
        "open": 0,
        "median_minutes": 140.0,
        "p90_minutes": 244.0,
        "compliance_percent": 50.0,
    }
    assert rows["IN-JH"]["resolution"] == {
        "met": 2,
        "breached": 0,
        "open": 0,
        "median_minutes": 400.0,
        "p90_minutes": 656.0,
        "compliance_percent": 100.0,
    }
    # Rajasthan: C (30 / 240) and E (no answer, breached; unresolved)
    assert rows["IN-RJ"]["first_response"] == {
        "met": 1,
        "breached": 1,
        "open": 0,
        "median_minutes": 30.0,
        "p90_minutes": 30.0,
        "compliance_percent": 50.0,
    }
    assert rows["IN-RJ"]["resolution"] == {
        "met": 1,
        "breached": 0,
        "open": 1,
        "median_minutes": 240.0,
        "p90_minutes": 240.0,
        "compliance_percent": 100.0,
    }
    # Kerala: D, answered in 60 minutes across the lunch break, not resolved
    assert rows["IN-KL"]["first_response"]["median_minutes"] == 60.0
    assert rows["IN-KL"]["resolution"] == {
        "met": 0,
        "breached": 0,
        "open": 1,
        "median_minutes": None,
        "p90_minutes": None,
        "compliance_percent": None,
    }
    # All five: first response [10, 30, 60, 270]: median at 1.5 → 45, p90 at 2.7 → 60 + 0.7 × 210
    # resolution [80, 240, 720]: median 240, p90 at 1.8 → 240 + 0.8 × 480
    assert report["totals"]["tickets"] == 5
    assert report["totals"]["first_response"] == {
        "met": 3,
        "breached": 2,
        "open": 0,
        "median_minutes": 45.0,
        "p90_minutes": 207.0,
        "compliance_percent": 60.0,
    }
    assert report["totals"]["resolution"] == {
        "met": 3,
        "breached": 0,
        "open": 2,
        "median_minutes": 240.0,
        "p90_minutes": 624.0,
        "compliance_percent": 100.0,
    }
    assert (report["from"], report["to"], report["group_by"]) == (
        "2026-11-21",
        "2026-11-30",
        "state",
    )


def test_date_range_is_inclusive_ist_days_on_creation(
    histories, api_as, manager, agent, make_block
):
    client = api_as(manager)
    # E was created on Monday 30th: a range ending on Sunday 29th leaves it out
    report = client.get("/api/v1/reports/sla?from=2026-11-21&to=2026-11-29&group_by=priority").json
    assert report["totals"]["tickets"] == 4
    assert {r["key"]: r["tickets"] for r in report["rows"]} == {"normal": 2, "urgent": 1, "high": 1}
    # 00:10 IST on 1 December is 30 November in UTC: it belongs to 1 December
    create(agent, make_block(), at(1, 0, 10, month=12), priority="low")
    assert client.get(f"/api/v1/reports/sla?{RANGE}").json["totals"]["tickets"] == 5
    only = client.get("/api/v1/reports/sla?from=2026-12-01&to=2026-12-01&group_by=priority").json
    assert [(r["key"], r["tickets"]) for r in only["rows"]] == [("low", 1)]
    assert only["totals"]["first_response"]["open"] == 1
    # one day: Saturday 21st holds A alone
    assert (
        client.get("/api/v1/reports/sla?from=2026-11-21&to=2026-11-21").json["totals"]["tickets"]
        == 1
    )


def test_default_range_is_the_last_30_days(app, api_as, manager, agent, make_block):
    block = make_block()
    create(agent, block, utcnow() - timedelta(days=3))
    create(agent, block, utcnow() - timedelta(days=45))
    report = api_as(manager).get("/api/v1/reports/sla").json
    assert report["totals"]["tickets"] == 1 and report["group_by"] == "state"
    assert report["to"] == utcnow().astimezone(IST).date().isoformat()


def test_every_group_by_key(histories, api_as, manager, agent, make_user):
    mentor = make_user("mentor", email="meera@example.org", name="Meera")
    services.update_ticket(histories["D"], agent, TicketUpdate(assignee=agent.id), now=at(25, 15))
    histories["D"].mentor = mentor  # as an escalation leaves it (escalate() runs on real time)
    db.session.commit()
    expected = {
        "state": {"IN-JH": 2, "IN-RJ": 2, "IN-KL": 1},
        "district": {"IN-JH/West Singhbhum": 2, "IN-RJ/Chittorgarh": 2, "IN-KL/Ernakulam": 1},
        "block": {"JH-KHUNTPANI": 2, "RJ-BEGUN": 2, "KL-VADAVUCODE": 1},
        "category": {"business-plan": 4, "bank-linkage": 1},
        "agent": {"asha@example.org": 1, None: 4},
        "mentor": {"meera@example.org": 1, None: 4},
        "channel": {"phone": 5},
        "language": {"hi": 5},
        "priority": {"normal": 2, "urgent": 2, "high": 1},
    }
    assert set(expected) == set(GROUP_KEYS)
    for group_by, counts in expected.items():
        report = api_as(manager).get(f"/api/v1/reports/sla?{RANGE}&group_by={group_by}").json
        assert {r["key"]: r["tickets"] for r in report["rows"]} == counts, group_by
        assert report["totals"]["tickets"] == 5
    labels = {
        r["key"]: r["label"]
        for r in api_as(manager).get(f"/api/v1/reports/sla?{RANGE}&group_by=agent").json["rows"]
    }
    assert labels == {"asha@example.org": "Asha", None: "Unassigned"}
    rows = api_as(manager).get(f"/api/v1/reports/sla?{RANGE}&group_by=mentor").json["rows"]
    meera = next(r for r in rows if r["key"] == "meera@example.org")
    assert meera["first_response"]["median_minutes"] == 60.0


def test_roles(app, api_as, client, make_user):
    for role, status in [
        ("manager", 200),
        ("admin", 200),
        ("agent", 403),
        ("mentor", 403),
        ("brc", 403),
    ]:
        for path in ("/api/v1/reports/sla", "/api/v1/reports/backlog", "/api/v1/reports/trend"):
            assert api_as(make_user(role)).get(path).status_code == status, (role, path)
    assert client.get("/api/v1/reports/sla").status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-13-01", "from"),
        ("from=21-11-2026", "from"),
        ("to=yesterday", "to"),
        ("from=2026-11-30&to=2026-11-01", "from"),
        ("group_by=district;drop", "group_by"),
        ("group_by=status", "group_by"),
        ("format=xlsx", "format"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(app, api_as, manager, query, field):
    response = api_as(manager).get(f"/api/v1/reports/sla?{query}")
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_bad_backlog_and_trend_parameters(app, api_as, manager):
    client = api_as(manager)
    assert client.get("/api/v1/reports/backlog?group_by=colour").json["error"]["fields"] == {
        "group_by": "must be one of " + ", ".join(GROUP_KEYS)
    }
    for weeks in ("0", "105", "-3", "ten"):
        response = client.get(f"/api/v1/reports/trend?weeks={weeks}")
        assert response.status_code == 422 and "weeks" in response.json["error"]["fields"]


def test_backlog_counts_open_tickets_by_age(app, api_as, manager, agent, make_block):
    now = utcnow()
    jh, rj = make_block(), make_block(district="Chittorgarh", state="IN-RJ")
    for hours, block in [(1, jh), (10, jh), (48, rj), (120, jh), (240, rj), (241, rj)]:
        create(agent, block, now - timedelta(hours=hours))
    solved = create(agent, jh, now - timedelta(hours=2))
    set_status(solved, agent, "resolved", now - timedelta(hours=1))
    report = api_as(manager).get("/api/v1/reports/backlog").json
    assert report["buckets"] == ["0-4h", "4-24h", "1-3d", "3-7d", ">7d"]
    assert report["totals"] == {
        "total": 6,
        "buckets": {"0-4h": 1, "4-24h": 1, "1-3d": 1, "3-7d": 1, ">7d": 2},
    }
    assert report["rows"] == []
    by_state = api_as(manager).get("/api/v1/reports/backlog?group_by=state").json["rows"]
    assert [(r["key"], r["total"], r["buckets"][">7d"]) for r in by_state] == [
        ("IN-JH", 3, 0),
        ("IN-RJ", 3, 2),
    ]


def test_trend_counts_created_resolved_and_compliance_per_week(
    app, api_as, manager, agent, make_block
):
    now = utcnow()
    block = make_block()
    last_week = now - timedelta(days=7)
    quick = create(agent, block, last_week, priority="urgent")
    reply(quick, agent, last_week + timedelta(minutes=1))  # at most 1 business minute: met
    slow = create(agent, block, last_week, priority="urgent")
    reply(slow, agent, now - timedelta(minutes=5))  # days of business time later: breached
    set_status(slow, agent, "resolved", now - timedelta(minutes=4))
    create(agent, block, now)
    weeks = api_as(manager).get("/api/v1/reports/trend?weeks=3").json["weeks"]
    assert len(weeks) == 3
    monday = now.astimezone(IST).date() - timedelta(days=now.astimezone(IST).weekday())
    assert [w["week_start"] for w in weeks] == [
        (monday - timedelta(weeks=n)).isoformat() for n in (2, 1, 0)
    ]
    assert [(w["created"], w["resolved"]) for w in weeks] == [(0, 0), (2, 0), (1, 1)]
    assert weeks[1]["first_response_compliance_percent"] == 50.0
    assert weeks[0]["first_response_compliance_percent"] is None
    assert api_as(manager).get("/api/v1/reports/trend").json["weeks"].__len__() == 12


def test_reports_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/reports/sla", "/api/v1/reports/backlog", "/api/v1/reports/trend"):
        assert "Roles: manager, admin." in paths[path]["get"]["description"]


def test_ticket_list_queries_do_not_grow_with_the_page(
    app, api_as, manager, make_ticket, make_user
):
    """The queue loads its relations in a fixed number of statements (no N+1)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for(path):
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert api_as(manager).get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def assigned_ticket():
        ticket = make_ticket(actor=make_user("agent"))
        services.update_ticket(ticket, manager, TicketUpdate(assignee=make_user("agent").id))

    for _ in range(3):
        assigned_ticket()
    few = queries_for("/api/v1/tickets?status=open")
    for _ in range(12):
        assigned_ticket()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 15
    assert queries_for("/api/v1/tickets?status=open") == few


def test_queue_tabs_stop_counting_at_the_cap(
    app, client, login_as, make_user, make_ticket, monkeypatch
):
    from helpdesk.tickets import queries

    monkeypatch.setattr(queries, "STATUS_COUNT_CAP", 2)
    agent = make_user("agent")
    for _ in range(3):
        make_ticket(actor=agent)
    login_as(agent)
    html = client.get("/tickets").get_data(as_text=True)
    assert re.search(r'New <span class="count">2\+</span>', html)
    assert re.search(r'Closed <span class="count">0</span>', html)
    assert api_total(app, agent) == 3  # the list's own total stays exact


def api_total(app, user):
    from helpdesk.agents.services import issue_token

    response = app.test_client().get(
        "/api/v1/tickets?status=new", headers={"Authorization": f"Bearer {issue_token(user)}"}
    )
    return response.json["total"]


def test_sla_backfill_stores_the_figures_of_older_tickets(histories, runner):
    db.session.execute(
        sa.update(Ticket).values(
            first_response_minutes=None,
            resolution_minutes=None,
            first_response_breached=False,
            resolution_breached=False,
        )
    )
    db.session.commit()
    result = runner.invoke(args=["sla", "backfill", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "stored the SLA figures of 5 ticket(s)" in result.output
    db.session.expire_all()
    a, e = histories["A"], histories["E"]
    assert (a.first_response_minutes, a.resolution_minutes, a.first_response_breached) == (
        270,
        720,
        True,
    )
    assert (e.first_response_minutes, e.first_response_breached) == (None, True)
    assert histories["C"].resolution_minutes == 240


@pytest.mark.parametrize("seed", [1, 2])
def test_percentiles_match_linear_interpolation_between_ranks(
    app, api_as, manager, make_ticket, make_user, make_block, seed
):
    """Against an independent implementation: statistics.quantiles(method="inclusive") is
    the same definition (position p * (n - 1), linear between neighbours)."""
    import random
    import statistics

    rng = random.Random(seed)
    agent, block = make_user("agent"), make_block()
    ids = [make_ticket(actor=agent, block=block.code).id for _ in range(rng.randint(7, 13))]
    minutes = {i: rng.randint(0, 3000) for i in ids}
    for ticket_id, value in minutes.items():
        db.session.execute(
            sa.update(Ticket).where(Ticket.id == ticket_id).values(first_response_minutes=value)
        )
    db.session.commit()
    figures = api_as(manager).get("/api/v1/reports/sla?group_by=block").json["rows"][0]
    cuts = statistics.quantiles(sorted(minutes.values()), n=10, method="inclusive")
    assert figures["first_response"]["median_minutes"] == round(cuts[4], 1)
    assert figures["first_response"]["p90_minutes"] == round(cuts[8], 1)
