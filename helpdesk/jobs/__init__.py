"""Background jobs behind one small interface.

``enqueue()`` writes the job into the outbox table in the caller's transaction;
``deliver_pending()`` (after commit) hands it to RQ when ``REDIS_URL`` is set, or runs it
in-process otherwise. A job Redis could not take stays in the outbox until ``relay_outbox()``
delivers it, so a Redis outage never loses one.

The request that enqueued a job does not remove its row once RQ has it (that would be a
second transaction per request): the row goes when the job has run (``run_task``), or
when the relay (every few seconds in the worker) finds RQ holding the job, in bulk.
"""

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.jobs.models import OutboxJob
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)
TASKS: dict[str, Callable] = {}
#: task name → the queue it runs on; "search" has exactly one worker (one index writer)
TASK_QUEUES: dict[str, str] = {}
_PENDING_KEY = "outbox_pending_ids"
_SKIPPED_KEY = "outbox_skipped_tasks"
#: a job that failed this often in-process is left for a person to look at
MAX_ATTEMPTS = 5
#: the relay leaves younger rows to the request that wrote them (it hands them over after
#: its commit; a slow Redis times out after 3 s) unless that hand-over already failed
RELAY_GRACE = timedelta(seconds=15)


def task(name: str, queue: str = "default") -> Callable:
    """Register a job function under a stable name; it takes primary keys and plain values."""

    def register(func: Callable) -> Callable:
        TASKS[name] = func
        TASK_QUEUES[name] = queue
        return func

    return register


@dataclass
class _Pending:
    """A job enqueued in the current transaction, written to the outbox at its commit."""

    task: str
    args: list
    id: int | None = None  # the outbox row's, once written


def enqueue(name: str, *args) -> None:
    """Add a job to the current transaction; it is delivered only if the transaction commits.
    An argument may be a model instance not yet written (a ticket being opened): the job
    gets its primary key, which the commit's flush gives it."""
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}")
    if name in db.session.info.get(_SKIPPED_KEY, ()):
        return
    # Kept in memory, so delivery after the commit need not read the rows back.
    db.session.info.setdefault(_PENDING_KEY, []).append(_Pending(name, list(args)))


#: Core, not the ORM's bulk INSERT: the rows need no objects, and every ticket change runs it
_INSERT_OUTBOX_ROWS = sa.insert(OutboxJob.__table__).returning(
    OutboxJob.__table__.c.id, sort_by_parameter_order=True
)


def _write_pending(session: Session) -> None:
    """Before a transaction commits: write its jobs to the outbox, in one INSERT after the
    one flush that gives the instances they name their ids (not an ORM flush of their own)."""
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    unwritten = [job for job in session.info.get(_PENDING_KEY, ()) if job.id is None]
    if not unwritten:
        return
    session.flush()
    for job in unwritten:
        job.args = [_key_of(arg) for arg in job.args]
    now = utcnow()
    ids = session.scalars(
        _INSERT_OUTBOX_ROWS,
        [{"task": job.task, "args": job.args, "created_at": now} for job in unwritten],
    ).all()
    for job, job_id in zip(unwritten, ids, strict=True):
        job.id = job_id


def _key_of(value):
    """A model instance's primary key; any other value as it is."""
    if isinstance(value, db.Model):
        return sa.inspect(value).identity[0]
    return value


def _forget_pending(session: Session, previous_transaction) -> None:
    """A rolled-back transaction's jobs were never written and must never be sent."""
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


sa.event.listen(Session, "before_commit", _write_pending)
sa.event.listen(Session, "after_soft_rollback", _forget_pending)


@contextmanager
def skipping(*names: str) -> Iterator[None]:
    """Within the block, ``enqueue`` drops these tasks: for a bulk load that then runs one
    job covering every row (one search-index rebuild rather than a commit per row)."""
    skipped = db.session.info.setdefault(_SKIPPED_KEY, set())
    added = set(names) - skipped
    skipped |= added
    try:
        yield
    finally:
        skipped -= added


def deliver_pending() -> None:
    """Deliver the jobs enqueued in the transaction that was just committed."""
    pending = db.session.info.pop(_PENDING_KEY, [])
    if pending:
        # A job without an id was never written (its transaction rolled back): not sent.
        _deliver([(job.id, job.task, job.args) for job in pending if job.id is not None])


def discard_pending() -> None:
    """Forget enqueued jobs after a rollback (the rows themselves were rolled back)."""
    db.session.info.pop(_PENDING_KEY, None)


def relay_outbox(limit: int = 500) -> int:
    """Deliver jobs left in the outbox (e.g. while Redis was down) and remove the rows of
    jobs the queue already holds. Returns how many were delivered."""
    from helpdesk.jobs import backends

    rows = db.session.execute(
        sa.select(OutboxJob.id, OutboxJob.task, OutboxJob.args)
        .where(
            OutboxJob.attempts < MAX_ATTEMPTS,
            sa.or_(
                OutboxJob.last_error.is_not(None), OutboxJob.created_at < utcnow() - RELAY_GRACE
            ),
        )
        .order_by(OutboxJob.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    if not rows:
        return 0
    backend = backends.for_app(current_app, run_task)
    try:
        held = backend.holds([row.id for row in rows])
    except backends.QueueUnavailable as exc:
        log.warning("queue unavailable, %d job(s) kept in the outbox: %s", len(rows), exc)
        return 0
    if held:
        db.session.execute(sa.delete(OutboxJob).where(OutboxJob.id.in_(held)))
        db.session.commit()
    return _deliver([tuple(row) for row in rows if row.id not in held], remove_rows=True)


def _deliver(jobs: list[tuple[int, str, list]], *, remove_rows: bool = False) -> int:
    """Hand jobs to the backend in order; stop at the first queue outage (the rest stay in
    the outbox for the relay). Another relay may deliver the same row: jobs are idempotent.
    ``remove_rows``: delete the rows of the jobs a queue took (the relay does, in bulk)."""
    from helpdesk.jobs import backends

    backend = backends.for_app(current_app, run_task)
    submitted: list[int] = []
    try:
        for job_id, name, args in jobs:
            # A request's jobs join its commit's round trip to Redis; the relay's go at once.
            on_failure = None if remove_rows else functools.partial(_keep_for_the_relay, job_id)
            try:
                backend.submit(job_id, name, args, TASK_QUEUES[name], on_failure=on_failure)
            except backends.QueueUnavailable as exc:
                _keep_for_the_relay(job_id, exc)
                break
            submitted.append(job_id)
    finally:
        if remove_rows and backend.removes_outbox_row and submitted:
            db.session.execute(sa.delete(OutboxJob).where(OutboxJob.id.in_(submitted)))
            db.session.commit()
    return len(submitted)


def _keep_for_the_relay(job_id: int, exc: Exception) -> None:
    """The queue did not take the job: its row says why, so the relay delivers it without
    waiting for ``RELAY_GRACE``."""
    log.warning("queue unavailable, job %s kept in the outbox: %s", job_id, exc)
    db.session.execute(
        sa.update(OutboxJob).where(OutboxJob.id == job_id).values(last_error=str(exc)[:500])
    )
    db.session.commit()


def run_task(outbox_id: int, name: str, args: list) -> None:
    """Run a registered job; what RQ workers and the in-process backend both call."""
    from helpdesk.jobs.backends import app_context_for_worker

    with app_context_for_worker():
        TASKS[name](*args)
        # The job has run: its row is no longer needed (the relay may have removed it).
        db.session.execute(sa.delete(OutboxJob).where(OutboxJob.id == outbox_id))
        db.session.commit()
