"""One Redis round trip for what a committed unit of work announces.

After a unit of work commits, the SLA engine sets its tickets' timers (ZADD), the console
publishes the live events (PUBLISH on the Socket.IO channel) and the outbox hands the jobs to
RQ. Inside ``one_round_trip()`` each of them queues its commands on one MULTI/EXEC pipeline,
sent when the block ends: one round trip instead of three, and all or nothing. Whoever
queues a command says what to do if Redis cannot take it (log it; keep the job in the
outbox for the relay). Outside such a block, or without ``REDIS_URL``, each sends its own.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

OnFailure = Callable[[RedisError], None]


@dataclass
class _RoundTrip:
    pipe: Pipeline
    on_failure: list[OnFailure] = field(default_factory=list)


_open: ContextVar[_RoundTrip | None] = ContextVar("commit_round_trip", default=None)


def pipeline(on_failure: OnFailure) -> Pipeline | None:
    """The pipeline of the round trip open in this context (None outside one): queue
    commands on it, never execute it. ``on_failure`` runs if Redis cannot take them."""
    round_trip = _open.get()
    if round_trip is None:
        return None
    round_trip.on_failure.append(on_failure)
    return round_trip.pipe


@contextmanager
def one_round_trip(redis: Redis | None) -> Iterator[None]:
    """Send what the block queues with ``pipeline()`` to ``redis`` in one round trip as it
    ends (even if it raised: what was queued belongs to a committed transaction). Without
    Redis, or inside an enclosing round trip (which it joins), nothing of its own."""
    if redis is None or _open.get() is not None:
        yield
        return
    pipe = redis.pipeline()
    pipe.multi()  # now, not when RQ's enqueue asks for it after other commands (refused)
    round_trip = _RoundTrip(pipe)
    token = _open.set(round_trip)
    try:
        yield
    finally:
        _open.reset(token)
        _send(round_trip)


def _send(round_trip: _RoundTrip) -> None:
    if not len(round_trip.pipe):
        return
    try:
        round_trip.pipe.execute()
    except RedisError as exc:
        for on_failure in round_trip.on_failure:
            try:
                on_failure(exc)
            except Exception:  # one caller's clean-up must not stop the others'
                log.exception("handling a failed Redis round trip")
    finally:
        round_trip.pipe.reset()
