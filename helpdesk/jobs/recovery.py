"""Jobs whose worker died under them (killed, out of memory, its machine restarted).

RQ finds such a job by itself only when its registration in the "started" registry expires:
the job timeout plus a minute after it began, checked when a worker next cleans its
registries (every ten minutes). The job is then retried (``backends.RETRY``) or failed.
Here a live worker notices sooner: a job whose worker's key is gone from Redis, or whose
worker ran on this machine under a process id that no longer exists, is marked expired at
once and handed to RQ's own cleanup, which retries it like any abandoned job.
"""

import logging
import os
import socket

from flask import Flask
from redis import Redis
from rq import Queue, Worker
from rq.executions import Execution
from rq.registry import StartedJobRegistry

from helpdesk.jobs.backends import queue_for_app

log = logging.getLogger(__name__)


def requeue_jobs_of_dead_workers(app: Flask) -> int:
    """Hand the jobs of dead workers back to RQ on every queue of the app; returns how many."""
    from helpdesk.jobs import TASK_QUEUES

    return sum(_requeue_on(queue_for_app(app, name)) for name in sorted(set(TASK_QUEUES.values())))


def _requeue_on(queue: Queue) -> int:
    registry = StartedJobRegistry(queue=queue)
    connection = queue.connection
    dead = [
        f"{job_id}:{execution_id}"
        for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False)
        if _worker_is_dead(connection, _worker_of(connection, job_id, execution_id))
    ]
    if not dead:
        return 0
    # RQ's own lock on a queue's registries: two workers cleaning at once would retry the
    # same job twice.
    if not queue.acquire_maintenance_lock():
        return 0
    try:
        connection.zadd(registry.key, dict.fromkeys(dead, 0), xx=True)  # expired long ago
        registry.cleanup()  # retries them (or fails them once out of retries)
    finally:
        queue.release_maintenance_lock()
    log.warning("requeued %d job(s) of dead workers on %s: %s", len(dead), queue.name, dead)
    return len(dead)


def _worker_of(connection: Redis, job_id: str, execution_id: str) -> str | None:
    try:
        return Execution.fetch(execution_id, job_id, connection).worker_name or None
    except ValueError:  # the execution's own record expired: RQ's cleanup will see to it
        return None


def _worker_is_dead(connection: Redis, worker_name: str | None) -> bool:
    """True only when certain: the worker's key is gone (it stopped, or stopped sending
    heartbeats), or it ran on this machine under a process id that no longer exists."""
    if not worker_name:
        return False
    hostname, pid = connection.hmget(
        Worker.redis_worker_namespace_prefix + worker_name, ["hostname", "pid"]
    )
    if hostname is None:
        return True
    if hostname.decode() != socket.gethostname() or not pid:
        return False  # another machine's worker: RQ's timeout decides
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False
