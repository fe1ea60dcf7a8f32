# ruff: noqa: F811  (pytest fixtures imported from tests/mail_support.py are parameters here)
"""The worker polls a real IMAP mailbox (Dovecot) into the same intake as the webhook."""

import uuid

import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.mail.imap import parse_imap_url
from helpdesk.mail.models import EmailMessage
from helpdesk.tickets.models import Message, Ticket
from tests.mail_support import (  # noqa: F401  (fixtures)
    IMAP_PASSWORD,
    IMAP_USER,
    dovecot,
    imap_connection,
    make_mail,
)


def mailbox(port: int) -> str:
    """A new, empty folder of the test user; its IMAP_URL."""
    name = f"t{uuid.uuid4().hex[:10]}"
    imap = imap_connection(port)
    assert imap.create(name)[0] == "OK"
    imap.logout()
    return f"imap://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{port}/{name}"


def deliver(url: str, *raws: bytes) -> None:
    address = parse_imap_url(url)
    imap = imap_connection(address.port)
    for raw in raws:
        assert imap.append(address.mailbox, None, None, raw)[0] == "OK"
    imap.logout()


def unseen(url: str) -> int:
    address = parse_imap_url(url)
    imap = imap_connection(address.port)
    imap.select(address.mailbox)
    _, data = imap.uid("SEARCH", None, "UNSEEN")
    imap.logout()
    return len(data[0].split())


def poll(app, runner, url):
    app.config["IMAP_URL"] = url
    result = runner.invoke(args=["email", "poll"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_the_poller_takes_new_mail_replies_and_ignores_machines(app, runner, dovecot):
    url = mailbox(dovecot)
    first, first_id = make_mail(subject="Loan for a tailoring unit")
    hindi, _ = make_mail(
        sender="meena@shg.example",
        subject="बैंक ऋण",
        body="हमें ऋण के कागज़ों की सूची चाहिए।",
        charset_encoding="base64",
    )
    auto, _ = make_mail(subject="Out of office", extra={"Auto-Submitted": "auto-replied"})
    deliver(url, first, hindi, auto)
    assert "taken=3 failed=0" in poll(app, runner, url)
    tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
    assert [(t.channel, t.subject) for t in tickets] == [
        ("email", "Loan for a tailoring unit"),
        ("email", "बैंक ऋण"),
    ]
    assert tickets[1].description == "हमें ऋण के कागज़ों की सूची चाहिए।"
    assert tickets[1].language == "hi"
    assert unseen(url) == 0

    # A reply threads by References; a mail the server hands over again changes nothing.
    reply, _ = make_mail(subject="Re: Loan", body="The bank says yes.", references=[first_id])
    deliver(url, reply, first)
    assert "taken=2" in poll(app, runner, url)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 2
    texts = db.session.scalars(
        sa.select(Message.body).where(Message.ticket_id == tickets[0].id, ~Message.automatic)
    ).all()
    assert texts == ["The bank says yes."]
    assert "taken=0" in poll(app, runner, url)  # nothing unseen is left
    ignored = db.session.scalars(
        sa.select(EmailMessage.error).where(EmailMessage.status == "ignored")
    ).all()
    assert ignored == ["auto-submitted: auto-replied"]


def test_a_mailbox_that_cannot_be_reached_fails_the_pass_cleanly(app, runner, dovecot):
    app.config["IMAP_URL"] = f"imap://{IMAP_USER}:wrong@127.0.0.1:{dovecot}/INBOX"
    result = runner.invoke(args=["email", "poll"])
    assert result.exit_code != 0 and "poll failed" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def test_imap_urls_are_read_with_their_defaults():
    secure = parse_imap_url("imaps://desk%40ks.example:p%2Fw@mail.ks.example/Support%20Mail")
    assert (secure.secure, secure.port, secure.user, secure.password, secure.mailbox) == (
        True,
        993,
        "desk@ks.example",
        "p/w",
        "Support Mail",
    )
    assert parse_imap_url("imap://u:p@localhost").mailbox == "INBOX"
