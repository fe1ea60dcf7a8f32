"""Socket.IO handlers of the ``/console`` namespace.

Only authenticated users connect: a browser with its Flask-Login session cookie, any other
client with ``auth={"token": <API token>}``. On connect a socket joins exactly the rooms
``events.rooms_for_user`` names, so it can only ever receive what that user may see.

Client events, each answered through the acknowledgement with ``{"ok": true, ...}`` or
``{"error": "<slug>"}`` (``invalid``, ``forbidden``, ``not_found``, ``not_viewing``):

- ``presence.set`` ``{"status": "online"|"away"}``; everyone in ``staff`` hears ``presence``.
- ``presence.list`` (agents, managers, admins): the staff and mentors not offline.
- ``ticket.view`` / ``ticket.leave`` ``{"ticket_id"}``: join or leave the ticket's room
  (only a ticket ``agents.access.can_view`` allows; any other is ``not_found``, exactly as
  a ticket that does not exist); the room hears ``ticket.viewing``.
- ``ticket.typing`` ``{"ticket_id", "typing": bool}`` on a ticket this socket is viewing.
"""

import sqlalchemy as sa
from flask import request
from flask_login import current_user

from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.agents.services import user_for_token
from helpdesk.console import connections, events, presence, viewers
from helpdesk.extensions import db, socketio
from helpdesk.tickets.models import Ticket
from helpdesk.validation import MAX_ID

#: whose presence the call-centre follows (BRC staff take no calls or tickets)
PRESENCE_ROLES = (*STAFF_ROLES, "mentor")
#: the statuses a person may choose; ``offline`` only ever follows the last disconnect
SETTABLE_STATUSES = ("online", "away")

#: socket id → user id, for the sockets connected to this process
_socket_users: dict[str, int] = {}


def _authenticate(auth) -> "User | None":
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return user_for_token(auth["token"])
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _socket_user() -> User | None:
    user_id = _socket_users.get(request.sid)
    user = db.session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.active else None


def _still_active(user_id: int) -> bool:
    db.session.commit()  # end the read snapshot (SQLite keeps one per transaction)
    return bool(db.session.scalar(sa.select(User.active).where(User.id == user_id)))


def _status_of(user_id: int) -> str:
    return presence.statuses().get(user_id, "offline")


@socketio.on("connect", namespace=events.NAMESPACE)
def on_connect(auth=None):
    user = _authenticate(auth)
    if user is None:
        raise ConnectionRefusedError("Sign in first.")
    # Registered first, checked again after: a deactivation committed while this socket
    # was connecting either finds it in the registry or is seen by this check.
    connections.add(user.id, request.sid)
    if not _still_active(user.id):
        connections.remove(user.id, request.sid)
        raise ConnectionRefusedError("Sign in first.")
    for room in events.rooms_for_user(user):
        socketio.server.enter_room(request.sid, room, namespace=events.NAMESPACE)
    _socket_users[request.sid] = user.id
    presence.connected(user.id)
    if user.role in PRESENCE_ROLES:
        events.send_now_presence(user, _status_of(user.id), skip_sid=request.sid)


@socketio.on("disconnect", namespace=events.NAMESPACE)
def on_disconnect(*_reason):
    user_id = _socket_users.pop(request.sid, None)
    for ticket_id in viewers.drop_socket(request.sid):
        announce_viewing(ticket_id)
    if user_id is None:
        return
    connections.remove(user_id, request.sid)
    status = presence.disconnected(user_id)
    user = db.session.get(User, user_id)
    if user is not None and user.role in PRESENCE_ROLES:
        events.send_now_presence(user, status)


@socketio.on("presence.set", namespace=events.NAMESPACE)
def on_presence_set(data=None):
    user = _socket_user()
    if user is None:
        return {"error": "forbidden"}
    status = data.get("status") if isinstance(data, dict) else None
    if status not in SETTABLE_STATUSES:
        return {"error": "invalid", "fields": {"status": "must be online or away"}}
    presence.set_status(user.id, status)
    if user.role in PRESENCE_ROLES:
        events.send_now_presence(user, status)
    return {"ok": True, "status": status}


@socketio.on("presence.list", namespace=events.NAMESPACE)
def on_presence_list(_data=None):
    user = _socket_user()
    if user is None or user.role not in STAFF_ROLES:
        return {"error": "forbidden"}
    statuses = presence.statuses()
    people = db.session.scalars(
        sa.select(User)
        .where(User.id.in_(list(statuses)), User.role.in_(PRESENCE_ROLES))
        .order_by(User.name, User.id)
    )
    return {
        "ok": True,
        "users": [
            {"id": p.id, "name": p.name, "role": p.role, "status": statuses[p.id]} for p in people
        ],
    }


def _ticket_id(data) -> int | None:
    value = data.get("ticket_id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return value


def announce_viewing(ticket_id: int) -> dict:
    """Send the ticket's room who views and types on it; returns the same lists."""
    viewer_ids, typing = viewers.viewers(ticket_id)
    names = dict(
        db.session.execute(sa.select(User.id, User.name).where(User.id.in_(viewer_ids))).all()
    )
    people = [{"id": uid, "name": names[uid]} for uid in viewer_ids if uid in names]
    typing = [uid for uid in typing if uid in names]
    events.send_now_viewing(ticket_id, people, typing)
    return {"ticket_id": ticket_id, "viewers": people, "typing": typing}


@socketio.on("ticket.view", namespace=events.NAMESPACE)
def on_ticket_view(data=None):
    ticket_id = _ticket_id(data)
    if ticket_id is None:
        return {"error": "invalid", "fields": {"ticket_id": "must be a ticket id"}}
    user = _socket_user()
    ticket = db.session.get(Ticket, ticket_id)
    # Someone else's ticket and a ticket that does not exist answer alike: nothing leaks.
    if user is None or ticket is None or not access.can_view(user, ticket):
        return {"error": "not_found"}
    socketio.server.enter_room(
        request.sid, events.ticket_room(ticket_id), namespace=events.NAMESPACE
    )
    viewers.view(request.sid, user.id, ticket_id)
    return {"ok": True} | announce_viewing(ticket_id)


@socketio.on("ticket.leave", namespace=events.NAMESPACE)
def on_ticket_leave(data=None):
    ticket_id = _ticket_id(data)
    if ticket_id is None:
        return {"error": "invalid", "fields": {"ticket_id": "must be a ticket id"}}
    socketio.server.leave_room(
        request.sid, events.ticket_room(ticket_id), namespace=events.NAMESPACE
    )
    if not viewers.leave(request.sid, ticket_id):
        return {"error": "not_viewing"}
    announce_viewing(ticket_id)
    return {"ok": True}


@socketio.on("ticket.typing", namespace=events.NAMESPACE)
def on_ticket_typing(data=None):
    ticket_id = _ticket_id(data)
    typing = data.get("typing") if isinstance(data, dict) else None
    if ticket_id is None or not isinstance(typing, bool):
        return {"error": "invalid", "fields": {"typing": "ticket_id and typing (true/false)"}}
    if not viewers.set_typing(request.sid, ticket_id, typing):
        return {"error": "not_viewing"}
    announce_viewing(ticket_id)
    return {"ok": True}
