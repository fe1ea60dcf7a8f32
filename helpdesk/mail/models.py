"""The mail log: every mail received or sent, with its Message-ID, so threads can be
followed, a mail delivered twice is taken once, and a failed delivery is shown."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from helpdesk.timeutil import UTCDateTime, utcnow

#: what an outgoing mail is: a public answer, an automatic acknowledgement, a mentor's
#: escalation, an SLA alert; an incoming one: opened a ticket, replied on one, or ignored
OUT_KINDS = ("reply", "auto", "escalation", "sla")
IN_KINDS = ("new", "reply", "ignored")
#: out: queued → sending → sent, or retrying (a temporary SMTP error) → ... → failed
OUT_STATUSES = ("queued", "sending", "sent", "retrying", "failed")


class EmailMessage(db.Model):
    """One mail, in or out, and the ticket (and ticket message) it belongs to."""

    __tablename__ = "email_messages"
    __table_args__ = (
        # Per-sender new-ticket limit: a sender's mails of the last hour.
        sa.Index("ix_email_messages_sender_created", "sender", "created_at"),
        # Outgoing mail waiting for its next attempt.
        sa.Index("ix_email_messages_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "in" or "out"
    direction: Mapped[str] = mapped_column(sa.String(3))
    #: ``OUT_KINDS`` or ``IN_KINDS``
    kind: Mapped[str] = mapped_column(sa.String(12))
    #: the Message-ID header without its angle brackets (``mail.headers.normalize_id``);
    #: unique, so the same mail delivered twice is taken once
    rfc_message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    #: the ticket message this mail became (in) or carries (out); None for a mail that
    #: opened a ticket (its text is the description) and for alerts
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    #: lower-case address of the sender (in) or of MAIL_FROM (out)
    sender: Mapped[str] = mapped_column(sa.String(254))
    #: lower-case address of the recipient (out); the address it was sent to (in)
    recipient: Mapped[str | None] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(255))
    #: the References header: Message-IDs separated by spaces, oldest first
    reference_ids: Mapped[str | None] = mapped_column(sa.Text)
    #: the text to send (Markdown; out only)
    body: Mapped[str | None] = mapped_column(sa.Text)
    #: the Auto-Submitted header sent with it (``auto-replied``, ``auto-generated``) or None
    auto_submitted: Mapped[str | None] = mapped_column(sa.String(20))
    #: in: "received" or "ignored"; out: ``OUT_STATUSES``
    status: Mapped[str] = mapped_column(sa.String(10))
    #: why an incoming mail was ignored; the last SMTP error of an outgoing one
    error: Mapped[str | None] = mapped_column(sa.String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    #: when a mail waiting after a temporary failure is tried again
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ticket: Mapped[Ticket | None] = relationship()
    message: Mapped[Message | None] = relationship()

    @property
    def references(self) -> list[str]:
        return (self.reference_ids or "").split()
