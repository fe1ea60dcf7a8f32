"""Satisfaction: BRC staff rate a finished ticket once (API and portal), an SMS requester is
asked by text and rates with one digit, which reopens nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.calls.gateways import LoggingGateway
from helpdesk.calls.models import SmsMessage
from helpdesk.extensions import db
from helpdesk.satisfaction.models import SatisfactionRating
from helpdesk.tickets import services
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.schemas import TicketUpdate
from helpdesk.timeutil import utcnow

TOKEN = "sms-shared-secret"


@pytest.fixture
def sms_in(app, client):
    app.config["SMS_TOKEN"] = TOKEN

    def send(text: str, sender: str = "09876543210"):
        return client.post(
            "/api/v1/sms/inbound",
            json={"from": sender, "text": text},
            headers={"X-SMS-Token": TOKEN},
        )

    return send


def set_status(ticket, status, *, now=None):
    """An agent (the first one on file) changes the ticket's status."""
    actor = db.session.scalar(sa.select(User).where(User.role == "agent").order_by(User.id))
    services.update_ticket(ticket, actor, TicketUpdate(status=status), now=now)


def ratings() -> list[SatisfactionRating]:
    return list(db.session.scalars(sa.select(SatisfactionRating).order_by(SatisfactionRating.id)))


@pytest.fixture
def brc_ticket(make_user, make_ticket):
    """A ticket BRC staff raised on the portal, resolved by an agent."""
    brc = make_user("brc")
    make_user("agent")
    ticket = make_ticket(actor=brc, channel="web")
    return brc, ticket


def test_brc_staff_rate_a_resolved_ticket_once_and_nobody_else_may(api_as, make_user, brc_ticket):
    brc, ticket = brc_ticket
    url = f"/api/v1/tickets/{ticket.id}/satisfaction"
    not_yet = api_as(brc).post(url, json={"rating": 5})
    assert not_yet.status_code == 409 and not_yet.json["error"]["code"] == "conflict"

    set_status(ticket, "resolved")
    assert api_as(make_user("agent")).post(url, json={"rating": 5}).status_code == 403
    assert api_as(make_user("manager")).post(url, json={"rating": 5}).status_code == 403
    assert api_as(make_user("brc")).post(url, json={"rating": 5}).status_code == 404
    bad = api_as(brc).post(url, json={"rating": 6})
    assert bad.status_code == 422 and "rating" in bad.json["error"]["fields"]

    first = api_as(brc).post(url, json={"rating": 4, "comment": "  Clear answer  "})
    assert first.status_code == 201, first.json
    assert first.json["rating"] == 4 and first.json["comment"] == "Clear answer"
    second = api_as(brc).post(url, json={"rating": 1})
    assert second.status_code == 409
    assert [(r.rating, r.channel) for r in ratings()] == [(4, "api")]
    assert api_as(make_user("manager")).get(url).json["rating"] == 4
    db.session.expire_all()
    assert ticket.status == "resolved"


def test_a_closed_ticket_may_be_rated_too(api_as, brc_ticket):
    brc, ticket = brc_ticket
    set_status(ticket, "closed")
    url = f"/api/v1/tickets/{ticket.id}/satisfaction"
    assert api_as(brc).post(url, json={"rating": 2}).status_code == 201


def test_the_portal_prompts_and_rates_with_one_tap(client, login_as, brc_ticket):
    brc, ticket = brc_ticket
    set_status(ticket, "resolved")
    login_as(brc)
    home = client.get("/brc").get_data(as_text=True)
    assert "Please rate our answers" in home and ticket.number in home
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'aria-label="Rate 5 of 5"' in page

    answer = client.post(
        f"/tickets/{ticket.id}/satisfaction", data={"rating": "5", "comment": "Thanks"}
    )
    assert answer.status_code == 302
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Thank you for your rating." in page and "5 of 5" in page
    assert 'aria-label="Rate 5 of 5"' not in page
    assert "Please rate our answers" not in client.get("/brc").get_data(as_text=True)
    assert [(r.rating, r.comment, r.channel) for r in ratings()] == [(5, "Thanks", "web")]


def test_an_agent_gets_no_rating_form_and_cannot_post_one(client, login_as, make_user, brc_ticket):
    _brc, ticket = brc_ticket
    set_status(ticket, "resolved")
    agent = make_user("agent")
    login_as(agent)
    assert "Rate 5 of 5" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert (
        client.post(f"/tickets/{ticket.id}/satisfaction", data={"rating": "5"}).status_code == 403
    )
    assert ratings() == []


def test_the_rating_reads_as_a_rating_in_the_tickets_history(
    client, login_as, make_user, brc_ticket
):
    brc, ticket = brc_ticket
    set_status(ticket, "resolved")
    login_as(brc)
    client.post(f"/tickets/{ticket.id}/satisfaction", data={"rating": "4"})
    login_as(make_user("agent"))
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "rated the answer 4 out of 5" in page
    hindi = client.get(f"/tickets/{ticket.id}?lang=hi").get_data(as_text=True)
    assert "rated the answer" not in hindi and "5 में से 4" in hindi


