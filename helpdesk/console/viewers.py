"""Who has which ticket open, and who is typing on it: a registry every app process shares.

Entries are kept per socket (a person with two tabs on one ticket is one viewer, and stays
one until both close). With ``REDIS_URL`` set the registry lives in Redis, so a process
serving one agent sees the viewers another process serves; otherwise in this process's
memory, as ``presence.py`` does. A socket's entries are dropped when it disconnects;
entries of a process that died without disconnecting expire after ``STALE_SECONDS``.
Typing marks fade by themselves after ``TYPING_SECONDS`` (a browser that closed mid-word
never says it stopped).
"""

import threading
import time

from flask import current_app

#: a typing mark older than this is no longer shown
TYPING_SECONDS = 8
#: Redis keys of a ticket nobody touched for this long are forgotten
STALE_SECONDS = 12 * 3600

# ticket id → {socket id: user id}; ticket id → {socket id: (user id, since)};
# socket id → {ticket ids}
_local_viewers: dict[int, dict[str, int]] = {}
_local_typing: dict[int, dict[str, tuple[int, float]]] = {}
_local_sockets: dict[str, set[int]] = {}
_lock = threading.Lock()


def _redis():
    from helpdesk.console.presence import _redis as presence_redis

    return presence_redis()


def _key(*parts) -> str:
    prefix = current_app.config.get("RQ_QUEUE", "helpdesk")
    return ":".join([prefix, "viewers", *map(str, parts)])


def view(sid: str, user_id: int, ticket_id: int) -> None:
    """Socket ``sid`` of ``user_id`` has ``ticket_id`` open."""
    redis = _redis()
    if redis is not None:
        pipe = redis.pipeline()
        pipe.hset(_key("ticket", ticket_id), sid, user_id)
        pipe.expire(_key("ticket", ticket_id), STALE_SECONDS)
        pipe.sadd(_key("socket", sid), ticket_id)
        pipe.expire(_key("socket", sid), STALE_SECONDS)
        pipe.execute()
        return
    with _lock:
        _local_viewers.setdefault(ticket_id, {})[sid] = user_id
        _local_sockets.setdefault(sid, set()).add(ticket_id)


def leave(sid: str, ticket_id: int) -> bool:
    """Socket ``sid`` closed ``ticket_id``; False if it was not viewing it."""
    redis = _redis()
    if redis is not None:
        pipe = redis.pipeline()
        pipe.hdel(_key("ticket", ticket_id), sid)
        pipe.hdel(_key("typing", ticket_id), sid)
        pipe.srem(_key("socket", sid), ticket_id)
        removed, _, _ = pipe.execute()
        return bool(removed)
    with _lock:
        removed = _local_viewers.get(ticket_id, {}).pop(sid, None) is not None
        _local_typing.get(ticket_id, {}).pop(sid, None)
        _local_sockets.get(sid, set()).discard(ticket_id)
        _forget_empty(ticket_id, sid)
        return removed


def is_viewing(sid: str, ticket_id: int) -> bool:
    redis = _redis()
    if redis is not None:
        return bool(redis.hexists(_key("ticket", ticket_id), sid))
    with _lock:
        return sid in _local_viewers.get(ticket_id, {})


def set_typing(sid: str, ticket_id: int, typing: bool) -> bool:
    """Mark (or unmark) the person behind ``sid`` as typing on ``ticket_id``. Refused
    (False) unless that socket is viewing the ticket."""
    redis = _redis()
    if redis is not None:
        user_id = redis.hget(_key("ticket", ticket_id), sid)
        if user_id is None:
            return False
        if typing:
            redis.hset(_key("typing", ticket_id), sid, f"{user_id}:{time.time()}")
            redis.expire(_key("typing", ticket_id), STALE_SECONDS)
        else:
            redis.hdel(_key("typing", ticket_id), sid)
        return True
    with _lock:
        user_id = _local_viewers.get(ticket_id, {}).get(sid)
        if user_id is None:
            return False
        if typing:
            _local_typing.setdefault(ticket_id, {})[sid] = (user_id, time.time())
        else:
            _local_typing.get(ticket_id, {}).pop(sid, None)
        return True


def viewers(ticket_id: int) -> tuple[list[int], list[int]]:
    """(user ids viewing, user ids typing) on ``ticket_id``, each once, in a stable order."""
    redis = _redis()
    if redis is not None:
        seen = redis.hgetall(_key("ticket", ticket_id))
        marks = redis.hgetall(_key("typing", ticket_id))
        viewing = [int(uid) for uid in seen.values()]
        typing_marks = []
        for mark in marks.values():
            uid, _, since = mark.partition(":")
            typing_marks.append((int(uid), float(since or 0)))
    else:
        with _lock:
            viewing = list(_local_viewers.get(ticket_id, {}).values())
            typing_marks = list(_local_typing.get(ticket_id, {}).values())
    fresh = time.time() - TYPING_SECONDS
    typing = sorted({uid for uid, since in typing_marks if since >= fresh})
    return sorted(set(viewing)), typing


def sockets(ticket_id: int) -> dict[str, int]:
    """The sockets viewing ``ticket_id``: socket id → user id."""
    redis = _redis()
    if redis is not None:
        return {sid: int(uid) for sid, uid in redis.hgetall(_key("ticket", ticket_id)).items()}
    with _lock:
        return dict(_local_viewers.get(ticket_id, {}))


def tickets_of(sid: str) -> list[int]:
    """The tickets socket ``sid`` is viewing."""
    redis = _redis()
    if redis is not None:
        return sorted(int(t) for t in redis.smembers(_key("socket", sid)))
    with _lock:
        return sorted(_local_sockets.get(sid, set()))


def drop_socket(sid: str) -> list[int]:
    """Forget everything socket ``sid`` had open; returns those ticket ids."""
    redis = _redis()
    if redis is not None:
        tickets = [int(t) for t in redis.smembers(_key("socket", sid))]
        pipe = redis.pipeline()
        for ticket_id in tickets:
            pipe.hdel(_key("ticket", ticket_id), sid)
            pipe.hdel(_key("typing", ticket_id), sid)
        pipe.delete(_key("socket", sid))
        pipe.execute()
        return sorted(tickets)
    with _lock:
        tickets = sorted(_local_sockets.pop(sid, set()))
        for ticket_id in tickets:
            _local_viewers.get(ticket_id, {}).pop(sid, None)
            _local_typing.get(ticket_id, {}).pop(sid, None)
            _forget_empty(ticket_id, None)
        return tickets


def _forget_empty(ticket_id: int, sid: str | None) -> None:
    # called with _lock held: keep the dictionaries from growing with closed tickets
    if not _local_viewers.get(ticket_id):
        _local_viewers.pop(ticket_id, None)
    if not _local_typing.get(ticket_id):
        _local_typing.pop(ticket_id, None)
    if sid is not None and not _local_sockets.get(sid):
        _local_sockets.pop(sid, None)


def reset() -> None:
    """Forget every viewer (tests)."""
    redis = _redis()
    if redis is not None:
        keys = list(redis.scan_iter(_key("*")))
        if keys:
            redis.delete(*keys)
    with _lock:
        _local_viewers.clear()
        _local_typing.clear()
        _local_sockets.clear()
