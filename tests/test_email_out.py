# ruff: noqa: F811  (pytest fixtures imported from tests/mail_support.py are parameters here)
"""Mail out: replies to the requester, escalations to mentors, SLA alerts, delivery and
retries, through a real SMTP server in the test process."""

import time
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from helpdesk.extensions import db
from helpdesk.mail.delivery import retry_due_mail
from helpdesk.mail.models import EmailMessage
from helpdesk.tickets import services
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.schemas import MessageCreate
from helpdesk.timeutil import utcnow
from tests.mail_support import (  # noqa: F401  (fixtures)
    HELPDESK_ADDRESS,
    email_in,
    free_port,
    mail_on,
    make_mail,
    smtp_server,
)

REQUESTER = "sunita@shg.example"


def mail_ticket(email_in, make_block, **mail) -> tuple[Ticket, str]:
    """A ticket opened by mail from REQUESTER, triaged into a block; its first Message-ID."""
    raw, message_id = make_mail(**mail)
    ticket = db.session.get(Ticket, email_in(raw).json["ticket"])
    ticket.block = make_block()
    db.session.commit()
    return ticket, message_id


def outgoing(kind=None) -> list[EmailMessage]:
    db.session.expire_all()
    query = sa.select(EmailMessage).where(EmailMessage.direction == "out")
    if kind:
        query = query.where(EmailMessage.kind == kind)
    return db.session.scalars(query.order_by(EmailMessage.id)).all()


def text_of(mime) -> str:
    return mime.get_body(preferencelist=("plain",)).get_content()


def html_of(mime) -> str:
    return mime.get_body(preferencelist=("html",)).get_content()


def test_without_mail_server_nothing_is_sent_and_nothing_fails(
    app, email_in, smtp_server, make_user, make_block, run_jobs
):
    _, handler = smtp_server
    assert not app.config.get("MAIL_SERVER")
    ticket, _ = mail_ticket(email_in, make_block)
    services.add_message(ticket, make_user("agent"), MessageCreate(body="Bring the passbook."))
    run_jobs()
    assert handler.received == [] and outgoing() == []


def test_a_public_reply_goes_out_threaded_with_text_and_sanitized_html(
    app, mail_on, email_in, make_user, make_block, run_jobs
):
    ticket, first_id = mail_ticket(email_in, make_block)
    run_jobs()
    acknowledgement = mail_on.to(REQUESTER)[0]
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert acknowledgement["In-Reply-To"] == f"<{first_id}>"
    assert f"[{ticket.number}]" in acknowledgement["Subject"]

    agent = make_user("agent")
    services.add_message(
        ticket,
        agent,
        MessageCreate(
            body="Bring the **passbook** <script>alert(1)</script> and [form 12](https://nrlm.example/f12)."
        ),
    )
    services.add_message(
        ticket, agent, MessageCreate(body="Secret: the manager is slow", internal=True)
    )
    run_jobs()
    received = mail_on.to(REQUESTER)
    assert len(received) == 2  # the acknowledgement and the reply; never the internal note
    reply = received[1]
    assert reply["Subject"] == f"Re: [{ticket.number}] Loan for a tailoring unit"
    assert reply["Auto-Submitted"] is None
    logged = outgoing("reply")[0]
    assert (logged.status, logged.recipient) == ("sent", REQUESTER)
    assert reply["Message-ID"] == f"<{logged.rfc_message_id}>"
    assert logged.message.body.startswith("Bring the **passbook**")
    ack_id = outgoing("auto")[0].rfc_message_id
    assert reply["In-Reply-To"] == f"<{ack_id}>"
    assert reply["References"] == f"<{first_id}> <{ack_id}>"
    assert "Bring the **passbook**" in text_of(reply)
    html = html_of(reply)
    assert "<strong>passbook</strong>" in html and "<script>" not in html
    assert 'href="https://nrlm.example/f12"' in html
    assert all("Secret" not in text_of(m) and "Secret" not in html_of(m) for m in received)