def outgoing(ticket_id=None) -> list[str]:
    query = sa.select(SmsMessage.text).where(SmsMessage.direction == "out")
    if ticket_id:
        query = query.where(SmsMessage.ticket_id == ticket_id)
    return list(db.session.scalars(query))


def test_resolving_asks_a_confirmed_requester_by_sms_only(sms_in, make_user, brc_ticket, run_jobs):
    LoggingGateway.sent.clear()
    ticket_id = sms_in("Loan not sanctioned by the bank").json["ticket"]
    sms_ticket = db.session.get(Ticket, ticket_id)
    set_status(sms_ticket, "resolved")
    run_jobs()
    assert outgoing(ticket_id) == [
        f"Your ticket {sms_ticket.number} is resolved. How happy are you with the help? "
        "Reply 1 to 5 (5 = very happy)."
    ]
    assert LoggingGateway.sent[-1][0] == "+919876543210"

    # BRC staff typed the number in: not confirmed, so no text (they rate on the portal).
    _brc, web_ticket = brc_ticket
    set_status(web_ticket, "resolved")
    assert outgoing(web_ticket.id) == []


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("बैंक से लोन नहीं मिला", "1 से 5 तक कोई एक अंक भेजें"),
        ("ബാങ്ക് വായ്പ അനുവദിച്ചില്ല", "1 മുതൽ 5 വരെ ഒരു അക്കം മറുപടി അയയ്ക്കുക"),
    ],
)
def test_the_rating_question_goes_in_the_tickets_language(sms_in, make_user, run_jobs, text, asked):
    make_user("agent")
    ticket_id = sms_in(text).json["ticket"]
    ticket = db.session.get(Ticket, ticket_id)
    set_status(ticket, "resolved")
    run_jobs()
    question = outgoing(ticket_id)[-1]
    assert asked in question and ticket.number in question and "Reply" not in question


def test_a_digit_typed_in_devanagari_rates_like_an_ascii_one(sms_in, make_user):
    make_user("agent")
    ticket_id = sms_in("बैंक से लोन नहीं मिला").json["ticket"]
    set_status(db.session.get(Ticket, ticket_id), "resolved")
    answer = sms_in("४")
    assert answer.status_code == 201 and answer.json["rating"] == 4
    assert [(r.ticket_id, r.rating) for r in ratings()] == [(ticket_id, 4)]


def test_an_sms_digit_rates_the_resolved_ticket_once_and_reopens_nothing(sms_in, make_user):
    make_user("agent")
    ticket_id = sms_in("Loan not sanctioned by the bank").json["ticket"]
    ticket = db.session.get(Ticket, ticket_id)
    set_status(ticket, "resolved")
    tickets_before = db.session.scalar(sa.select(sa.func.count(Ticket.id)))

    answer = sms_in(" 4 ")
    assert answer.status_code == 201, answer.json
    assert answer.json["ticket"] == ticket_id and answer.json["rating"] == 4
    assert answer.json["created"] is False and answer.json["message"] is None
    db.session.expire_all()
    assert ticket.status == "resolved"
    assert [(r.ticket_id, r.rating, r.channel) for r in ratings()] == [(ticket_id, 4, "sms")]

    again = sms_in("2")
    assert again.status_code == 201 and again.json["rating"] is None
    db.session.expire_all()
    assert ticket.status == "resolved"
    assert [r.rating for r in ratings()] == [4]
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == tickets_before
    # Neither digit became a message in the thread.
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.ticket_id == ticket_id, Message.body.in_(["4", "2", " 4 "])
            )
        )
        == 0
    )


def test_a_digit_after_seven_days_or_with_words_is_an_ordinary_text(sms_in, make_user):
    make_user("agent")
    ticket_id = sms_in("Loan not sanctioned by the bank").json["ticket"]
    ticket = db.session.get(Ticket, ticket_id)
    set_status(ticket, "resolved", now=utcnow() - timedelta(days=7, minutes=5))

    late = sms_in("5")
    assert late.json["rating"] is None and late.json["ticket"] != ticket_id
    assert ratings() == []

    # Within the week, but more than a digit: a text like any other (a new ticket here,
    # since the sender's open ticket is the one "5" just opened: it threads there).
    set_status(db.session.get(Ticket, late.json["ticket"]), "resolved")
    wordy = sms_in("5 thanks")
    assert wordy.json["rating"] is None
    assert ratings() == []


def test_a_digit_from_a_stranger_opens_a_ticket_as_before(sms_in):
    answer = sms_in("3", sender="09123456780")
    assert answer.status_code == 201 and answer.json["created"] is True
    assert answer.json["rating"] is None
