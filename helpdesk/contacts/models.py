from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.timeutil import UTCDateTime, utcnow

#: a number not yet placed in any block (an unknown SMS sender's) is on file once
UNPLACED = sa.text("block_id IS NULL")


class Contact(db.Model):
    """A caller as one block knows them. The same number may be on file in several blocks,
    each a separate contact, so what one block's BRC staff type in never reaches another
    block's caller."""

    __tablename__ = "contacts"
    __table_args__ = (
        # (phone, block): one contact per number and block; it also serves lookups by number.
        sa.UniqueConstraint("phone", "block_id", name="uq_contacts_phone_block"),
        sa.Index(
            "uq_contacts_phone_unplaced",
            "phone",
            unique=True,
            postgresql_where=UNPLACED,
            sqlite_where=UNPLACED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: E.164, e.g. ``+919876543210``
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    #: the block whose caller this is; None: not known yet (an SMS sender awaiting triage)
    block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("blocks.id"), index=True)
    #: the number is known to reach this person: it came from the SMS or telephony gateway
    #: or from call-centre staff. A number BRC staff typed in is not: calls and texts from
    #: it never land on this contact's tickets, and replies are not texted to it.
    phone_confirmed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: enterprise id in the programme's MIS, when the caller runs a known enterprise
    enterprise_id: Mapped[str | None] = mapped_column(sa.String(40))
    #: lower-case e-mail address: a requester who wrote in by mail, answered by mail
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    block: Mapped[Block | None] = relationship()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "block": self.block.code if self.block else None,
            "enterprise_id": self.enterprise_id,
        }
