# ruff: noqa: F811  (pytest fixtures imported from tests/mail_support.py are parameters here)
"""Mail in through the webhook: new tickets, threading, senders, loops, duplicates, limits."""

import pytest
import sqlalchemy as sa

from helpdesk import create_app
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.mail.models import EmailMessage
from helpdesk.tickets import services
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.schemas import TicketUpdate
from tests.mail_support import EMAIL_TOKEN, email_in, make_mail  # noqa: F401  (a fixture)

HINDI = "नमस्ते, हमारे समूह को सिलाई इकाई के लिए बैंक ऋण चाहिए। कौन से कागज़ लगेंगे?"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def only_ticket() -> Ticket:
    db.session.expire_all()
    return db.session.scalars(sa.select(Ticket)).one()


def test_the_webhook_checks_its_secret_type_and_size(app, client, email_in):
    raw, _ = make_mail()
    assert email_in(raw, token="wrong").status_code == 401
    assert email_in(raw, content_type="application/json").status_code == 415
    assert email_in(b"  ").status_code == 400
    app.config["EMAIL_MAX_MB"] = 1
    big, _ = make_mail(body="x" * (1024 * 1024 + 10))
    too_large = email_in(big)
    assert too_large.status_code == 413
    assert too_large.json["error"]["code"] == "payload_too_large"
    app.config["EMAIL_TOKEN"] = ""
    off = email_in(raw)
    assert off.status_code == 503
    assert off.json["error"]["code"] == "email_token_not_configured"
    assert count(Ticket) == 0 and count(EmailMessage) == 0


def test_a_mail_from_a_contact_on_file_opens_a_ticket_in_their_block(app, email_in, make_block):
    block = make_block()
    contact = Contact(name="Sunita Devi", email="sunita@shg.example", block=block)
    db.session.add(contact)
    db.session.commit()
    raw, message_id = make_mail(
        sender="Sunita@SHG.example",
        subject="Fwd: Loan for a tailoring unit",
        body="Which papers does the bank need?\n\n-- \nSunita, CDS Ranchi",
    )
    response = email_in(raw)
    assert response.status_code == 201
    assert response.json["created"] is True and response.json["message"] is None
    ticket = only_ticket()
    assert (ticket.channel, ticket.block_id, ticket.requester_id) == ("email", block.id, contact.id)
    assert ticket.subject == "Loan for a tailoring unit"
    assert ticket.description == "Which papers does the bank need?"  # signature cut
    logged = db.session.scalars(sa.select(EmailMessage)).one()
    assert (logged.rfc_message_id, logged.ticket_id, logged.kind) == (message_id, ticket.id, "new")


def test_an_unknown_sender_is_triaged_never_refused(app, email_in, api_as, make_user, make_block):
    raw, _ = make_mail(sender="stranger@elsewhere.example", name="Meena")
    assert email_in(raw).status_code == 201
    ticket = only_ticket()
    assert ticket.block_id is None and ticket.channel == "email"
    assert (ticket.requester.name, ticket.requester.email) == (
        "Meena",
        "stranger@elsewhere.example",
    )
    staff = api_as(make_user("agent"))
    triage = staff.get("/api/v1/tickets?triage=1").json
    assert [t["id"] for t in triage["items"]] == [ticket.id]
    # Triaged into a block, the sender's contact moves with the ticket; their next mail
    # opens its ticket in that block.
    block = make_block()
    services.update_ticket(ticket, make_user("agent"), TicketUpdate(block=block.code))
    second, _ = make_mail(sender="stranger@elsewhere.example", subject="Another question")
    assert email_in(second).json["created"] is True
    newest = db.session.scalars(sa.select(Ticket).order_by(Ticket.id.desc())).first()
    assert newest.block_id == block.id


def test_brc_staff_mail_opens_a_ticket_in_their_block(app, email_in, make_user):
    brc = make_user("brc", email="brc.khunti@nrlm.example")
    raw, _ = make_mail(sender="brc.khunti@nrlm.example", name="BRC Khunti")
    assert email_in(raw).status_code == 201
    ticket = only_ticket()
    assert (ticket.block_id, ticket.created_by_id) == (brc.block_id, brc.id)


