"""SLA rules through the ticket services, on hand-computed scenarios (times in IST).

November 2026: Sat 21, Sun 22, Mon 23, Tue 24 (Guru Nanak's Birthday, a national holiday),
Wed 25 ... Sat 28, Sun 29, Mon 30. Default calendar: Mon-Sat 09:00-18:00.
"""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.sla.configuration import install_defaults, update_policy
from helpdesk.sla.models import SlaCalendar, SlaPolicy
from helpdesk.sla.policies import evaluate_ticket
from helpdesk.sla.timers import check_ticket, reconcile_sla
from helpdesk.tickets import services
from helpdesk.tickets.models import TicketEvent
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.timeutil import utcnow

IST = ZoneInfo("Asia/Kolkata")


def at(day, hour, minute=0, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


@pytest.fixture
def agent(make_user):
    return make_user("agent")


@pytest.fixture
def open_ticket(agent, make_block):
    def create(when, priority="normal", category="business-plan", block=None):
        block = block or make_block()
        data = TicketCreate.model_validate(
            {
                "subject": "Loan papers",
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

    return create


def reply(ticket, author, when, internal=False):
    return services.add_message(
        ticket, author, MessageCreate(body="...", internal=internal), now=when
    )


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


def events(ticket, kind):
    return db.session.scalars(
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        .order_by(TicketEvent.id)
    ).all()


def test_first_response_crosses_the_weekend_and_only_a_public_staff_reply_counts(
    open_ticket, agent, run_jobs
):
    ticket = open_ticket(at(21, 16))  # Saturday 16:00, Normal: 240 / 2700 minutes
    assert ticket.sla_policy == "Normal"
    # 120 on Saturday, Sunday closed, 120 on Monday
    assert ticket.first_response_due == at(23, 11)
    # Sat 120, Mon 540, Tue closed, Wed-Fri 3 x 540, Sat 28 420 more
    assert ticket.resolution_due == at(28, 16)

    run_jobs()  # the automatic acknowledgement
    reply(ticket, agent, at(23, 10), internal=True)
    requester_says(ticket, at(23, 10, 30))
    assert ticket.first_response_at is None and ticket.sla_breached == []
    assert any(m.automatic for m in ticket.messages)  # the acknowledgement does not count

    reply(ticket, agent, at(23, 11, 30))
    assert ticket.first_response_at == at(23, 11, 30)
    assert ticket.sla_breached == ["first_response"]
    assert [e.new_value for e in events(ticket, "sla_breach")] == ["first_response"]


def test_pending_stops_the_clocks_and_a_requester_reply_restarts_them(open_ticket, agent, api_as):
    ticket = open_ticket(at(25, 17), priority="urgent")  # 30 / 60 / 540 minutes
    assert ticket.resolution_due == at(26, 17)
    reply(ticket, agent, at(25, 17, 10))
    set_status(ticket, agent, "pending", at(25, 17, 20))  # 20 resolution minutes used
    assert api_as(agent).get(f"/api/v1/tickets/{ticket.id}").json["sla"]["paused"] is True

    requester_says(ticket, at(26, 11))  # reopens: paused Wed 17:20-18:00 and Thu 09:00-11:00
    assert ticket.status == "open"
    # 520 minutes left from Thu 11:00: 420 on Thursday, 100 on Friday
    assert ticket.resolution_due == at(27, 10, 40)
    assert ticket.next_response_due == at(26, 12)
    sla = api_as(agent).get(f"/api/v1/tickets/{ticket.id}").json["sla"]
    assert sla["paused"] is False
    assert datetime.fromisoformat(sla["next_response_due"]) == at(26, 12)

    reply(ticket, agent, at(26, 12, 30))
    assert ticket.next_response_due is None
    assert ticket.sla_breached == ["next_response"]


def test_time_while_pending_never_breaches(open_ticket, agent):
    ticket = open_ticket(at(25, 10), priority="urgent")
    set_status(ticket, agent, "pending", at(25, 10, 5))  # before any reply
    assert reconcile_sla(at(27, 17)) == {"checked": 1, "breaches": 0}
    requester_says(ticket, at(28, 9))
    assert ticket.first_response_due == at(28, 9, 25)  # 5 used, 25 left
    reply(ticket, agent, at(28, 9, 20))
    assert ticket.sla_breached == []


def test_resolution_stops_at_resolved_and_resumes_on_reopen(open_ticket, agent):
    ticket = open_ticket(at(27, 9), priority="high")  # 60 / 120 / 1080 minutes
    reply(ticket, agent, at(27, 9, 30))
    set_status(ticket, agent, "resolved", at(27, 12))  # 180 used
    assert ticket.resolved_at == at(27, 12) and ticket.sla_breached == []
    assert reconcile_sla(at(30, 17)) == {"checked": 0, "breaches": 0}

    requester_says(ticket, at(30, 10))  # Monday: reopened, 900 left
    assert ticket.status == "open" and ticket.resolved_at is None
    assert ticket.resolution_due == at(1, 16, month=12)  # 480 Monday, 420 Tuesday
    assert ticket.next_response_due == at(30, 12)


def test_most_specific_policy_applies_with_lunch_breaks_state_holidays_and_breach_actions(
    app, open_ticket, make_block, agent
):
    install_defaults()
    db.session.add(
        SlaCalendar(
            name="kerala",
            tz="Asia/Kolkata",
            india_holidays=True,
            state_holidays=True,
            hours={str(d): [["09:00", "13:00"], ["14:00", "18:00"]] for d in range(6)},
        )
    )
    category_id = db.session.scalar(sa.text("SELECT id FROM categories WHERE slug='business-plan'"))
    db.session.add_all(
        [
            SlaPolicy(
                name="Kerala business plans",
                priority="normal",
                category_id=category_id,
                state_code="IN-KL",
                first_response_minutes=60,
                next_response_minutes=120,
                resolution_minutes=1080,
                mentor_response_minutes=240,
                calendar="kerala",
                raise_priority_on_breach=True,
                escalate_on_breach=True,
            ),
            SlaPolicy(
                name="Business plans",
                priority="normal",
                category_id=category_id,
                first_response_minutes=120,
                next_response_minutes=240,
                resolution_minutes=1620,
                mentor_response_minutes=240,
                calendar="default",
            ),
            SlaPolicy(
                name="Kerala",
                priority="normal",
                state_code="IN-KL",
                first_response_minutes=180,
                next_response_minutes=240,
                resolution_minutes=2160,
                mentor_response_minutes=240,
                calendar="kerala",
            ),
        ]
    )
    db.session.commit()
    kerala = make_block(district="Ernakulam", state="IN-KL")
    assert open_ticket(at(23, 10), block=kerala, category="bank-linkage").sla_policy == "Kerala"
    assert open_ticket(at(23, 10)).sla_policy == "Business plans"
    assert open_ticket(at(23, 10), priority="low").sla_policy == "Low"

    ticket = open_ticket(at(24, 12, 30, month=8), block=kerala)  # Monday before Onam
    assert ticket.sla_policy == "Kerala business plans"
    assert ticket.first_response_due == at(24, 14, 30, month=8)  # 30 + lunch + 30
    # 270 on Monday, Onam 25-28 Aug closed (Kerala), 480 Sat 29, 330 Mon 31 (240, lunch, 90)
    assert ticket.resolution_due == at(31, 15, 30, month=8)

    assert reconcile_sla(at(24, 15, month=8))["breaches"] == 1
    assert reconcile_sla(at(24, 16, month=8))["breaches"] == 0  # recorded once
    db.session.expire_all()
    assert ticket.sla_breached == ["first_response"] and ticket.priority == "high"
    assert ticket.sla_policy == "Kerala business plans"  # raising priority keeps the targets
    assert len(events(ticket, "sla_breach")) == 1 and len(events(ticket, "sla_escalation")) == 1


def test_timer_checks_warn_at_80_percent_and_breach_once(open_ticket):
    ticket = open_ticket(at(25, 10), priority="urgent")  # first response due 10:30
    assert check_ticket(ticket.id, at(25, 10, 23)) == [] and events(ticket, "sla_warning") == []
    check_ticket(ticket.id, at(25, 10, 24))
    check_ticket(ticket.id, at(25, 10, 26))
    assert [e.new_value for e in events(ticket, "sla_warning")] == ["first_response"]
    assert check_ticket(ticket.id, at(25, 10, 30)) == ["first_response"]
    assert check_ticket(ticket.id, at(25, 10, 40)) == []
    assert len(events(ticket, "sla_breach")) == 1


def test_update_policy_recomputes_open_tickets(app, open_ticket, agent):
    install_defaults()
    db.session.commit()
    ticket = open_ticket(at(25, 10))
    done = open_ticket(at(25, 10))
    set_status(done, agent, "resolved", at(25, 11))
    assert ticket.first_response_due == at(25, 14)
    normal = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == "Normal"))
    assert update_policy(normal, {"first_response_minutes": 60}, now=at(25, 10, 30)) == 1
    db.session.commit()
    assert ticket.first_response_due == at(25, 11)


def test_policies_api(app, api_as, make_user, open_ticket):
    install_defaults()
    db.session.commit()
    items = api_as(make_user("brc")).get("/api/v1/sla/policies").json["items"]
    normal = next(p for p in items if p["priority"] == "normal")
    assert {
        k: normal[k]
        for k in (
            "name",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "calendar",
        )
    } == {
        "name": "Normal",
        "first_response_minutes": 240,
        "next_response_minutes": 480,
        "resolution_minutes": 2700,
        "calendar": "default",
    }
    path = f"/api/v1/sla/policies/{normal['id']}"
    assert (
        api_as(make_user("agent")).patch(path, json={"resolution_minutes": 10}).status_code == 403
    )
    admin = api_as(make_user("admin"))
    assert admin.patch(path, json={"resolution_minutes": 0}).status_code == 422
    assert admin.patch(path, json={"calendar": "nope"}).status_code == 422
    changed = admin.patch(path, json={"resolution_minutes": 1620})
    assert changed.status_code == 200 and changed.json["resolution_minutes"] == 1620


def test_mentor_response_clock(app, api_as, make_user, make_ticket):
    mentor = make_user("mentor")
    agent = make_user("agent")
    ticket = make_ticket(actor=agent, priority="urgent")
    assert (
        api_as(agent)
        .post(
            f"/api/v1/tickets/{ticket.id}/escalate",
            json={"mentor": mentor.id, "reason": "bank rules"},
        )
        .status_code
        == 200
    )
    db.session.expire_all()
    assert ticket.mentor_response_due is not None
    api_as(mentor).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Form 12 is needed."}
    )
    db.session.expire_all()
    assert ticket.mentor_response_due is None and ticket.first_response_at is not None


