"""Server-side sign-in sessions, and the cheap "last seen" bookkeeping of sessions and tokens.

Flask's session is a signed cookie the browser keeps: on its own the server cannot end it.
At sign-in a new random session id goes into the cookie and its SHA-256 into
``user_sessions``; the Flask-Login user loader accepts the cookie only while that row is
not revoked (one indexed lookup that also loads the user). Socket.IO connects through the
same loader, so a revoked session cannot open a console either.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, session
from flask_login import login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from helpdesk.agents.models import User, UserSession
from helpdesk.extensions import db, login_manager
from helpdesk.timeutil import utcnow
from helpdesk.validation import as_id

#: the key of the random session id in Flask's session cookie
SESSION_KEY = "sid"
#: last_seen_at / last_used_at are written at most this often per session or token
TOUCH_EVERY = timedelta(minutes=1)


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_session_user)
    app.teardown_request(_write_touches)


def start_session(user: User) -> None:
    """Sign ``user`` in on a brand-new session. Whatever the browser brought (a session
    planted by someone else, or an earlier sign-in) is ended and dropped first, so no
    session id known before sign-in is valid after it."""
    end_session()
    prune_sessions()
    session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, session_hash=UserSession.hash(session_id)))
    db.session.commit()
    session[SESSION_KEY] = session_id
    login_user(user)


def end_session() -> None:
    """Revoke this browser's session on the server and empty its cookie."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        db.session.execute(
            sa.update(UserSession)
            .where(
                UserSession.session_hash == UserSession.hash(session_id),
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        db.session.commit()
    logout_user()
    session.clear()


def idle_limit() -> timedelta:
    return timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def prune_sessions() -> int:
    """Delete the rows of sessions signed out, or unused, for longer than the idle limit
    (neither can sign anyone in again); the caller commits. Returns how many went."""
    cutoff = utcnow() - idle_limit()
    result = db.session.execute(
        sa.delete(UserSession).where(
            sa.or_(UserSession.revoked_at < cutoff, UserSession.last_seen_at < cutoff)
        )
    )
    return result.rowcount or 0


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, else None (signed out)."""
    session_id = session.get(SESSION_KEY)
    user_pk = as_id(user_id)
    if not isinstance(session_id, str) or user_pk is None:
        return None
    row = db.session.execute(
        sa.select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.session_hash == UserSession.hash(session_id),
            UserSession.revoked_at.is_(None),
            UserSession.last_seen_at >= utcnow() - idle_limit(),
        )
    ).first()
    if row is None or row.User.id != user_pk or not row.User.active:
        return None
    g.user_session_id = row.id
    if due_for_touch(row.last_seen_at):
        schedule_touch(UserSession, row.id, "last_seen_at")
    return row.User


def current_session_id() -> int | None:
    """The ``user_sessions`` id of the signed-in browser making this request, if any."""
    return g.get("user_session_id")


def due_for_touch(last) -> bool:
    return last is None or utcnow() - last >= TOUCH_EVERY


def schedule_touch(model, row_id: int, column: str) -> None:
    """Record "seen now" for ``row_id``, written when the request ends (see _write_touches)."""
    g.setdefault("auth_touches", []).append((model, row_id, column))


def _write_touches(_exc=None) -> None:
    """Write the scheduled last-seen times in their own short transaction after the view.
    Anything the view left uncommitted is discarded at teardown anyway, so rolling it back
    first keeps a half-done view from being committed by this bookkeeping."""
    touches = g.pop("auth_touches", None)
    if not touches:
        return
    try:
        db.session.rollback()
        now = utcnow()
        for model, row_id, column in touches:
            db.session.execute(sa.update(model).where(model.id == row_id).values({column: now}))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()  # bookkeeping only: never fail a request over it
