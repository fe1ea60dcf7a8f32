"""Notifications: a row in each recipient's tray, and the same thing sent live."""

from collections.abc import Iterable
from datetime import datetime

from helpdesk.console import events
from helpdesk.console.models import Notification
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow


def notify(
    user_ids: Iterable[int], kind: str, text: str, *, ticket=None, now: datetime | None = None
) -> list[Notification]:
    """Add a notification for each user in the caller's transaction; each is sent live
    (event ``notification``) to that user once the transaction commits. The caller
    commits (normally inside ``tickets.services.unit_of_work``)."""
    now = now or utcnow()
    rows = []
    for user_id in dict.fromkeys(user_ids):  # once per person, in the order given
        row = Notification(
            user_id=user_id,
            kind=kind,
            text=text[:300],
            ticket_id=ticket.id if ticket is not None else None,
            created_at=now,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    for row in rows:
        events.queue_user_event([row.user_id], "notification", row.to_dict())
    return rows
