"""SLA warnings and breaches tell people: the assignee and the managers get a notification,
the ticket's rooms get `sla.warning`/`sla.breached`; a policy may escalate on breach.

Wed 25 Nov 2026, urgent (first response 30 min): warning at 10:24, breach at 10:30 IST.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from helpdesk.console.models import Notification
from helpdesk.extensions import db
from helpdesk.sla.configuration import install_defaults
from helpdesk.sla.models import SlaPolicy
from helpdesk.sla.timers import check_ticket, reconcile_sla
from helpdesk.tickets import services
from helpdesk.tickets.models import TicketEvent
from helpdesk.tickets.schemas import TicketCreate, TicketUpdate

IST = ZoneInfo("Asia/Kolkata")


def at(hour, minute=0, day=25):
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


@pytest.fixture
def scene(make_user, make_block):
    home = make_block(state="IN-JH")
    agent = make_user("agent")
    data = TicketCreate.model_validate(
        {
            "subject": "Loan papers",
            "description": "Which documents does the bank need?",
            "category": "bank-linkage",
            "priority": "urgent",
            "language": "hi",
            "block": home.code,
        }
    )
    ticket = services.create_ticket(data, agent, now=at(10))
    assignee = make_user("agent")
    services.update_ticket(ticket, agent, TicketUpdate(assignee=assignee.id), now=at(10, 1))
    return {
        "ticket": ticket,
        "agent": agent,
        "assignee": assignee,
        "home": home,
        "managers": [make_user("manager"), make_user("manager")],
    }


def notifications(kind=None):
    query = sa.select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


def test_warning_and_breach_notify_the_assignee_and_managers_once(scene):
    ticket, managers = scene["ticket"], scene["managers"]
    check_ticket(ticket.id, at(10, 20))
    assert notifications() == []
    check_ticket(ticket.id, at(10, 25))
    check_ticket(ticket.id, at(10, 26))
    warnings = notifications("sla.warning")
    assert sorted(n.user_id for n in warnings) == sorted(
        [scene["assignee"].id] + [m.id for m in managers]
    )
    assert ticket.number in warnings[0].text and "first response" in warnings[0].text
    assert "10:30" in warnings[0].text  # the due moment, in IST

    assert check_ticket(ticket.id, at(10, 31)) == ["first_response"]
    check_ticket(ticket.id, at(10, 40))
    breaches = notifications("sla.breached")
    assert len(breaches) == 3 and scene["agent"].id not in {n.user_id for n in breaches}
    assert all("breached" in n.text and ticket.number in n.text for n in breaches)


def test_the_reconciler_notifies_and_an_unassigned_ticket_tells_only_managers(scene):
    ticket = scene["ticket"]
    services.update_ticket(ticket, scene["agent"], TicketUpdate(assignee=None), now=at(10, 2))
    assert reconcile_sla(at(10, 45))["breaches"] == 1
    assert {n.user_id for n in notifications("sla.breached")} == {m.id for m in scene["managers"]}
    assert reconcile_sla(at(11))["breaches"] == 0
    assert len(notifications("sla.breached")) == 2


def test_the_assignee_console_hears_the_breach_and_another_block_does_not(
    scene, console_client, make_user, make_block
):
    ticket = scene["ticket"]
    assignee = console_client(scene["assignee"])
    same_block = console_client(make_user("brc", block=scene["home"]))
    elsewhere = console_client(make_user("brc", block=make_block(state="IN-JH")))

    check_ticket(ticket.id, at(10, 31))
    [event] = assignee.received("sla.breached")
    assert event == {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "target": "first_response",
        "due": "2026-11-25T05:00:00+00:00",
    }
    assert [n["kind"] for n in assignee.received("notification")] == ["sla.breached"]
    assert same_block.received("sla.breached")[0]["number"] == ticket.number
    assert elsewhere.received("sla.breached", wait=0.7) == []
    assert elsewhere.received("notification", wait=0.1) == []


def _escalating_policy():
    install_defaults()
    urgent = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.priority == "urgent"))
    urgent.escalate_on_breach = True
    db.session.commit()


def test_escalate_on_breach_hands_the_ticket_to_a_fitting_mentor(app, make_user, make_block):
    _escalating_policy()
    mentor = make_user("mentor", skills=["bank-linkage"], languages=["hi"], states=["IN-JH"])
    make_user("mentor", skills=["bank-linkage"], languages=["hi"], states=["IN-KL"])  # wrong state
    manager = make_user("manager")
    data = TicketCreate.model_validate(
        {
            "subject": "Loan papers",
            "description": "Which documents?",
            "category": "bank-linkage",
            "priority": "urgent",
            "language": "hi",
            "block": make_block(state="IN-JH").code,
        }
    )
    ticket = services.create_ticket(data, make_user("agent"), now=at(10))
    check_ticket(ticket.id, at(10, 31))
    db.session.expire_all()
    assert ticket.status == "escalated" and ticket.mentor_id == mentor.id
    assert ticket.mentor_response_due is not None  # the mentor's clock runs
    kinds = db.session.scalars(
        sa.select(TicketEvent.kind)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id)
    ).all()
    assert kinds[-3:] == ["sla_escalation", "mentor", "status"]
    assert [n.kind for n in notifications() if n.user_id == mentor.id] == ["escalated"]
    assert [n.kind for n in notifications() if n.user_id == manager.id] == ["sla.breached"]


def test_escalate_on_breach_without_a_fitting_mentor_asks_the_managers(app, make_user, make_block):
    _escalating_policy()
    manager = make_user("manager")
    data = TicketCreate.model_validate(
        {
            "subject": "Loan papers",
            "description": "Which documents?",
            "category": "bank-linkage",
            "priority": "urgent",
            "language": "hi",
            "block": make_block(state="IN-JH").code,
        }
    )
    ticket = services.create_ticket(data, make_user("agent"), now=at(10))
    reconcile_sla(at(10, 31))
    db.session.expire_all()
    assert ticket.status == "new" and ticket.mentor_id is None
    [ask] = notifications("sla.escalation")
    assert ask.user_id == manager.id and "escalate it by hand" in ask.text
