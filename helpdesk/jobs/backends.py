"""Where jobs run: an RQ queue on Redis, or this process when no Redis is configured."""

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job

from helpdesk import commit_pipeline

log = logging.getLogger(__name__)


class QueueUnavailable(RuntimeError):
    pass


#: in-process stand-in for the "search" queue's single worker: one thread, one index writer
_single_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-writer")


def wait_for_background_jobs(timeout: float = 30.0) -> None:
    """Block until in-process background jobs queued so far have run (tests, CLI)."""
    _single_writer.submit(lambda: None).result(timeout=timeout)


class InProcessBackend:
    """Runs the job in this process (the embedded default): default-queue jobs right away,
    "search" jobs on one background thread so a request never waits for the index."""

    removes_outbox_row = False  # run_task removes it once the job has run

    def __init__(self, run_task: Callable[[int, str, list], None]):
        self.run_task = run_task

    def holds(self, outbox_ids: list[int]) -> set[int]:
        """Nothing waits anywhere but in the outbox here."""
        return set()

    def submit(self, outbox_id: int, name: str, args: list, queue: str, on_failure=None) -> None:
        if queue == "default":
            self.run(outbox_id, name, args)
            return
        app = current_app._get_current_object()

        def in_background():
            with app.app_context():
                self.run(outbox_id, name, args)

        _single_writer.submit(in_background)

    def run(self, outbox_id: int, name: str, args: list) -> None:
        from helpdesk.extensions import db
        from helpdesk.jobs.models import OutboxJob

        try:
            self.run_task(outbox_id, name, args)
        except Exception as exc:  # a failing job must not fail the request that caused it
            log.exception("in-process job %s (%s) failed; kept in the outbox", outbox_id, name)
            try:
                db.session.rollback()
                job = db.session.get(OutboxJob, outbox_id)
                if job is not None:
                    job.attempts += 1
                    job.last_error = repr(exc)[:500]
                    db.session.commit()
            except Exception:  # the database itself is gone: the row stays as it was
                log.exception("could not count the failure of job %s", outbox_id)
                db.session.rollback()


#: a job that raised, or whose worker died under it, runs again: at once, then after 30 s and
#: 2 min (jobs are idempotent, and the outbox row is gone once RQ has the job)
RETRY = Retry(max=3, interval=[0, 30, 120])


class RQBackend:
    """Puts the job on an RQ queue; RQ workers run it."""

    removes_outbox_row = True  # Redis has it now (run_task removes it too, once run)

    def __init__(
        self, redis_url: str, queue_prefix: str, run_task: Callable[[int, str, list], None]
    ):
        self.connection = redis_connection(redis_url)
        self.queue_prefix = queue_prefix
        self.run_task = run_task

    def submit(
        self,
        outbox_id: int,
        name: str,
        args: list,
        queue: str,
        on_failure: Callable[[RedisError], None] | None = None,
    ) -> None:
        """Hand the job to RQ. With ``on_failure``, inside a commit's round trip to Redis
        (``helpdesk.commit_pipeline``), the job only joins it, and ``on_failure`` runs if
        Redis does not take it; otherwise it goes at once, or raises QueueUnavailable."""
        rq_queue = Queue(queue_name(self.queue_prefix, queue), connection=self.connection)
        pipe = commit_pipeline.pipeline(on_failure) if on_failure else None
        own = pipe is None
        if own:
            # Still a pipeline: RQ then sends the queue's registration with the job, in one
            # round trip instead of two.
            pipe = self.connection.pipeline()
        try:
            # A stable job id: relaying the same outbox row twice replaces, not duplicates.
            rq_queue.enqueue(
                self.run_task,
                outbox_id,
                name,
                args,
                job_id=f"outbox-{outbox_id}",
                retry=RETRY,
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
                pipeline=pipe,
            )
            if own:
                pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc

    def holds(self, outbox_ids: list[int]) -> set[int]:
        """The outbox ids whose job RQ has (queued, running, retrying, finished or failed
        within its TTLs): one pipelined EXISTS each."""
        pipe = self.connection.pipeline(transaction=False)
        for outbox_id in outbox_ids:
            pipe.exists(Job.key_for(f"outbox-{outbox_id}"))
        try:
            found = pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc
        return {outbox_id for outbox_id, n in zip(outbox_ids, found, strict=True) if n}


_connections: dict[str, Redis] = {}


def redis_connection(url: str) -> Redis:
    """One client per URL; short timeouts so a Redis outage never hangs a request."""
    if url not in _connections:
        _connections[url] = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=3)
    return _connections[url]


def for_app(app: Flask, run_task: Callable[[int, str, list], None]):
    """The backend for ``app``; ``run_task`` (``helpdesk.jobs.run_task``) is what runs a job."""
    url = app.config.get("REDIS_URL")
    if not url:
        return InProcessBackend(run_task)
    return RQBackend(url, app.config["RQ_QUEUE"], run_task)


def queue_name(prefix: str, queue: str) -> str:
    return prefix if queue == "default" else f"{prefix}-{queue}"


def queue_for_app(app: Flask, queue: str = "default") -> Queue:
    return Queue(
        queue_name(app.config["RQ_QUEUE"], queue),
        connection=redis_connection(app.config["REDIS_URL"]),
    )


#: builds the app for a job run outside one; ``helpdesk/__init__.py`` registers create_app
#: when the package is imported, which any worker unpickling a job has done
_app_factory: Callable[[], Flask] | None = None


def register_app_factory(factory: Callable[[], Flask]) -> None:
    global _app_factory
    _app_factory = factory


@contextlib.contextmanager
def app_context_for_worker():
    """Jobs need the app; RQ workers started outside `flask jobs worker` build one."""
    if has_app_context():
        yield current_app
        return
    if _app_factory is None:
        raise RuntimeError("no app factory registered (import helpdesk first)")
    app = _app_factory()
    with app.app_context():
        yield app
