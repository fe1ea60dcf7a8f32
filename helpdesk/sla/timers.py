"""SLA timers: a warning at 80% and a breach at 100% of each target, recorded once.

With ``REDIS_URL`` set, each site keeps one Redis sorted set of due checks
(``<RQ_QUEUE>:sla:due``): a member per open ticket, scored by the unix time of its next
warning or breach moment. Every commit that changes tickets writes their next moments in
one ZADD, so a ticket changed again just gets its new moment, and a ticket with nothing
ahead (met, closed) leaves the set. The RQ worker takes the due members about every second
(``run_due_timers``): it claims them in one Lua script, so two workers never check the same
ticket for one moment, checks each ticket (``check_ticket``'s work, which records what is
due once) and puts back its following moment. A check that runs early, late or twice does
no harm.

``reconcile_sla`` checks every open ticket the same way. It catches whatever a stopped
worker, a failed check or a Redis outage missed: the RQ worker runs it every minute from its
relay loop, and ``flask --app wsgi sla reconcile`` runs it by hand or from cron. In-process
mode (no Redis) schedules nothing: breaches are recorded when a ticket changes and by the
reconciler, so run ``flask --app wsgi sla reconcile`` from cron every minute or few there.
"""

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy.orm import selectinload

from helpdesk import commit_pipeline
from helpdesk.extensions import db
from helpdesk.sla.policies import refresh_sla
from helpdesk.tickets.models import OPEN_STATUSES, Message, Ticket
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)
Plan = tuple[int, list[tuple[datetime, str, str]]]  # ticket id, (moment, kind, target)

#: takes the members due by ARGV[1] (at most ARGV[2]) off the set in one step: a member one
#: worker took is gone for every other
_CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
"""


def due_timers_key(app: Flask) -> str:
    """The site's sorted set of due checks, beside its queues and other keys on one Redis."""
    return f"{app.config['RQ_QUEUE']}:sla:due"


def _next_moment(moments: list[tuple[datetime, str, str]], now: datetime) -> datetime | None:
    return min((moment for moment, _kind, _target in moments if moment > now), default=None)


def schedule(plans: list[Plan]) -> int:
    """Set each ticket's check at its earliest moment still ahead (a ticket with none leaves
    the set), when Redis is configured: on the commit's round trip to Redis when one is open
    (``helpdesk.commit_pipeline``), else at once. Returns how many were scheduled; a Redis
    outage is logged and left to the reconciler."""
    if not plans or not current_app.config.get("REDIS_URL"):
        return 0
    from helpdesk.jobs.backends import redis_connection

    real_now = utcnow()
    next_at: dict[int, float | None] = {}
    for ticket_id, moments in plans:
        moment = _next_moment(moments, real_now)
        next_at[ticket_id] = moment.timestamp() if moment else None
    ahead = {ticket_id: at for ticket_id, at in next_at.items() if at is not None}
    gone = [ticket_id for ticket_id, at in next_at.items() if at is None]
    key = due_timers_key(current_app)

    def not_scheduled(exc: RedisError) -> None:
        log.warning("SLA timers not scheduled (the reconciler will catch up): %s", exc)

    # A commit's timers ride on its one round trip to Redis; otherwise on their own.
    pipe = commit_pipeline.pipeline(on_failure=not_scheduled)
    own = pipe is None
    if own:
        pipe = redis_connection(current_app.config["REDIS_URL"]).pipeline(transaction=False)
    if ahead:
        pipe.zadd(key, ahead)  # replaces the moment of a ticket already in the set
    if gone:
        pipe.zrem(key, *gone)
    if own:
        try:
            pipe.execute()
        except RedisError as exc:
            not_scheduled(exc)
            return 0
    return len(ahead)


def run_due_timers(now: datetime | None = None, *, limit: int = 500) -> int:
    """Claim the tickets whose check is due by ``now`` and check each (in the app context),
    then set its following moment. Returns how many were checked; a ticket whose check
    fails is logged and left to the reconciler, and the others go on."""
    from helpdesk.jobs.backends import redis_connection

    now = now or utcnow()
    redis = redis_connection(current_app.config["REDIS_URL"])
    key = due_timers_key(current_app)
    claimed = redis.eval(_CLAIM_DUE, 1, key, now.timestamp(), limit)
    checked = 0
    for member in claimed:
        ticket_id = int(member)
        try:
            _breached, upcoming = _check(ticket_id, now)
        except Exception:
            log.exception("SLA check of ticket %s failed (the reconciler will catch up)", ticket_id)
            db.session.rollback()
            continue
        checked += 1
        moment = _next_moment(upcoming, now)
        if moment is not None:
            # LT: a commit that changed the ticket meanwhile may have set an earlier moment
            # than this check saw; keep the earlier one (checking early is harmless).
            redis.zadd(key, {ticket_id: moment.timestamp()}, lt=True)
    return checked


def check_ticket_job(ticket_id: int) -> None:
    """What the RQ timer jobs that earlier versions scheduled (ids ``sla-<ticket>-<moment>``)
    run when they come due after an upgrade: check the ticket and put its next moment in
    the set. Nothing schedules such jobs any more."""
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
