"""Reference data kept per app process: rows every ticket reads and admins seldom change.

Opening a ticket reads its block (with district and state), its category, the SLA policies
of its priority, their calendar with its holidays and the console's auto-assignment switch:
six SELECTs that return the same rows all day. ``cached(kind, key, load)`` keeps what
``load()`` returned, per app, until any of the watched models (``watch``) is written.

How a change is noticed, whoever makes it: a flush that adds, changes or deletes a watched
row marks its session; when that session commits (or rolls back) this process drops its
cache and, with ``REDIS_URL`` set, increments a generation counter in Redis. Every session
compares that counter once, at its first cached read, so a change made in one process is
seen by the next request of every other one. A session that itself wrote watched rows
reads them from the database until it ends. Without Redis only this process's own writes
are noticed: run one app process there (the development server does), or restart.

Cached values must not be ORM objects attached to a session (a rollback would expire
them): ``detached_copy`` makes the copy that ``attach`` later merges into the current
session without a SELECT.
"""

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "helpdesk:reference-generation"
#: watched model → whether a new row of it can change a cached value
_WATCHED: dict[type, bool] = {}
_CHECKED_KEY = "reference_cache_generation_checked"
_WROTE_KEY = "reference_cache_wrote"
_lock = threading.Lock()


class _Store:
    def __init__(self) -> None:
        self.generation: int | None = None
        self.values: dict[tuple, object] = {}


def watch(*models: type, inserts: bool = True) -> None:
    """Writing a row of these models drops every cached value (in every process).
    ``inserts=False``: only changed and deleted rows do, for models whose new rows no cached
    value can depend on (a new API token or user: tokens are kept only once found, and an
    unknown one is never kept), so signing in does not empty every process's cache."""
    _WATCHED.update(dict.fromkeys(models, inserts))


def cached(kind: str, key, load: Callable[[], T], *, keep_none: bool = True) -> T:
    """What ``load()`` returns for ``(kind, key)``, from this process's cache when no
    watched row changed since it was loaded. ``keep_none=False``: a None is not kept (keys
    anyone can make up, such as bearer tokens, must not fill the cache)."""
    session = db.session()
    if session.info.get(_WROTE_KEY):
        return load()
    store = _store()
    if not _fresh(session, store):
        return load()
    values = store.values  # a change while loading replaces the dict: the value is dropped
    try:
        return values[(kind, key)]
    except KeyError:
        value = load()
        if value is not None or keep_none:
            values[(kind, key)] = value
        return value


def note_write() -> None:
    """The current session changed watched rows without the ORM (an UPDATE statement):
    every process drops its cache when the session commits, as after an ORM write."""
    db.session().info[_WROTE_KEY] = True


def clear() -> None:
    """Drop this process's cached values (the next reads go to the database)."""
    with _lock:
        store = _store()
        store.values = {}


def detached_copy(instance, **related):
    """A copy of ``instance``'s loaded columns, belonging to no session, with the given
    relationships set to (copies of) related objects: safe to share between sessions."""
    mapper = sa.inspect(instance).mapper
    copy = mapper.class_manager.new_instance()
    for prop in mapper.column_attrs:
        set_committed_value(copy, prop.key, getattr(instance, prop.key))
    make_transient_to_detached(copy)
    for name, value in related.items():
        set_committed_value(copy, name, value)
    return copy


def attach(copy):
    """The current session's instance of a ``detached_copy`` (merged without a SELECT)."""
    return None if copy is None else db.session.merge(copy, load=False)


def _store() -> _Store:
    return current_app.extensions.setdefault("reference_cache", _Store())


def _fresh(session: Session, store: _Store) -> bool:
    """Whether the cache may be used in ``session``: the shared generation is read once per
    session and a change elsewhere empties the cache. False when Redis cannot say."""
    checked = session.info.get(_CHECKED_KEY)
    if checked is not None:
        return checked
    url = current_app.config.get("REDIS_URL")
    ok = True
    if url:
        try:
            generation = int(_redis(url).get(GENERATION_KEY) or 0)
        except RedisError as exc:
            log.warning("reference cache bypassed, Redis unavailable: %s", exc)
            generation, ok = None, False
        if ok and generation != store.generation:
            with _lock:
                store.values = {}
                store.generation = generation
    session.info[_CHECKED_KEY] = ok
    return ok


def _redis(url: str):
    from helpdesk.jobs.backends import redis_connection

    return redis_connection(url)


def _note_writes(session: Session, _flush_context) -> None:
    if session.info.get(_WROTE_KEY) or not _WATCHED:
        return
    for instance in session.new:
        if _WATCHED.get(type(instance)):
            session.info[_WROTE_KEY] = True
            return
    for instance in (*session.dirty, *session.deleted):
        if type(instance) in _WATCHED:
            session.info[_WROTE_KEY] = True
            return


def _after_end(session: Session) -> None:
    """The session that wrote watched rows committed or rolled back: everyone reloads."""
    if not session.info.pop(_WROTE_KEY, False):
        return
    session.info.pop(_CHECKED_KEY, None)
    try:
        app = current_app._get_current_object()
    except RuntimeError:  # no app: nothing of ours is cached here
        return
    store = app.extensions.get("reference_cache")
    if store is not None:
        with _lock:
            store.values = {}
    url = app.config.get("REDIS_URL")
    if url:
        try:
            _redis(url).incr(GENERATION_KEY)
        except RedisError as exc:
            log.warning("other processes keep cached reference data until restarted: %s", exc)


sa.event.listen(Session, "after_flush", _note_writes)
sa.event.listen(Session, "after_commit", _after_end)


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # not a savepoint: the transaction ended
        _after_end(session)


sa.event.listen(Session, "after_soft_rollback", _after_rollback)
