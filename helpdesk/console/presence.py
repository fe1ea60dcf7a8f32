"""Who is online: each user's console status, shared by every app process.

Statuses: ``online`` (taking calls and tickets), ``away`` (set by hand or after inactivity),
``offline`` (no console open). With ``REDIS_URL`` set the statuses live in a Redis hash so
every app process and RQ worker reads the same answer; otherwise in this process's memory.
A user with several consoles open stays connected until the last one closes.
"""

import threading

from flask import current_app

STATUSES = ("online", "away", "offline")
_local_status: dict[int, str] = {}
_local_connections: dict[int, int] = {}
_lock = threading.Lock()


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    clients = current_app.extensions.setdefault("presence_redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url, decode_responses=True)
    return clients[url]


def _key(suffix: str) -> str:
    return f"{current_app.config.get('RQ_QUEUE', 'helpdesk')}:presence:{suffix}"


def connected(user_id: int) -> None:
    """A console of this user connected; a user coming back is ``online``."""
    redis = _redis()
    if redis is not None:
        if redis.hincrby(_key("connections"), user_id, 1) == 1:
            redis.hset(_key("status"), user_id, "online")
        return
    with _lock:
        _local_connections[user_id] = _local_connections.get(user_id, 0) + 1
        if _local_connections[user_id] == 1:
            _local_status[user_id] = "online"


def disconnected(user_id: int) -> str:
    """A console closed; returns the user's status afterwards (``offline`` after the last)."""
    redis = _redis()
    if redis is not None:
        if redis.hincrby(_key("connections"), user_id, -1) <= 0:
            redis.hdel(_key("connections"), user_id)
            redis.hset(_key("status"), user_id, "offline")
        return redis.hget(_key("status"), user_id) or "offline"
    with _lock:
        left = _local_connections.get(user_id, 0) - 1
        if left <= 0:
            _local_connections.pop(user_id, None)
            _local_status[user_id] = "offline"
        else:
            _local_connections[user_id] = left
        return _local_status.get(user_id, "offline")


def set_status(user_id: int, status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown presence status {status!r}")
    redis = _redis()
    if redis is not None:
        redis.hset(_key("status"), user_id, status)
        return
    with _lock:
        _local_status[user_id] = status


def statuses() -> dict[int, str]:
    """Every user's status that is not ``offline``."""
    redis = _redis()
    if redis is not None:
        raw = redis.hgetall(_key("status"))
    else:
        with _lock:
            raw = dict(_local_status)
    return {int(uid): status for uid, status in raw.items() if status != "offline"}


def online_user_ids() -> set[int]:
    """Users whose console is open and set to ``online`` (auto-assignment picks from these)."""
    return {uid for uid, status in statuses().items() if status == "online"}


def reset() -> None:
    """Forget every status (tests; a Redis restart does the same in production)."""
    redis = _redis()
    if redis is not None:
        redis.delete(_key("status"), _key("connections"))
    with _lock:
        _local_status.clear()
        _local_connections.clear()
