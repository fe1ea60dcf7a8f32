from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import Category
from helpdesk.timeutil import UTCDateTime, utcnow

#: what a response's text may name; each is filled in from the ticket when it is sent
PLACEHOLDERS = ("{requester_name}", "{ticket_number}", "{agent_name}", "{block_name}")


class CannedResponse(db.Model):
    """A reply written once and sent many times: shared by the call-centre (managers keep
    those) or one person's own."""

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: the text, with placeholders such as ``{requester_name}``
    body: Mapped[str] = mapped_column(sa.Text)
    #: BCP 47 tag of the language it is written in
    language: Mapped[str] = mapped_column(sa.String(8), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    #: whose own response it is; None: shared with everyone
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: how many times it was put into a reply
    usage_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category: Mapped[Category | None] = relationship()
    owner: Mapped[User | None] = relationship()

    @property
    def shared(self) -> bool:
        return self.owner_id is None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "language": self.language,
            "category": self.category.slug if self.category else None,
            "shared": self.shared,
            "usage_count": self.usage_count,
        }
