"""The ticket page as an agent with a caller waiting uses it: send and resolve in one go,
the caller's other tickets and calls, and a history told in words."""

from datetime import UTC, datetime

import sqlalchemy as sa

from helpdesk.calls.models import Call
from helpdesk.extensions import db
from helpdesk.tickets.escalation import EscalationIn, escalate
from helpdesk.tickets.models import Message, TicketEvent
from helpdesk.tickets.schemas import TicketUpdate
from helpdesk.tickets.services import update_ticket


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- send and resolve ----------------------------------------------------------------------


def test_send_and_resolve_through_the_api_is_one_change(api_as, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket()
    answer = api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Take the MoU copy to the branch.", "status": "resolved"},
    )
    assert answer.status_code == 201, answer.get_json()
    shown = api_as(agent).get(f"/api/v1/tickets/{ticket.id}").get_json()
    assert shown["status"] == "resolved" and shown["sla"]["resolved_at"] is not None
    assert shown["sla"]["first_response_at"] is not None
    assert shown["messages"][-1]["body"] == "Take the MoU copy to the branch."
    db.session.expire_all()
    kinds = [(e.kind, e.new_value) for e in ticket.events]
    assert kinds[-3:] == [("message", "reply"), ("status", "open"), ("status", "resolved")]


def test_send_and_wait_sets_the_ticket_pending(api_as, make_user, make_ticket):
    ticket = make_ticket()
    answer = api_as(make_user("agent")).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Please send the passbook photo.", "status": "pending"},
    )
    assert answer.status_code == 201
    db.session.expire_all()
    assert ticket.status == "pending"


def test_a_refused_status_writes_no_reply_either(api_as, make_user, make_block, make_ticket):
    block = make_block()
    agent, brc = make_user("agent"), make_user("brc", block=block)
    ticket = make_ticket(actor=agent, block=block.code)
    update_ticket(ticket, agent, TicketUpdate(status="resolved"))
    before = (_count(Message), _count(TicketEvent))

    # BRC staff may not set a status; resolved → pending is not a move the lifecycle allows.
    cases = [
        (brc, {"body": "Thanks", "status": "resolved"}, 403),
        (agent, {"body": "Waiting on you", "status": "pending"}, 409),
        (agent, {"body": "Closing", "status": "closed"}, 422),
        (agent, {"body": "Hmm", "status": 5}, 422),
    ]
    for who, body, status in cases:
        answer = api_as(who).post(f"/api/v1/tickets/{ticket.id}/messages", json=body)
        assert answer.status_code == status, (body, answer.get_json())
        assert "status" in answer.get_json()["error"].get("fields", {}), answer.get_json()
    db.session.expire_all()
    assert (_count(Message), _count(TicketEvent)) == before and ticket.status == "resolved"


def test_send_and_resolve_on_the_ticket_page(client, login_as, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket()
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'name="status" value="resolved">Send and resolve</button>' in page
    answer = client.post(
        f"/tickets/{ticket.id}/messages",
        data={"body": "The CLF signs the MoU first.", "status": "resolved"},
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert "Reply sent and the ticket is resolved." in text
    db.session.expire_all()
    assert (
        ticket.status == "resolved" and ticket.messages[-1].body == "The CLF signs the MoU first."
    )


# --- the caller's other tickets and calls ----------------------------------------------------


def test_the_ticket_page_lists_the_callers_other_tickets_the_viewer_may_see(
    client, login_as, make_user, make_block, make_ticket
):
    home, elsewhere = make_block(), make_block()
    agent = make_user("agent")
    caller = {"name": "Sunita Devi", "phone": "9876543210"}
    current = make_ticket(actor=agent, block=home.code, requester=caller)
    earlier = make_ticket(actor=agent, block=home.code, requester=caller, subject="Earlier loan")
    other_block = make_ticket(
        actor=agent, block=elsewhere.code, requester=caller, subject="Other block"
    )
    stranger = make_ticket(
        actor=agent, block=home.code, requester={"name": "Meena", "phone": "9812345678"}
    )

    login_as(agent)
    page = client.get(f"/tickets/{current.id}").get_data(as_text=True)
    assert "This caller&#39;s other tickets" in page or "This caller's other tickets" in page
    assert earlier.number in page and other_block.number in page
    assert stranger.number not in page

    client.post("/logout")
    login_as(make_user("brc", block=home))
    page = client.get(f"/tickets/{current.id}").get_data(as_text=True)
    assert earlier.number in page and other_block.number not in page


def test_the_ticket_page_shows_the_callers_calls(client, login_as, make_user, make_ticket):
    agent = make_user("agent", name="Ravi Kumar")
    ticket = make_ticket(actor=agent)
    earlier = make_ticket(actor=agent)
    for n, (phone, linked) in enumerate(
        [("+919876543210", earlier), ("+919876543210", None), ("+919811111111", None)]
    ):
        db.session.add(
            Call(
                call_id=f"desk-{n}",
                from_number=phone,
                to_number="+918022223333",
                direction="in",
                started_at=datetime(2026, 11, 20, 5, n, tzinfo=UTC),
                status="missed",
                events_seen=[],
                ticket=linked,
            )
        )
    db.session.commit()
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Calls with this caller" in page
    assert page.count("Missed call") == 2 and "+919811111111" not in page
    assert earlier.number in page  # the call that opened the earlier ticket links to it


# --- history in words --------------------------------------------------------------------


def test_history_tells_who_did_what_in_words(client, login_as, make_user, make_ticket):
    agent = make_user("agent", name="Ravi Kumar", email="ravi@example.org")
    mentor = make_user(
        "mentor",
        name="Asha Menon",
        email="asha@example.org",
        skills=["business-plan"],
        languages=["hi"],
        states=["IN-JH"],
    )
    ticket = make_ticket(actor=agent)
    update_ticket(ticket, agent, TicketUpdate(assignee=agent.id, priority="high"))
    update_ticket(ticket, agent, TicketUpdate(category="bank-linkage"))
    escalate(ticket, agent, EscalationIn(mentor=mentor.id, reason="Needs a mentor"))
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    history = page[page.index('<h2 class="card-title">History</h2>') :]
    for words in (
        "assigned to Ravi Kumar",
        "status changed from new to open",
        "priority changed from normal to high",
        "category changed from Business plan",
        "escalated to Asha Menon (mentor)",
        "created the ticket",
    ):
        assert words in history, words
    assert "@example.org" not in history and "bank-linkage" not in history


def test_history_is_told_in_hindi_on_a_hindi_page(client, login_as, make_user, make_ticket):
    agent = make_user("agent", name="Ravi Kumar")
    agent.ui_language = "hi"
    ticket = make_ticket(actor=agent)
    update_ticket(ticket, agent, TicketUpdate(assignee=agent.id, priority="high"))
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    history = page[page.index('<h2 class="card-title">इतिहास</h2>') :]
    for words in (
        "ने Ravi Kumar को दिया",
        "ने स्थिति “नया” से बदलकर “खुला” की",
        "ने प्राथमिकता “सामान्य” से बदलकर “ज़्यादा” की",
        "ने टिकट बनाया",
    ):
        assert words in history, words
    assert "changed from" not in history and "assigned to" not in history
