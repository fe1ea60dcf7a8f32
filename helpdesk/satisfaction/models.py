"""A requester's rating of a resolved ticket."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from helpdesk.timeutil import UTCDateTime, isoformat, utcnow

RATINGS = (1, 2, 3, 4, 5)


class SatisfactionRating(db.Model):
    """One rating per ticket (the unique ticket id makes a second one impossible, even
    two sent at the same moment)."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.Index("ix_satisfaction_ratings_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    #: 1 (very unhappy) to 5 (very happy)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    #: how the rating came in: web (the BRC portal), api, sms
    channel: Mapped[str] = mapped_column(sa.String(16))
    #: the BRC staff member who rated; None for a rating by SMS
    rated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: the caller who rated by SMS
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    rated_by: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "ticket": self.ticket_id,
            "rating": self.rating,
            "comment": self.comment,
            "channel": self.channel,
            "created_at": isoformat(self.created_at),
        }
