"""The admin audit: who changed which setting, when, from what to what."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, isoformat, utcnow

#: what an entry is about
SUBJECTS = ("block", "category", "sla_calendar", "sla_policy", "hours_exception")


class AdminAuditEntry(db.Model):
    """One change to a setting. ``old_value``/``new_value`` are what a person reads
    ("Khuntpani" → "Khunti"); None on the side that did not exist (created, deleted)."""

    __tablename__ = "admin_audit"
    __table_args__ = (sa.Index("ix_admin_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: one of SUBJECTS
    subject: Mapped[str] = mapped_column(sa.String(20))
    #: the setting's code, slug or name as it was when changed
    subject_key: Mapped[str] = mapped_column(sa.String(120))
    #: created, renamed, moved, retired, restored, deleted, hours, ...
    action: Mapped[str] = mapped_column(sa.String(20))
    old_value: Mapped[str | None] = mapped_column(sa.String(500))
    new_value: Mapped[str | None] = mapped_column(sa.String(500))

    actor: Mapped[User | None] = relationship()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "at": isoformat(self.at),
            "actor": self.actor.to_summary() if self.actor else None,
            "subject": self.subject,
            "key": self.subject_key,
            "action": self.action,
            "old": self.old_value,
            "new": self.new_value,
        }
