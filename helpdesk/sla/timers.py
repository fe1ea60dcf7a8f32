"""SLA timers: a warning at 80% and a breach at 100% of each target, recorded once.

With ``REDIS_URL`` set, every change to a ticket schedules one RQ job at its next warning or
breach moment (``Queue.enqueue_at``; the worker runs RQ's scheduler). The job calls
``check_ticket``, which evaluates the ticket again and records what is due, then schedules
the ticket's next moment itself: one timer per ticket at a time rather than one per moment
(a Redis job each), so a job that runs late, twice, or after the due date moved does no
harm. Its id is the ticket and the moment, so the chains of a ticket changed in between
meet again at the same job.

``reconcile_sla`` checks every open ticket the same way. It catches whatever a stopped
worker or a Redis outage missed: the RQ worker runs it every minute from its relay loop,
and ``flask --app wsgi sla reconcile`` runs it by hand or from cron. In-process mode (no
Redis) schedules nothing: breaches are recorded when a ticket changes and by the reconciler,
so run ``flask --app wsgi sla reconcile`` from cron every minute or few there.
"""

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.sla.policies import refresh_sla
from helpdesk.tickets.models import OPEN_STATUSES, Message, Ticket
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)
Plan = tuple[int, list[tuple[datetime, str, str]]]  # ticket id, (moment, kind, target)


def schedule(plans: list[Plan]) -> int:
    """Schedule each ticket's check at its earliest moment still ahead, when Redis is
    configured. Returns how many were scheduled; a Redis outage is logged and left to the
    reconciler."""
    if not plans or not current_app.config.get("REDIS_URL"):
        return 0
    from helpdesk.jobs.backends import queue_for_app

    real_now, count = utcnow(), 0
    try:
        queue = queue_for_app(current_app)
        pipe = queue.connection.pipeline()  # one round trip for every ticket of the commit
        for ticket_id, moments in plans:
            ahead = [moment for moment, _kind, _target in moments if moment > real_now]
            if not ahead:
                continue
            moment = min(ahead)
            queue.enqueue_at(
                moment,
                check_ticket_job,
                ticket_id,
                # Same ticket and moment → same job: scheduling it again replaces it.
                job_id=f"sla-{ticket_id}-{int(moment.timestamp())}",
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
                pipeline=pipe,
            )
            count += 1
        if count:
            pipe.execute()
    except RedisError as exc:
        log.warning("SLA timers not scheduled (the reconciler will catch up): %s", exc)
    return count


def check_ticket_job(ticket_id: int) -> None:
    """What a scheduled timer runs (in an RQ worker): check the ticket, then schedule its
    next moment."""
    from helpdesk.jobs.backends import app_context_for_worker

    with app_context_for_worker():
        _breached, upcoming = _check(ticket_id, utcnow())
        schedule([(ticket_id, upcoming)])


def check_ticket(ticket_id: int, now: datetime | None = None) -> list[str]:
    """Evaluate one ticket as of ``now`` and record new warnings and breaches once.
    Returns the targets newly breached."""
    return _check(ticket_id, now or utcnow())[0]


def _check(ticket_id: int, now: datetime) -> tuple[list[str], list[tuple[datetime, str, str]]]:
    """``check_ticket``'s breaches, and the moments still ahead of the open ticket."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not ticket.is_open:
        return [], []
    before = list(ticket.sla_breached or [])
    with unit_of_work():
        result = refresh_sla(ticket, now)
        breached = [t for t in ticket.sla_breached or [] if t not in before]
        upcoming = result.upcoming() if ticket.is_open else []
    return breached, upcoming


def reconcile_sla(now: datetime | None = None, *, batch: int = 200) -> dict[str, int]:
    """Check every open ticket as of ``now``; returns {"checked", "breaches"}."""
    now = now or utcnow()
    ids = db.session.scalars(
        sa.select(Ticket.id).where(Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.id)
    ).all()
    checked = breaches = 0
    for start in range(0, len(ids), batch):
        tickets = db.session.scalars(
            sa.select(Ticket)
            .where(Ticket.id.in_(ids[start : start + batch]))
            .options(
                selectinload(Ticket.events),
                selectinload(Ticket.messages).selectinload(Message.author),
            )
        ).all()
        with unit_of_work():
            for ticket in tickets:
                before = len(ticket.sla_breached or [])
                refresh_sla(ticket, now)
                breaches += len(ticket.sla_breached or []) - before
                checked += 1
    return {"checked": checked, "breaches": breaches}
