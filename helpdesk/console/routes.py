"""Web pages of the live console: the live queue, and the ticket thread as a fragment the
ticket page reloads when the ticket changes."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES
from helpdesk.calls import callbacks
from helpdesk.console import board
from helpdesk.tickets.models import OPEN_STATUSES, PRIORITIES
from helpdesk.tickets.serializers import visible_messages

bp = Blueprint("console", __name__)

#: who works from the live console (BRC staff follow their block in the portal)
CONSOLE_ROLES = (*STAFF_ROLES, "mentor")
#: open callbacks the console lists (the longest waiting first); the API pages the rest
CALLBACK_QUEUE_SIZE = 50


@bp.get("/console")
@login_required
def live_queue():
    if current_user.role == "brc":
        return redirect(url_for("portal.home"))
    access.require_role(current_user, *CONSOLE_ROLES)
    # Callbacks name callers and their tickets: call-centre staff only, never mentors.
    owed = (
        callbacks.open_callbacks(1, CALLBACK_QUEUE_SIZE)
        if current_user.role in STAFF_ROLES
        else None
    )
    return render_template(
        "console/console.html",
        callbacks=[callbacks.callback_to_dict(c) for c in owed.items] if owed else None,
        callbacks_total=owed.total if owed else 0,
        tickets=board.open_queue(current_user),
        counters=board.counters(current_user),
        open_statuses=OPEN_STATUSES,
        priorities=PRIORITIES,
        board_size=board.BOARD_SIZE,
    )


@bp.get("/console/tickets/<id:ticket_id>/thread")
@login_required
def ticket_thread(ticket_id: int):
    """The messages of a ticket as its page shows them (another's ticket is a 404)."""
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    return render_template(
        "tickets/_thread.html", ticket=ticket, messages=visible_messages(ticket, current_user)
    )


@bp.app_context_processor
def notification_tray() -> dict:
    """The bell's unread count, drawn by the server so it is right before any script runs."""
    if not current_user.is_authenticated or current_user.role not in CONSOLE_ROLES:
        return {"tray_unread": None}
    from helpdesk.console.services import unread_count

    return {"tray_unread": unread_count(current_user)}


@bp.app_template_filter("isoformat")
def isoformat_filter(value) -> str:
    """A timestamp as ISO 8601 with its offset, for scripts to read ("" when unset)."""
    from helpdesk.timeutil import isoformat

    return isoformat(value) or ""
