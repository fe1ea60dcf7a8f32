"""Socket.IO handlers of the ``/console`` namespace.

Only authenticated users connect: a browser with its Flask-Login session cookie, any other
client with ``auth={"token": <API token>}``. On connect a socket joins exactly the rooms
``events.rooms_for_user`` names, so it can only ever receive what that user may see.
"""

from flask import request
from flask_login import current_user

from helpdesk.agents.services import user_for_token
from helpdesk.console import events, presence
from helpdesk.extensions import socketio

#: socket id → user id, for the sockets connected to this process
_socket_users: dict[str, int] = {}


def _authenticate(auth) -> "User | None":  # noqa: F821
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return user_for_token(auth["token"])
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


@socketio.on("connect", namespace=events.NAMESPACE)
def on_connect(auth=None):
    user = _authenticate(auth)
    if user is None:
        raise ConnectionRefusedError("Sign in first.")
    for room in events.rooms_for_user(user):
        socketio.server.enter_room(request.sid, room, namespace=events.NAMESPACE)
    _socket_users[request.sid] = user.id
    presence.connected(user.id)


@socketio.on("disconnect", namespace=events.NAMESPACE)
def on_disconnect(*_reason):
    user_id = _socket_users.pop(request.sid, None)
    if user_id is not None:
        presence.disconnected(user_id)
