from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.timeutil import UTCDateTime, utcnow


class Contact(db.Model):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: E.164, e.g. ``+919876543210``; one contact per number
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("blocks.id"), index=True)
    #: enterprise id in the programme's MIS, when the caller runs a known enterprise
    enterprise_id: Mapped[str | None] = mapped_column(sa.String(40))
    language: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    block: Mapped[Block | None] = relationship()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "block": self.block.code if self.block else None,
            "enterprise_id": self.enterprise_id,
        }
