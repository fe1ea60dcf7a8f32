"""Every live-console emit goes through this module; it picks the rooms from who may see.

Rooms (a socket joins them on connect, from its user; see ``console/sockets.py``):

- ``staff``: agents, managers and admins, who see every ticket;
- ``block:<block id>``: BRC staff of that block;
- ``mentors:<state code>``: mentors covering that state (``User.states``);
- ``user:<user id>``: one person (their escalations, screen-pops, notifications);
- ``ticket:<ticket id>``: the sockets that have that ticket's page open. A socket joins it
  only through ``ticket.view`` after ``agents.access.can_view`` said yes, and hears there
  only who else is viewing and typing (``ticket.viewing``).

The rooms mirror ``agents.access.can_view``: a ticket's events go to ``staff``, its block,
its state's mentors and its mentor, and nowhere else.

Changes are announced only once they are committed: ``queue_*`` collects events in the
session during a unit of work, ``send_pending()`` emits them after the commit and
``discard_pending()`` forgets them on rollback. ``send_now_*`` are for callers outside a
transaction (socket handlers, telephony alerts). With ``REDIS_URL`` set the Socket.IO
server writes through the Redis message queue, so an RQ worker or another app process
reaches clients connected anywhere.
"""

from collections.abc import Iterable

from helpdesk.extensions import db, socketio

NAMESPACE = "/console"
STAFF_ROOM = "staff"
_PENDING_KEY = "console_pending_events"


def block_room(block_id: int) -> str:
    return f"block:{block_id}"


def mentors_room(state_code: str) -> str:
    return f"mentors:{state_code}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def rooms_for_user(user) -> list[str]:
    """The rooms a connected user joins: exactly those whose events they may see."""
    from helpdesk.agents.models import STAFF_ROLES

    rooms = [user_room(user.id)]
    if user.role in STAFF_ROLES:
        rooms.append(STAFF_ROOM)
    elif user.role == "brc" and user.block_id:
        rooms.append(block_room(user.block_id))
    elif user.role == "mentor":
        rooms.extend(mentors_room(code) for code in (user.states or []))
    return rooms


def rooms_for_ticket(ticket) -> list[str]:
    """The rooms whose members may see ``ticket`` (``agents.access.can_view``); a ticket
    awaiting triage (no block) is staff's only."""
    rooms = [STAFF_ROOM]
    if ticket.block is not None:
        rooms += [block_room(ticket.block_id), mentors_room(ticket.block.state.code)]
    if ticket.mentor_id:
        rooms.append(user_room(ticket.mentor_id))
    return rooms


def ticket_payload(ticket) -> dict:
    """What a console needs to redraw a queue row: the ticket as the API returns it, without
    messages (a BRC console must not learn about internal notes)."""
    from helpdesk.tickets.serializers import ticket_to_dict

    return ticket_to_dict(ticket, viewer=None)


def queue_ticket_event(ticket, name: str) -> None:
    """Announce ``name`` (``ticket.created``, ``ticket.updated``...) about ``ticket`` after the
    current transaction commits. Several changes to one ticket in one transaction make one
    event; ``ticket.created`` wins over ``ticket.updated``."""
    pending = db.session.info.setdefault(_PENDING_KEY, {})
    key = ("ticket", id(ticket))
    previous = pending.get(key)
    if previous is None or previous[1] != "ticket.created":
        pending[key] = (ticket, name)


def queue_user_event(user_ids: Iterable[int], name: str, payload: dict) -> None:
    """Send ``payload`` to these users' own rooms after the current transaction commits."""
    pending = db.session.info.setdefault(_PENDING_KEY, {})
    pending[("user", len(pending))] = (list(user_ids), name, payload)


def queue_staff_event(name: str, payload: dict) -> None:
    """Send ``payload`` to every agent, manager and admin after the transaction commits."""
    pending = db.session.info.setdefault(_PENDING_KEY, {})
    pending[("staff", len(pending))] = (name, payload)


def queue_call_incoming(payload: dict) -> None:
    """``call.incoming``: a caller is ringing the call-centre. Agents, managers and admins
    hear it (any of them may pick up); BRC staff and mentors never do, as the payload names
    the caller and their tickets."""
    queue_staff_event("call.incoming", payload)


def queue_call_screenpop(user_id: int, payload: dict) -> None:
    """``call.screenpop``: the caller's context, to the agent who answered only."""
    queue_user_event([user_id], "call.screenpop", payload)


def queue_callback_changed(payload: dict) -> None:
    """``callback.updated``: a callback opened, counted another missed call, or closed
    (``payload["status"]``: ``open`` or ``done``). Agents, managers and admins only, like
    ``call.incoming``: the payload names the caller and their tickets."""
    queue_staff_event("callback.updated", payload)


def queue_sla_event(ticket, name: str, *, target: str, due) -> None:
    """Announce an SLA warning or breach (``sla.warning``/``sla.breached``) about ``ticket``
    to the rooms that may see it, after the current transaction commits. Payload:
    ``{"ticket_id", "number", "target", "due"}`` (``due`` in ISO 8601 UTC)."""
    from helpdesk.timeutil import isoformat

    pending = db.session.info.setdefault(_PENDING_KEY, {})
    payload = {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "target": target,
        "due": isoformat(due),
    }
    pending[("sla", len(pending))] = (ticket, name, payload)


def send_pending() -> None:
    """Emit what the transaction that just committed queued."""
    pending = db.session.info.pop(_PENDING_KEY, {})
    for key, item in pending.items():
        if key[0] == "ticket":
            ticket, name = item
            send_now_ticket(ticket, name)
        elif key[0] == "staff":
            send_now_staff(*item)
        elif key[0] == "sla":
            ticket, name, payload = item
            send_now_ticket(ticket, name, payload)
        else:
            user_ids, name, payload = item
            send_now_users(user_ids, name, payload)


def discard_pending() -> None:
    db.session.info.pop(_PENDING_KEY, None)


def send_now_ticket(ticket, name: str, payload: dict | None = None) -> None:
    payload = ticket_payload(ticket) if payload is None else payload
    socketio.emit(name, payload, namespace=NAMESPACE, to=rooms_for_ticket(ticket))


def send_now_users(user_ids: Iterable[int], name: str, payload: dict) -> None:
    rooms = [user_room(uid) for uid in user_ids]
    if rooms:
        socketio.emit(name, payload, namespace=NAMESPACE, to=rooms)


def send_now_staff(name: str, payload: dict) -> None:
    """To every agent, manager and admin (an incoming call, before anyone answers it)."""
    socketio.emit(name, payload, namespace=NAMESPACE, to=STAFF_ROOM)


def send_now_presence(user, status: str, *, skip_sid: str | None = None) -> None:
    """Tell every agent, manager and admin that ``user`` is now ``status`` (except the socket
    ``skip_sid``: one still connecting must get its connect answer before any event)."""
    payload = {"user": {"id": user.id, "name": user.name, "role": user.role}, "status": status}
    socketio.emit("presence", payload, namespace=NAMESPACE, to=STAFF_ROOM, skip_sid=skip_sid)


def send_now_viewing(ticket_id: int, viewers: list[dict], typing: list[int]) -> None:
    """Tell the sockets viewing a ticket who is viewing it and who is typing on it."""
    payload = {"ticket_id": ticket_id, "viewers": viewers, "typing": typing}
    socketio.emit("ticket.viewing", payload, namespace=NAMESPACE, to=ticket_room(ticket_id))
