from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.contacts.models import Contact
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.timeutil import UTCDateTime, isoformat, utcnow


class Enterprise(db.Model):
    """A business the programme supports, as its MIS knows it: run in one block by an owner
    who is a contact of that block."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the enterprise's id in the programme's MIS, e.g. ``JH-WSB-000123``
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: what it does, e.g. "poultry", "tailoring unit"
    activity: Mapped[str] = mapped_column(sa.String(120), default="")
    block_id: Mapped[int] = mapped_column(sa.ForeignKey("blocks.id"), index=True)
    #: the member who runs it: a contact of the enterprise's block
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    block: Mapped[Block] = relationship()
    owner: Mapped[Contact] = relationship()

    def to_summary(self) -> dict:
        return {"code": self.code, "name": self.name, "activity": self.activity}

    def to_dict(self) -> dict:
        return self.to_summary() | {
            "block": self.block.to_dict(),
            "owner": {"id": self.owner.id, "name": self.owner.name, "phone": self.owner.phone},
            "created_at": isoformat(self.created_at),
        }
