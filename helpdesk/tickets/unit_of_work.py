"""The unit of work every ticket change runs in: one transaction, then what it announces.

Inside it, services write and send their domain signals (``helpdesk.signals``); receivers
write in the same transaction and queue whatever talks to the outside world. The outermost
unit of work then sends ``unit-of-work-before-commit`` with the tickets it touched (the SLA
engine refreshes their due dates there), writes its new tickets (``tickets.writing``),
commits, sends ``unit-of-work-committed`` (live console events, SLA timers) and delivers its
outbox jobs, all in one Redis round trip (``helpdesk.commit_pipeline``); on error it rolls
back and sends ``unit-of-work-rolled-back`` so nothing queued is announced.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import current_app

from helpdesk import commit_pipeline, jobs, signals
from helpdesk.extensions import db
from helpdesk.jobs.backends import redis_connection
from helpdesk.tickets.writing import write_new_tickets

log = logging.getLogger(__name__)

_TOUCHED_KEY = "sla_touched_tickets"
_DEPTH_KEY = "unit_of_work_depth"
_FAILED_KEY = "unit_of_work_inner_failed"
_HISTORICAL_KEY = "unit_of_work_historical"


def is_historical() -> bool:
    """True while a unit of work replays imported history (no live events, no
    notifications about SLA warnings and breaches, no automatic escalation)."""
    return bool(db.session.info.get(_HISTORICAL_KEY))


@contextmanager
def unit_of_work(*, historical: bool = False) -> Iterator[None]:
    """Commit what the block wrote (with the SLA state of the tickets it touched), then
    announce it (live console events, SLA timers) and deliver its jobs; roll everything
    back on error.

    Re-entrant: a unit of work opened inside another one joins it. Only the outermost one
    commits (or rolls back everything) and announces, once. If an inner block fails, the
    outer one refuses to commit even if the caller swallowed the error.

    ``historical=True`` (imports of past tickets) records SLA warnings and breaches without
    notifying anyone or escalating, and sends no live ticket events.
    """
    info = db.session.info
    if info.get(_DEPTH_KEY):
        info[_DEPTH_KEY] += 1
        try:
            yield
        except BaseException:
            info[_FAILED_KEY] = True
            raise
        finally:
            info[_DEPTH_KEY] -= 1
        return
    info[_DEPTH_KEY] = 1
    if historical:
        info[_HISTORICAL_KEY] = True
    try:
        yield
        if info.pop(_FAILED_KEY, False):
            raise RuntimeError("an inner unit of work failed; nothing is committed")
        touched = list(info.pop(_TOUCHED_KEY, {}).values())
        signals.unit_of_work_before_commit.send(None, touched=touched, historical=historical)
        write_new_tickets(db.session)  # with their final due dates, before the commit's flush
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in (_TOUCHED_KEY, _FAILED_KEY):
            info.pop(key, None)
        jobs.discard_pending()
        signals.unit_of_work_rolled_back.send(None)
        raise
    finally:
        info.pop(_DEPTH_KEY, None)
        info.pop(_HISTORICAL_KEY, None)
    # Live events, SLA timers and RQ jobs go to Redis together, in one round trip. Receivers
    # take what they queued before any in-process job opens a unit of work of its own.
    redis_url = current_app.config.get("REDIS_URL")
    with commit_pipeline.one_round_trip(redis_connection(redis_url) if redis_url else None):
        signals.unit_of_work_committed.send(None, historical=historical)
        jobs.deliver_pending()


def is_nested() -> bool:
    """True inside a unit of work that joined an outer one (which goes on after it)."""
    return db.session.info.get(_DEPTH_KEY, 0) > 1


def touch(ticket, at: datetime) -> None:
    """Note that ``ticket`` changed at ``at`` in the current unit of work (its SLA state is
    refreshed as of its latest change before the commit)."""
    touched = db.session.info.setdefault(_TOUCHED_KEY, {})
    previous = touched.get(id(ticket))
    touched[id(ticket)] = (ticket, max(at, previous[1]) if previous else at)


def refresh_sla_as_of(ticket, at: datetime) -> None:
    """In the current unit of work, evaluate ``ticket``'s SLA as of ``at`` rather than as of
    its latest event (an imported ticket still open is judged as of now)."""
    db.session.info.setdefault(_TOUCHED_KEY, {})[id(ticket)] = (ticket, at)