def test_reconcile_command(runner, open_ticket):
    open_ticket(at(20, 10), priority="urgent")  # last Friday: long overdue
    result = runner.invoke(args=["sla", "reconcile"])
    # first response (due 10:30) and resolution (due Sat 10:00) both passed
    assert result.exit_code == 0 and "2 new breach" in result.output


@pytest.fixture
def due_timers(app, redis_url):
    """With Redis: the site's due-check set as {ticket id: unix time}, empty at the start
    (earlier tests' tickets had the same ids) and at the end."""
    from helpdesk.jobs.backends import redis_connection
    from helpdesk.sla.timers import due_timers_key

    app.config["REDIS_URL"] = redis_url
    redis, key = redis_connection(redis_url), due_timers_key(app)
    redis.delete(key)
    yield lambda: {int(m): at for m, at in redis.zrange(key, 0, -1, withscores=True)}
    redis.delete(key)


def moments_ahead(ticket):
    return sorted(m for m, _kind, _target in evaluate_ticket(ticket, utcnow()).upcoming())


def test_a_ticket_waits_in_the_due_set_at_its_next_moment_only(due_timers, make_ticket, agent):
    ticket = make_ticket(priority="low")  # created now: its warnings and breaches are ahead
    low = moments_ahead(ticket)
    assert due_timers() == {ticket.id: low[0].timestamp()}  # the earliest moment only

    # Changed again: its new moment replaces the old one, which leaves nothing behind.
    services.update_ticket(ticket, agent, TicketUpdate(priority="urgent"))
    urgent = moments_ahead(ticket)
    assert urgent[0] < low[0] and due_timers() == {ticket.id: urgent[0].timestamp()}

    set_status(ticket, agent, "closed", utcnow())  # nothing ahead: it leaves the set
    assert due_timers() == {}


