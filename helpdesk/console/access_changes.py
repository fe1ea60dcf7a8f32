"""When who may see what changes, open consoles follow at once.

Rooms are joined when a socket connects (``events.rooms_for_user``) and when it opens a
ticket (``ticket.view``); nothing re-checks them later, so a change of access must move
the sockets itself:

- a user is deactivated (``agents.signals.user_deactivated``): every console socket they
  have open, in any app process, is disconnected;
- an active user's role, block or states change (``user_access_changed``): their sockets
  leave the rooms of the old access, join those of the new one, and leave the viewer rooms
  of tickets they may no longer see;
- a ticket's mentor changes (re-escalation) or its block does: sockets viewing it whose
  user may no longer see it leave its viewer room and its viewer list.

``socketio.server.disconnect`` / ``enter_room`` / ``leave_room`` act at once on a socket of
this process and go through the Socket.IO message queue (Redis) to the process holding any
other; ``connections`` knows every process's sockets.
"""

import logging
from types import SimpleNamespace

import sqlalchemy as sa
from socketio.pubsub_manager import PubSubManager
from sqlalchemy.orm.base import NO_VALUE

from helpdesk import signals as domain_signals
from helpdesk.agents import access, signals
from helpdesk.agents.models import User
from helpdesk.console import connections, events, viewers
from helpdesk.extensions import db, socketio
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)


def disconnect_user(user_id: int) -> int:
    """Close every console socket of ``user_id``, wherever it is connected; returns how
    many sockets were asked to close."""
    sids = connections.sockets_of(user_id)
    for sid in sids:
        socketio.server.disconnect(sid, namespace=events.NAMESPACE)
        connections.remove(user_id, sid)  # also forgets a socket of a process that died
    return len(sids)


def move_user_rooms(user: User, *, role: str, block_id: int | None, states: list[str]) -> None:
    """``user``'s access was (``role``, ``block_id``, ``states``): move their sockets from
    the rooms of that access into the rooms of their current one."""
    before = SimpleNamespace(id=user.id, role=role, block_id=block_id, states=states)
    old, new = set(events.rooms_for_user(before)), set(events.rooms_for_user(user))
    for sid in connections.sockets_of(user.id):
        if not _reachable(sid):
            connections.remove(user.id, sid)
            continue
        for room in sorted(old - new):
            socketio.server.leave_room(sid, room, namespace=events.NAMESPACE)
        for room in sorted(new - old):
            socketio.server.enter_room(sid, room, namespace=events.NAMESPACE)
        for ticket_id in viewers.tickets_of(sid):
            evict_viewers_who_may_not_see(ticket_id)


def evict_viewers_who_may_not_see(ticket_id: int) -> None:
    """Sockets viewing ``ticket_id`` whose user may not see it (any more) leave its room
    and its viewer list; those who stay hear the new list."""
    from helpdesk.console.sockets import announce_viewing

    watching = viewers.sockets(ticket_id)
    if not watching:
        return
    ticket = db.session.get(Ticket, ticket_id)
    users = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.id.in_(set(watching.values()))))
    }
    evicted = False
    for sid, user_id in watching.items():
        user = users.get(user_id)
        if (
            ticket is not None
            and user is not None
            and user.active
            and access.can_view(user, ticket)
        ):
            continue
        socketio.server.leave_room(sid, events.ticket_room(ticket_id), namespace=events.NAMESPACE)
        viewers.leave(sid, ticket_id)
        evicted = True
    if evicted:
        announce_viewing(ticket_id)


def _reachable(sid: str) -> bool:
    """Whether a room change can reach ``sid``: it is connected here, or the message queue
    carries the change to the process that has it."""
    manager = socketio.server.manager
    return isinstance(manager, PubSubManager) or manager.is_connected(sid, events.NAMESPACE)


def _who_may_see_changed(ticket: Ticket, new, previous, _initiator) -> None:
    """A ticket's mentor or block changed: after the commit, its viewers are re-checked."""
    # a new ticket has no viewers; NO_VALUE and its kin mean "nothing was set before"
    if ticket.id is None or previous is None or isinstance(previous, type(NO_VALUE)):
        return
    if previous != new:
        db.session.info.setdefault(_VIEWERS_CHECK_KEY, {})[id(ticket)] = ticket


def _check_viewers_after_commit(_sender, **_kwargs) -> None:
    """The commit made some tickets' mentor or block change: their viewers who may no longer
    see them leave their rooms."""
    for ticket in db.session.info.pop(_VIEWERS_CHECK_KEY, {}).values():
        try:
            evict_viewers_who_may_not_see(ticket.id)
        except Exception:  # noqa: BLE001 (committed already; log, never undo it)
            log.exception("could not re-check the viewers of ticket %s", ticket.id)


def _forget_viewers_check(_sender, **_kwargs) -> None:
    db.session.info.pop(_VIEWERS_CHECK_KEY, None)


#: session.info key: tickets whose viewers are re-checked once the transaction commits
_VIEWERS_CHECK_KEY = "console_viewers_check"

for _attribute in (Ticket.mentor, Ticket.mentor_id, Ticket.block, Ticket.block_id):
    sa.event.listen(_attribute, "set", _who_may_see_changed, active_history=True)


def _on_user_deactivated(user: User, **_kwargs) -> None:
    try:
        disconnect_user(user.id)
    except Exception:  # noqa: BLE001 (the deactivation is committed; log, never undo it)
        log.exception("could not disconnect the consoles of deactivated user %s", user.id)


def _on_user_access_changed(
    user: User, *, previous_role: str, previous_block_id, previous_states, **_kwargs
) -> None:
    try:
        move_user_rooms(
            user, role=previous_role, block_id=previous_block_id, states=previous_states or []
        )
    except Exception:  # noqa: BLE001
        log.exception("could not move the console rooms of user %s", user.id)


def connect_receivers() -> None:
    """Connect to the people signals (once per process; connecting again changes nothing)."""
    signals.user_deactivated.connect(_on_user_deactivated)
    signals.user_access_changed.connect(_on_user_access_changed)
    domain_signals.unit_of_work_committed.connect(_check_viewers_after_commit)
    domain_signals.unit_of_work_rolled_back.connect(_forget_viewers_check)
