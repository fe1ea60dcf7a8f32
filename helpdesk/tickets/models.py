from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.timeutil import UTCDateTime, utcnow
from helpdesk.validation import as_id

STATUSES = ("new", "open", "pending", "escalated", "resolved", "closed")
OPEN_STATUSES = ("new", "open", "pending", "escalated")
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("phone", "web", "sms", "email", "api")
NUMBER_PREFIX = "KS-"
OPEN_QUEUE_CONDITION = "status IN ('new', 'open', 'pending', 'escalated')"


class Category(db.Model):
    """An enterprise-support subject such as business plans or bank linkage."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: the name Hindi pages show, given by the admin; None: the catalogue's translation of
    #: ``name`` (the seeded categories have one, a category added later does not)
    name_hi: Mapped[str | None] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: "enterprise" or "convergence": the NRO's two domains
    domain: Mapped[str] = mapped_column(sa.String(20), default="enterprise")
    #: no longer offered for new tickets; the tickets that have it keep it
    retired: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "name": self.name,
            "name_hi": self.name_hi,
            "description": self.description,
            "retired": self.retired,
        }


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.Index("ix_tickets_status_priority_created", "status", "priority", "created_at"),
        sa.Index("ix_tickets_block_status", "block_id", "status"),
        # The open queue (newest first, 50 a page) and its count: a small index holding only
        # open tickets, in the queue's order, whatever the share of solved tickets.
        sa.Index(
            "ix_tickets_open_queue",
            "id",
            postgresql_where=sa.text(OPEN_QUEUE_CONDITION),
            sqlite_where=sa.text(OPEN_QUEUE_CONDITION),
        ),
        # Weekly "resolved" counts of the SLA trend report.
        sa.Index("ix_tickets_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal")
    channel: Mapped[str] = mapped_column(sa.String(16), default="phone")
    #: BCP 47 tag of the language the requester speaks
    language: Mapped[str] = mapped_column(sa.String(8), default="hi")
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    #: None: not triaged yet (a text from an unknown number); only staff see such tickets
    block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("blocks.id"))
    requester_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: name of the SLA policy whose targets apply
    sla_policy: Mapped[str | None] = mapped_column(sa.String(60))
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the requester's oldest unanswered message must be answered; None when none waits
    next_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the mentor the ticket was escalated to must answer; None when not waiting on one
    mentor_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: targets already breached, e.g. ["first_response"]; each is recorded once
    sla_breached: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: business minutes (pauses excluded) from creation to the first response; None until met
    first_response_minutes: Mapped[int | None]
    #: business minutes (pauses excluded) from creation to resolved/closed; None while open
    resolution_minutes: Mapped[int | None]
    #: "first_response" / "resolution" are in ``sla_breached``: columns the reports can count
    first_response_breached: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    resolution_breached: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: the ticket this duplicate was merged into (it is closed, its thread moved there)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    #: the enterprise the ticket is about, in the ticket's block
    enterprise_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)

    category: Mapped[Category] = relationship()
    block: Mapped[Block | None] = relationship()
    requester: Mapped[Contact | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
    merged_into: Mapped["Ticket | None"] = relationship(remote_side=[id])
    enterprise: Mapped[Enterprise | None] = relationship()
    # Time order: a merged duplicate's messages interleave with the target's own.
    messages: Mapped[list["Message"]] = relationship(
        back_populates="ticket",
        order_by=lambda: (Message.created_at, Message.id),
        cascade="all, delete-orphan",
    )
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        return f"{NUMBER_PREFIX}{self.id:06d}"

    @staticmethod
    def id_from_number(text: str) -> int | None:
        """``KS-000123`` (any case, leading zeros optional) → 123; anything else, or a
        number no ticket can have (``KS-99999999999999999999``), → None."""
        text = text.strip().upper()
        if text.startswith(NUMBER_PREFIX):
            return as_id(text[len(NUMBER_PREFIX) :])
        return None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def next_due(self) -> datetime | None:
        """The next SLA deadline while the clocks run (``queries.next_due`` in SQL)."""
        if self.status not in ("new", "open", "escalated"):
            return None
        first = self.first_response_due if self.first_response_at is None else None
        dues = [first, self.next_response_due, self.mentor_response_due, self.resolution_due]
        return min((d for d in dues if d is not None), default=None)


class Message(db.Model):
    """A public reply or an internal note in a ticket's thread."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    #: the user who wrote it; None when the requester wrote by SMS or phone
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the caller who wrote it, when not a user
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    #: written by the system (acknowledgements); never counts as a response
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()

    @property
    def from_requester_side(self) -> bool:
        """Written by the caller or by BRC staff: the side that asked the question."""
        if self.automatic:
            return False
        return self.author is None or self.author.role == "brc"


class TicketEvent(db.Model):
    """Audit trail: who changed what on a ticket, from what to what, and when."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: created, status, priority, category, assignee, mentor, language, message, block, call
    kind: Mapped[str] = mapped_column(sa.String(20))
    old_value: Mapped[str | None] = mapped_column(sa.String(200))
    new_value: Mapped[str | None] = mapped_column(sa.String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class SavedView(db.Model):
    """A named queue: filters and a sort. Personal, or shared by a manager or admin with
    everyone who works the queue."""

    __tablename__ = "saved_views"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", name="uq_saved_views_owner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    #: the queue's query-string filters, e.g. {"status": "open", "priority": "urgent"}
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: a queue sort key, e.g. "due" or "-created"
    sort: Mapped[str] = mapped_column(sa.String(20), default="")
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship()