def test_the_due_timer_pass_records_what_is_due_and_sets_the_next_moment(due_timers, make_ticket):
    from helpdesk.sla.timers import run_due_timers

    ticket = make_ticket(priority="low")
    dues = moments_ahead(ticket)
    assert run_due_timers(dues[0] - timedelta(seconds=1)) == 0  # not due yet
    assert events(ticket, "sla_warning") == []

    assert run_due_timers(dues[0] + timedelta(seconds=1)) == 1
    db.session.expire_all()
    assert events(ticket, "sla_warning") != [] and events(ticket, "sla_breach") == []
    assert due_timers() == {ticket.id: dues[1].timestamp()}

    # Long after its last moment: both targets breached, nothing left ahead.
    assert run_due_timers(dues[-1] + timedelta(seconds=1)) == 1
    db.session.expire_all()
    assert len(events(ticket, "sla_breach")) == 2 and due_timers() == {}


def test_a_timer_job_an_earlier_version_scheduled_still_checks_its_ticket(
    app, due_timers, open_ticket
):
    """Sites upgraded with RQ timer jobs still scheduled: when one comes due it records what
    is due, and the ticket's next moment goes to the set."""
    from helpdesk.jobs.backends import redis_connection
    from helpdesk.sla.timers import check_ticket_job, due_timers_key

    ticket = open_ticket(at(20, 10), priority="low")  # last Friday: some moments passed
    redis_connection(app.config["REDIS_URL"]).delete(due_timers_key(app))  # set before upgrade
    check_ticket_job(ticket.id)
    db.session.expire_all()
    assert events(ticket, "sla_warning") != []
    assert due_timers() == {ticket.id: moments_ahead(ticket)[0].timestamp()}


def test_two_due_timer_passes_at_once_check_each_due_ticket_once(app, due_timers, monkeypatch):
    from helpdesk.jobs.backends import redis_connection
    from helpdesk.sla import timers

    ticket_ids = range(1, 301)
    redis = redis_connection(app.config["REDIS_URL"])
    redis.zadd(timers.due_timers_key(app), {i: 1_000_000 + i for i in ticket_ids})
    checked = []
    monkeypatch.setattr(
        timers, "_check", lambda ticket_id, now: checked.append(ticket_id) or ([], [])
    )
    start = threading.Barrier(2)

    def worker_pass():
        with app.app_context():
            start.wait()
            while timers.run_due_timers(utcnow(), limit=20):  # small claims: they interleave
                pass

    passes = [threading.Thread(target=worker_pass) for _ in range(2)]
    for thread in passes:
        thread.start()
    for thread in passes:
        thread.join(timeout=30)
    assert sorted(checked) == list(ticket_ids) and due_timers() == {}