def test_the_requester_answers_our_mail_without_the_number_and_it_threads(
    app, mail_on, email_in, make_user, make_block, run_jobs
):
    ticket, _ = mail_ticket(email_in, make_block, subject="Loan")
    services.add_message(ticket, make_user("agent"), MessageCreate(body="Which bank?"))
    run_jobs()
    our_id = outgoing("reply")[0].rfc_message_id
    answer, _ = make_mail(subject="Re: Loan", body="Canara Bank", in_reply_to=our_id)
    response = email_in(answer)
    assert (response.json["ticket"], response.json["created"]) == (ticket.id, False)


def test_a_mentor_gets_the_escalation_and_answers_by_replying(
    app, mail_on, email_in, client, login_as, api_as, make_user, make_block, run_jobs
):
    ticket, _ = mail_ticket(email_in, make_block)
    mentor = make_user("mentor", email="mentor.jh@nrlm.example")
    agent = make_user("agent")
    escalated = api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/escalate",
        json={"mentor": mentor.id, "reason": "needs a bank-linkage expert"},
    )
    assert escalated.status_code == 200
    run_jobs()
    mail = mail_on.to("mentor.jh@nrlm.example")[0]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert f"[{ticket.number}]" in mail["Subject"]
    body = text_of(mail)
    assert "needs a bank-linkage expert" not in body  # the reason is an internal note
    link = next(w for w in body.split() if w.startswith("https://helpdesk.example/mail/t/"))
    path = link.removeprefix("https://helpdesk.example")

    # The link asks for sign-in, then opens the ticket for that mentor only.
    assert "/login" in client.get(path).headers["Location"]
    login_as(make_user("mentor"))
    assert client.get(path).status_code == 404
    client.post("/logout")
    login_as(mentor)
    assert client.get(path).headers["Location"].endswith(f"/tickets/{ticket.id}")
    assert client.get(path[:-3] + "abc").status_code == 404

    # Someone else replying from another address is not the mentor's answer.
    escalation_id = outgoing("escalation")[0].rfc_message_id
    spoof, _ = make_mail(
        sender="mentor.jh@other.example", subject=mail["Subject"], in_reply_to=escalation_id
    )
    assert email_in(spoof).json["created"] is True
    answer, _ = make_mail(
        sender="Mentor.JH@nrlm.example",
        name="Mentor",
        subject="Re: " + mail["Subject"],
        body="Apply under the PMEGP scheme; the bank must answer in 15 days.\n\n"
        "On Tue, 6 Jan 2026, Helpdesk wrote:\n> escalated",
        in_reply_to=escalation_id,
    )
    response = email_in(answer)
    assert (response.json["ticket"], response.json["created"]) == (ticket.id, False)
    message = db.session.get(Message, response.json["message"])
    assert (message.author_id, message.internal) == (mentor.id, False)
    assert message.body == "Apply under the PMEGP scheme; the bank must answer in 15 days."
    run_jobs()
    # The mentor's answer is a public reply: the requester gets it by mail.
    assert "PMEGP" in text_of(mail_on.to(REQUESTER)[-1])


def test_an_expired_link_is_refused(
    app, mail_on, client, login_as, make_user, make_ticket, monkeypatch
):
    from helpdesk.mail.links import ticket_link_token

    mentor = make_user("mentor")
    ticket = make_ticket()
    old = int(time.time()) - 15 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: old)
    token = ticket_link_token(ticket.id, mentor.id)
    monkeypatch.undo()
    login_as(mentor)
    response = client.get(f"/mail/t/{token}")
    assert response.status_code == 410 and b"This link has expired" in response.data


