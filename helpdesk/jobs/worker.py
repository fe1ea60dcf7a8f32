"""The RQ worker process, started by `flask --app wsgi jobs worker` so jobs run in the app."""

import logging
import threading
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import SimpleWorker

from helpdesk.jobs import relay_outbox
from helpdesk.jobs.backends import queue_for_app
from helpdesk.jobs.recovery import requeue_jobs_of_dead_workers

log = logging.getLogger(__name__)


def run_worker(
    app: Flask,
    *,
    queues: tuple[str, ...] = ("default",),
    burst: bool = False,
    relay_every: float = 5.0,
    due_timers_every: float = 1.0,
) -> None:
    if not app.config.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: jobs already run in-process.")
    # A worker restarted after a crash takes up what its predecessor was running.
    requeue_jobs_of_dead_workers(app)
    stop = threading.Event()
    relay = threading.Thread(target=_relay_loop, args=(app, stop, relay_every), daemon=True)
    relay.start()
    if "default" in queues:  # SLA checks are default-queue work, not the search writer's
        due_timers = threading.Thread(
            target=_due_timers_loop, args=(app, stop, due_timers_every), daemon=True
        )
        due_timers.start()
    try:
        # SimpleWorker runs jobs in this process: no fork, so the app and its
        # connection pool are reused instead of rebuilt per job. RQ's scheduler moves jobs
        # queued for later (mail retries) to the queue when they are due.
        rq_queues = [queue_for_app(app, name) for name in queues]
        worker = SimpleWorker(rq_queues, connection=rq_queues[0].connection)
        worker.work(burst=burst, with_scheduler=True)
    finally:
        stop.set()


#: seconds between SLA reconciliations (catching timers a stopped worker missed)
RECONCILE_EVERY = 60.0


def _relay_loop(app: Flask, stop: threading.Event, every: float) -> None:
    """Catch jobs that stayed in the outbox while Redis was unreachable, jobs whose worker
    died under them, and SLA warnings and breaches whose timers did not run."""
    from helpdesk.sla.timers import reconcile_sla

    last_reconcile = 0.0
    while not stop.wait(every):
        with app.app_context():
            try:
                relay_outbox()
            except Exception:  # keep relaying; the next round may succeed
                log.exception("outbox relay failed")
            try:
                requeue_jobs_of_dead_workers(app)
            except Exception:
                log.exception("requeueing the jobs of dead workers failed")
            if time.monotonic() - last_reconcile >= RECONCILE_EVERY:
                last_reconcile = time.monotonic()
                try:
                    reconcile_sla()
                except Exception:
                    log.exception("SLA reconciliation failed")


def _due_timers_loop(app: Flask, stop: threading.Event, every: float) -> None:
    """Check the tickets whose SLA warning or breach moment has come, about every ``every``
    seconds; its own thread, so a slow relay or reconciliation does not delay them."""
    from helpdesk.sla.timers import run_due_timers

    while not stop.wait(every):
        with app.app_context():
            try:
                run_due_timers()
            except RedisError as exc:  # every second while Redis is away: no traceback
                log.warning("SLA due timers not taken: %s", exc)
            except Exception:  # the next round may succeed
                log.exception("SLA due timers failed")