def test_a_reply_threads_by_the_number_in_the_subject_and_reopens(app, email_in, make_user):
    first, _ = make_mail()
    ticket_id = email_in(first).json["ticket"]
    ticket = db.session.get(Ticket, ticket_id)
    services.update_ticket(ticket, make_user("agent"), TicketUpdate(status="pending"))
    reply, _ = make_mail(
        subject=f"Re: [{ticket.number}] Loan for a tailoring unit",
        body="We have the Aadhaar cards now.\n\nOn Mon, 5 Jan 2026 at 10:00, Helpdesk "
        "<helpdesk@ks-helpdesk.example> wrote:\n> Please send the Aadhaar cards.",
    )
    response = email_in(reply)
    assert response.status_code == 201 and response.json["created"] is False
    ticket = only_ticket()
    message = db.session.get(Message, response.json["message"])
    assert (message.body, message.channel, message.internal) == (
        "We have the Aadhaar cards now.",
        "email",
        False,
    )
    assert message.contact_id == ticket.requester_id and message.author_id is None
    assert ticket.status == "open"  # the requester's reply reopened it


def test_a_reply_threads_by_references_without_the_number(app, email_in):
    first, first_id = make_mail()
    ticket_id = email_in(first).json["ticket"]
    follow_up, _ = make_mail(subject="Re: Loan", body="Any news?", references=[first_id])
    response = email_in(follow_up)
    assert (response.json["ticket"], response.json["created"]) == (ticket_id, False)


def test_a_stranger_naming_a_ticket_opens_their_own(app, email_in):
    first, _ = make_mail()
    ticket_id = email_in(first).json["ticket"]
    number = db.session.get(Ticket, ticket_id).number
    other, _ = make_mail(sender="someone@else.example", subject=f"Re: [{number}] hello")
    response = email_in(other)
    assert response.json["created"] is True and response.json["ticket"] != ticket_id
    on_first = sa.select(Message).where(Message.ticket_id == ticket_id, ~Message.automatic)
    assert db.session.scalars(on_first).all() == []


def test_a_mail_delivered_twice_makes_one_message(app, email_in):
    first, _ = make_mail()
    ticket_id = email_in(first).json["ticket"]
    number = db.session.get(Ticket, ticket_id).number
    reply, _ = make_mail(subject=f"[{number}] more", body="The bank manager called.")
    one, two = email_in(reply), email_in(reply)
    assert (one.status_code, two.status_code) == (201, 200)
    assert one.json == two.json
    assert email_in(first).json["ticket"] == ticket_id
    assert count(Ticket) == 1
    texts = db.session.scalars(sa.select(Message.body).where(~Message.automatic)).all()
    assert texts == ["The bank manager called."]


@pytest.mark.parametrize(
    "headers, sender, reason",
    [
        ({"Auto-Submitted": "auto-replied"}, "sunita@shg.example", "auto-submitted"),
        ({"Precedence": "bulk"}, "news@shg.example", "bulk"),
        ({}, "MAILER-DAEMON@mx.shg.example", "bounce"),
    ],
)
def test_machines_mail_is_ignored(app, email_in, headers, sender, reason):
    raw, _ = make_mail(sender=sender, subject="Out of office", extra=headers)
    response = email_in(raw)
    assert response.status_code == 200 and response.json["ignored"].startswith(reason)
    assert count(Ticket) == 0