def test_a_temporary_smtp_failure_is_retried_with_back_off(
    app, mail_on, email_in, make_user, make_block, run_jobs
):
    app.config["MAIL_RETRY_DELAYS"] = "60,300"
    ticket, _ = mail_ticket(email_in, make_block)
    run_jobs()
    mail_on.refusals[REQUESTER] = ["451 4.3.0 Mailbox busy, try later"]
    services.add_message(ticket, make_user("agent"), MessageCreate(body="Bring the passbook."))
    run_jobs()
    row = outgoing("reply")[0]
    assert (row.status, row.attempts) == ("retrying", 1)
    assert "451" in row.error
    assert timedelta(seconds=55) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)
    assert retry_due_mail() == {"tried": 0, "sent": 0}  # not due yet
    assert retry_due_mail(utcnow() + timedelta(seconds=61)) == {"tried": 1, "sent": 1}
    assert outgoing("reply")[0].status == "sent"
    assert sum("passbook" in text_of(m) for m in mail_on.to(REQUESTER)) == 1


def test_a_refused_connection_is_retried_then_fails(
    app, mail_on, email_in, make_user, make_block, run_jobs
):
    app.config.update(MAIL_RETRY_DELAYS="60", MAIL_PORT=free_port())  # nobody listens there
    ticket, _ = mail_ticket(email_in, make_block)
    services.add_message(ticket, make_user("agent"), MessageCreate(body="Bring the passbook."))
    run_jobs()
    row = outgoing("reply")[0]
    assert row.status == "retrying" and "ConnectionRefused" in row.error
    retry_due_mail(utcnow() + timedelta(seconds=61))
    assert outgoing("reply")[0].status == "failed"


def test_a_permanent_failure_is_shown_to_the_agent_in_the_thread(
    app, mail_on, email_in, client, login_as, make_user, make_block, run_jobs
):
    ticket, _ = mail_ticket(email_in, make_block)
    run_jobs()
    mail_on.refusals[REQUESTER] = ["550 5.1.1 No such user here"]
    agent = make_user("agent")
    services.add_message(ticket, agent, MessageCreate(body="Bring the passbook."))
    run_jobs()
    row = outgoing("reply")[0]
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error.startswith("550")
    assert retry_due_mail(utcnow() + timedelta(days=1))["tried"] == 0
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "E-mail not delivered" in page and "550 5.1.1 No such user here" in page


def test_sla_warnings_and_breaches_are_mailed_to_the_assignee(
    app, mail_on, make_user, make_block, run_jobs
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from helpdesk.sla.timers import check_ticket
    from helpdesk.tickets.schemas import TicketCreate, TicketUpdate

    ist = ZoneInfo("Asia/Kolkata")
    agent, assignee = make_user("agent"), make_user("agent", email="asha@ks-helpdesk.example")
    data = TicketCreate.model_validate(
        {
            "subject": "Loan papers",
            "description": "Which documents does the bank need?",
            "category": "bank-linkage",
            "priority": "urgent",
            "block": make_block().code,
        }
    )
    ticket = services.create_ticket(data, agent, now=datetime(2026, 11, 25, 10, tzinfo=ist))
    services.update_ticket(
        ticket,
        agent,
        TicketUpdate(assignee=assignee.id),
        now=datetime(2026, 11, 25, 10, 1, tzinfo=ist),
    )
    check_ticket(ticket.id, datetime(2026, 11, 25, 10, 25, tzinfo=ist))
    check_ticket(ticket.id, datetime(2026, 11, 25, 10, 31, tzinfo=ist))
    check_ticket(ticket.id, datetime(2026, 11, 25, 10, 32, tzinfo=ist))
    run_jobs()
    subjects = [m["Subject"] for m in mail_on.to("asha@ks-helpdesk.example")]
    assert subjects == [
        f"[{ticket.number}] SLA warning: first response due 25 Nov 10:30 IST",
        f"[{ticket.number}] SLA breached: first response",
    ]
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mail_on.received)
    assert {m["To"] for m in mail_on.received} == {"asha@ks-helpdesk.example"}
