from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class OutboxJob(db.Model):
    """A job written in the same transaction as the change that caused it.

    It stays here until the queue has accepted it, so a Redis outage loses nothing.
    """

    __tablename__ = "outbox_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: registered task name, e.g. ``tickets.acknowledge``
    task: Mapped[str] = mapped_column(sa.String(80))
    #: primary keys and plain values only, never ORM objects
    args: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
