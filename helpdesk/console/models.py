from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket, TicketEvent
from helpdesk.timeutil import UTCDateTime, utcnow

#: the kind of a tray entry standing for many SLA alerts of one hour
DIGEST_KIND = "sla.digest"


class Notification(db.Model):
    """An entry in one person's notification tray (an escalation to them, an SLA warning,
    a breach, a mentor's answer). Sent live as well; kept so an agent who was offline
    sees it when they come back."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: what happened: ``escalated``, ``sla.warning``, ``sla.breached``, ``mentor.answered``...
    kind: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.String(300))
    ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: null until the person opens or dismisses it
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the digest ("12 tickets breached") an SLA alert was folded into; folded alerts are
    #: not listed or counted in the tray, the digest stands for them
    digest_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )

    user = relationship("User")
    ticket = relationship("Ticket")

    def to_dict(self) -> dict:
        from helpdesk.timeutil import isoformat

        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "ticket": self.ticket_id,
            "created_at": isoformat(self.created_at),
            "read": self.read_at is not None,
            "url": self.url,
        }

    @property
    def url(self) -> str | None:
        """Where the tray entry leads: its ticket, or for a digest the breached queue. Plain
        paths: entries are also built outside requests (jobs, SLA timers)."""
        if self.kind == DIGEST_KIND:
            return "/tickets?breached=1"
        if self.ticket_id is not None:
            return f"/tickets/{self.ticket_id}"
        return None


class ConsoleSettings(db.Model):
    """The call-centre's console switches; one row (id 1), written only by admins through
    ``console.assignment.update_settings``. Absent means every switch is at its default."""

    __tablename__ = "console_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: new tickets go to an online agent who speaks their language, least loaded first
    auto_assign: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    def to_dict(self) -> dict:
        from helpdesk.timeutil import isoformat

        return {"auto_assign": self.auto_assign, "updated_at": isoformat(self.updated_at)}


# What auto-assignment reads for every new ticket (console/assignment.pick_agent): each
# agent's open load, and the latest assignment event naming them. Declared here, beside the
# feature that needs them, rather than in tickets/models.py.
sa.Index("ix_tickets_assignee_status", Ticket.assignee_id, Ticket.status)
sa.Index("ix_ticket_events_kind_new_value", TicketEvent.kind, TicketEvent.new_value, TicketEvent.id)
