"""The notification tray's writes: marking one's own notifications read."""

from collections.abc import Iterable

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.console.models import Notification
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow


def in_tray(user: User):
    """The notifications ``user``'s tray lists: their own, SLA alerts folded into a digest
    left out (the digest stands for them)."""
    return sa.select(Notification).where(
        Notification.user_id == user.id, Notification.digest_id.is_(None)
    )


def unread_count(user: User) -> int:
    unread = in_tray(user).where(Notification.read_at.is_(None))
    return db.session.scalar(sa.select(sa.func.count()).select_from(unread.subquery())) or 0


def mark_read(user: User, ids: Iterable[int] | None = None, *, everything: bool = False) -> int:
    """Mark ``user``'s notifications with these ids (or all of them) read and return how
    many remain unread. Ids of other people's notifications, or of none, change nothing:
    one person can never touch another's tray. Reading a digest reads what it folded."""
    wanted = sa.and_(Notification.user_id == user.id, Notification.read_at.is_(None))
    if not everything:
        ids = list(ids or [])
        wanted = sa.and_(wanted, sa.or_(Notification.id.in_(ids), Notification.digest_id.in_(ids)))
    try:
        db.session.execute(sa.update(Notification).where(wanted).values(read_at=utcnow()))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return unread_count(user)
