"""Notifications: a row in each recipient's tray, and the same thing sent live.

SLA alerts (``sla.warning``, ``sla.breached``) are kept few enough to read:

- one per ticket per person: no breach alert while that person still has an unread breach
  alert for the ticket, no warning while they have an unread warning or breach for it;
- a burst is folded: when a person already has ``DIGEST_AFTER`` unread SLA alerts from the
  last hour, those and every further alert of that hour become one digest entry ("12
  tickets breached or close to it"), which links to the queue of breached tickets.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from helpdesk.console import events
from helpdesk.console.models import DIGEST_KIND, Notification
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow

SLA_ALERTS = ("sla.warning", "sla.breached")
#: how many unread SLA alerts of the last hour a person sees one by one
DIGEST_AFTER = 5
DIGEST_WINDOW = timedelta(hours=1)
#: an alert of this kind is not repeated while the person has one of these unread
SUPERSEDED_BY = {"sla.breached": ("sla.breached",), "sla.warning": SLA_ALERTS}


def notify(
    user_ids: Iterable[int], kind: str, text: str, *, ticket=None, now: datetime | None = None
) -> list[Notification]:
    """Add a notification for each user in the caller's transaction; each is sent live
    (event ``notification``) to that user once the transaction commits. SLA alerts follow
    the rules above (a digest that grew is sent again, with its new text). The caller
    commits (normally inside ``tickets.services.unit_of_work``)."""
    now = now or utcnow()
    recipients = list(dict.fromkeys(user_ids))  # once per person, in the order given
    if kind in SLA_ALERTS and ticket is not None:
        recipients = _not_yet_alerted(recipients, kind, ticket.id)
    rows = []
    for user_id in recipients:
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
        shown = _fold_into_digest(row, now) if kind in SLA_ALERTS else row
        events.queue_user_event([row.user_id], "notification", shown.to_dict())
    return rows


def _not_yet_alerted(user_ids: list[int], kind: str, ticket_id: int) -> list[int]:
    if not user_ids:
        return []
    alerted = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.user_id.in_(user_ids),
                Notification.ticket_id == ticket_id,
                Notification.kind.in_(SUPERSEDED_BY[kind]),
                Notification.read_at.is_(None),
            )
        )
    )
    return [user_id for user_id in user_ids if user_id not in alerted]


def _fold_into_digest(row: Notification, now: datetime) -> Notification:
    """Fold ``row`` (and, when the digest starts, the person's other unread SLA alerts of
    the hour) into the person's digest; returns what the tray shows for it."""
    since = now - DIGEST_WINDOW
    digest = db.session.scalar(
        sa.select(Notification)
        .where(
            Notification.user_id == row.user_id,
            Notification.kind == DIGEST_KIND,
            Notification.read_at.is_(None),
            Notification.created_at >= since,
        )
        .order_by(Notification.id.desc())
        .limit(1)
    )
    if digest is None:
        loose = list(
            db.session.scalars(
                sa.select(Notification).where(
                    Notification.user_id == row.user_id,
                    Notification.kind.in_(SLA_ALERTS),
                    Notification.read_at.is_(None),
                    Notification.digest_id.is_(None),
                    Notification.created_at >= since,
                )
            )
        )
        if len(loose) <= DIGEST_AFTER:
            return row
        digest = Notification(user_id=row.user_id, kind=DIGEST_KIND, text="", created_at=now)
        db.session.add(digest)
        db.session.flush()
        for alert in loose:
            alert.digest_id = digest.id
    else:
        row.digest_id = digest.id
    db.session.flush()
    tickets = (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Notification.ticket_id))).where(
                Notification.digest_id == digest.id
            )
        )
        or 0
    )
    digest.text = f"{tickets} tickets breached or close to breaching their SLA"
    return digest
