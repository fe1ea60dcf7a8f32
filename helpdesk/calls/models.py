"""Telephone calls reported by the telephony system (CTI) and text messages in and out."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from helpdesk.timeutil import UTCDateTime, utcnow

CALL_STATUSES = ("ringing", "answered", "ended", "missed")
DIRECTIONS = ("in", "out")
SMS_STATUSES = ("received", "queued", "sending", "sent", "failed")
#: what the call report reads of each call besides its direction and start
REPORT_COLUMNS = [
    "answered_at",
    "ended_at",
    "answered_by_id",
    "ticket_id",
    "duration_seconds",
    "followed_up_at",
]


class Call(db.Model):
    """One telephone call, from the telephony system's first event to its hangup."""

    __tablename__ = "calls"
    __table_args__ = (
        sa.Index("ix_calls_started_at", "started_at"),
        # The call report reads a range of inbound calls and only these columns: on
        # PostgreSQL a short range is an index-only scan, never a walk through the rows.
        sa.Index(
            "ix_calls_direction_started_at",
            "direction",
            "started_at",
            postgresql_include=REPORT_COLUMNS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the telephony system's id of the call; its events are matched on it
    call_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: E.164 numbers
    from_number: Mapped[str] = mapped_column(sa.String(20))
    to_number: Mapped[str | None] = mapped_column(sa.String(20))
    direction: Mapped[str] = mapped_column(sa.String(3), default="in")
    #: the caller on file behind the other party's number
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    #: a BRC staff member (or other user) whose profile carries the other party's number
    caller_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: answer → hangup; 0 for a missed call
    duration_seconds: Mapped[int | None] = mapped_column()
    #: the telephony system's hangup cause, e.g. ``normal_clearing``
    cause: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(10), default="ringing")
    #: when the requester next came back on this call's ticket (a later inbound call
    #: logged on it, or a public reply from their side): the call did not resolve it at
    #: first contact. Kept by ``calls.follow_ups``; read by the call report.
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: CTI events already applied (newCall, answer, hangup): a repeat changes nothing
    events_seen: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    contact: Mapped[Contact | None] = relationship()
    caller_user: Mapped[User | None] = relationship(foreign_keys=[caller_user_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    ticket: Mapped[Ticket | None] = relationship()

    @property
    def party_number(self) -> str:
        """The number of the person outside the call-centre."""
        return self.from_number if self.direction == "in" else self.to_number

    @property
    def caller_name(self) -> str | None:
        if self.contact is not None:
            return self.contact.name
        return self.caller_user.name if self.caller_user is not None else None


class SmsMessage(db.Model):
    """A text message received from or sent to a phone, and the ticket message it is."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(sa.String(3))
    #: E.164 number of the sender (in) or recipient (out)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    #: the ticket message this text became (in) or came from (out)
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL"), unique=True
    )
    #: received (in); queued → sending → sent | failed (out)
    status: Mapped[str] = mapped_column(sa.String(10))
    #: the gateway's id of a sent message
    provider_id: Mapped[str | None] = mapped_column(sa.String(100))
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ticket: Mapped[Ticket | None] = relationship()
    message: Mapped[Message | None] = relationship()


CALLBACK_STATUSES = ("open", "done")
#: at most one open callback per number: more missed calls add to it
OPEN_CALLBACK = sa.text("status = 'open'")


class Callback(db.Model):
    """A caller the call-centre owes a call: their inbound call was abandoned before anyone
    answered. Several missed calls from one number make one open callback."""

    __tablename__ = "callbacks"
    __table_args__ = (
        sa.Index(
            "uq_callbacks_open_phone",
            "phone",
            unique=True,
            postgresql_where=OPEN_CALLBACK,
            sqlite_where=OPEN_CALLBACK,
        ),
        # The console's queue: open callbacks, the longest waiting first.
        sa.Index("ix_callbacks_status_first_missed_at", "status", "first_missed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: E.164 number of the caller to ring back
    phone: Mapped[str] = mapped_column(sa.String(20))
    #: open → done (by an agent with a note, or by a later answered call)
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    #: missed calls from this number since the callback opened
    missed_calls: Mapped[int] = mapped_column(default=1)
    first_missed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_missed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the latest missed call
    last_call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: the answered call that closed it by itself, if that is how it closed
    closed_by_call_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("calls.id", ondelete="SET NULL")
    )

    last_call: Mapped[Call | None] = relationship(foreign_keys=[last_call_id])
    closed_by_call: Mapped[Call | None] = relationship(foreign_keys=[closed_by_call_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
