"""Which console sockets each user has open, in every app process: so a change to a person
(deactivated, moved to another block) reaches their sockets wherever they are connected.

With ``REDIS_URL`` set the registry is a Redis set per user, shared by all processes (the
Socket.IO message queue then carries a disconnect or a room change to the process holding
the socket); otherwise this process's memory, as ``presence.py`` does. Entries of a process
that died without disconnecting expire after ``STALE_SECONDS``; acting on such a socket id
is harmless (no process has it).
"""

import threading

from flask import current_app

#: a user's registry is forgotten after this long without a new connection
STALE_SECONDS = 7 * 24 * 3600

_local_sockets: dict[int, set[str]] = {}
_lock = threading.Lock()


def _redis():
    from helpdesk.console.presence import _redis as presence_redis

    return presence_redis()


def _key(user_id: int) -> str:
    prefix = current_app.config.get("RQ_QUEUE", "helpdesk")
    return f"{prefix}:console:sockets:{user_id}"


def add(user_id: int, sid: str) -> None:
    redis = _redis()
    if redis is not None:
        pipe = redis.pipeline()
        pipe.sadd(_key(user_id), sid)
        pipe.expire(_key(user_id), STALE_SECONDS)
        pipe.execute()
        return
    with _lock:
        _local_sockets.setdefault(user_id, set()).add(sid)


def remove(user_id: int, sid: str) -> None:
    redis = _redis()
    if redis is not None:
        redis.srem(_key(user_id), sid)
        return
    with _lock:
        sockets = _local_sockets.get(user_id, set())
        sockets.discard(sid)
        if not sockets:
            _local_sockets.pop(user_id, None)


def sockets_of(user_id: int) -> list[str]:
    """The socket ids ``user_id`` has open on the console, in any process."""
    redis = _redis()
    if redis is not None:
        return sorted(redis.smembers(_key(user_id)))
    with _lock:
        return sorted(_local_sockets.get(user_id, set()))


def reset() -> None:
    """Forget every socket (tests)."""
    redis = _redis()
    if redis is not None:
        keys = list(redis.scan_iter(_key("*")))  # type: ignore[arg-type]
        if keys:
            redis.delete(*keys)
    with _lock:
        _local_sockets.clear()