def test_a_delivery_report_and_our_own_mail_are_ignored(app, email_in):
    report = (
        b"From: Mail Delivery System <postmaster@mx.example>\r\n"
        b"To: helpdesk@ks-helpdesk.example\r\nSubject: Undelivered Mail\r\n"
        b"Message-ID: <dsn-1@mx.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    assert email_in(report).json["ignored"] == "bounce"
    app.config["MAIL_FROM"] = "Helpdesk <helpdesk@ks-helpdesk.example>"
    looped, _ = make_mail(message_id="ks.0123456789abcdef@ks-helpdesk.example")
    assert email_in(looped).json["ignored"] == "our own mail"
    person, _ = make_mail(extra={"Auto-Submitted": "no"})
    assert email_in(person).json["created"] is True
    assert count(Ticket) == 1


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64"])
def test_a_hindi_mail_is_read_whatever_its_transfer_encoding(app, email_in, encoding):
    body = f"{HINDI}\n\nशुक्र, 9 जन॰ 2026 को 10:00 am बजे Helpdesk <helpdesk@ks-helpdesk.example> ने लिखा:\n> पुराना संदेश"
    raw, _ = make_mail(subject="बैंक ऋण", body=body, charset_encoding=encoding)
    assert f"Content-Transfer-Encoding: {encoding}".encode() in raw
    assert HINDI.encode() not in raw  # really encoded on the wire
    assert email_in(raw).status_code == 201
    ticket = only_ticket()
    assert (ticket.description, ticket.language, ticket.subject) == (HINDI, "hi", "बैंक ऋण")


def test_an_html_only_mail_becomes_text(app, email_in):
    html = (
        "<div dir='ltr'>Loan <b>status</b> &amp; papers?<br>Sunita</div>"
        "<div class='gmail_quote'><div>On Mon, 5 Jan 2026, Helpdesk wrote:</div>"
        "<blockquote>Old answer</blockquote></div><script>alert(1)</script>"
    )
    raw, _ = make_mail(body=None, html=html)
    email_in(raw)
    assert only_ticket().description == "Loan status & papers?\nSunita"


def test_a_flooding_sender_opens_few_tickets_and_loses_nothing(app, email_in):
    app.config["EMAIL_NEW_TICKETS_PER_HOUR"] = 2
    answers = [
        email_in(make_mail(subject=f"Question number {n}", body=f"text {n}")[0]).json
        for n in range(4)
    ]
    assert [a["created"] for a in answers] == [True, True, False, False]
    assert count(Ticket) == 2
    latest = answers[1]["ticket"]
    assert {answers[2]["ticket"], answers[3]["ticket"]} == {latest}
    bodies = db.session.scalars(
        sa.select(Message.body).where(Message.ticket_id == latest, ~Message.automatic)
    ).all()
    assert bodies == ["text 2", "text 3"]


def test_a_reply_to_a_closed_ticket_opens_a_new_one(app, email_in, make_user):
    first, _ = make_mail()
    ticket = db.session.get(Ticket, email_in(first).json["ticket"])
    services.update_ticket(ticket, make_user("agent"), TicketUpdate(status="closed"))
    reply, _ = make_mail(subject=f"Re: [{ticket.number}] thanks", body="One more thing")
    response = email_in(reply)
    assert response.json["created"] is True and response.json["ticket"] != ticket.id


def test_wrong_email_secrets_count_with_the_other_gateways(config_class):
    site = create_app(
        type(
            "Config",
            (config_class,),
            {
                "RATELIMIT_ENABLED": True,
                "GATEWAY_TOKEN_FAILURE_LIMIT": "3 per minute",
                "EMAIL_TOKEN": EMAIL_TOKEN,
                "SMS_TOKEN": "sms-secret",
            },
        )
    )
    client = site.test_client()
    raw, _ = make_mail()

    def mail(token, address):
        return client.post(
            "/api/v1/email/inbound",
            data=raw,
            headers={"X-Email-Token": token, "Content-Type": "message/rfc822"},
            environ_base={"REMOTE_ADDR": address},
        )

    def sms(token, address):
        return client.post(
            "/api/v1/sms/inbound",
            json={"from": "09876543210", "text": "Loan nahi mila"},
            headers={"X-SMS-Token": token},
            environ_base={"REMOTE_ADDR": address},
        )

    guesser, provider = "192.0.2.77", "10.0.0.9"
    assert [mail("guess-1", guesser).status_code, sms("guess-2", guesser).status_code] == [401, 401]
    assert mail("guess-3", guesser).status_code == 401
    refused = mail(EMAIL_TOKEN, guesser)  # over the limit even the right secret is refused
    assert refused.status_code == 429 and refused.json["error"]["code"] == "rate_limited"
    assert mail(EMAIL_TOKEN, provider).status_code == 201
    with site.app_context():
        db.engine.dispose()


def test_attachments_become_ticket_files_and_refused_ones_are_named(
    app, email_in, api_as, make_user
):
    from tests.attachment_files import EXE, PDF

    raw, _ = make_mail(
        body="The bank's letter is attached.",
        attachments=[("letter.pdf", "application/pdf", PDF), ("setup.exe", "image/jpeg", EXE)],
    )
    assert email_in(raw).status_code == 201
    ticket = only_ticket()
    assert ticket.description == (
        "The bank's letter is attached.\n\n"
        "(Not attached: setup.exe: this kind of file cannot be attached.)"
    )
    staff = api_as(make_user("agent"))
    files = staff.get(f"/api/v1/tickets/{ticket.id}").json["attachments"]
    assert [(f["filename"], f["content_type"], f["size"]) for f in files] == [
        ("letter.pdf", "application/pdf", len(PDF))
    ]
    fetched = staff.get(files[0]["url"])
    assert fetched.data == PDF
    fetched.close()

    reply, _ = make_mail(
        subject=f"Re: [{ticket.number}] letter",
        body="And the passbook.",
        attachments=[("passbook.pdf", "application/pdf", PDF)],
    )
    message_id = email_in(reply).json["message"]
    files = staff.get(f"/api/v1/tickets/{ticket.id}").json["attachments"]
    assert [(f["filename"], f["message"]) for f in files] == [
        ("letter.pdf", None),
        ("passbook.pdf", message_id),
    ]
