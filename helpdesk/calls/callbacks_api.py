"""API of the callback queue: missed calls the call-centre owes a call back (staff only)."""

from flask import g, jsonify, request

from helpdesk.agents.models import STAFF_ROLES
from helpdesk.api import api_v1
from helpdesk.api.spec import endpoint
from helpdesk.calls import callbacks
from helpdesk.calls.schemas import CallbackDoneIn
from helpdesk.tickets.queries import parse_paging


@api_v1.get("/callbacks")
@endpoint(
    summary="Open callbacks: missed calls to return, the longest waiting first",
    query={"page": "1 or more (default 1)", "per_page": "1 to 200 (default 50)"},
    roles=STAFF_ROLES,
    tag="calls",
)
def get_callbacks():
    """An inbound call hung up before anyone answered (a missed call) opens a callback for
    its number; more missed calls from that number before the call back count on the same
    one. `{"items": [{"id", "phone", "status": "open", "missed_calls", "first_missed_at",
    "last_missed_at", "caller_name", "caller": [{"kind": "contact|user", "id", "name",
    "block", "role"?}], "block": <code of the caller's block or null>, "open_tickets":
    [{"id", "number", "subject", "status", "priority", "url"}], "new_ticket_url",
    "done_at", "done_by", "note", "last_call": <call_id of the latest missed call>,
    "closed_by_call"}], "page", "per_page", "total"}`,
    oldest `first_missed_at` first. Agents, managers and admins only: BRC staff and mentors
    get 403. Consoles hear `callback.updated` (same object) when one opens, counts another
    missed call or closes. A later answered call with the same number (in or out) closes
    the callback by itself, with a note saying so (`closed_by_call`: that call's id)."""
    page, per_page = parse_paging(request.args.get("page"), request.args.get("per_page"))
    result = callbacks.open_callbacks(page, per_page)
    return jsonify(
        {
            "items": [callbacks.callback_to_dict(c) for c in result.items],
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
    )


@api_v1.post("/callbacks/<id:callback_id>/done")
@endpoint(
    summary="Close a callback with a note on what came of it",
    body=CallbackDoneIn,
    roles=STAFF_ROLES,
    responses={
        200: "the callback, closed",
        404: "no such callback",
        409: "the callback is already closed",
        422: "the note is missing or empty",
    },
    tag="calls",
)
def post_callback_done(callback_id: int):
    """`{"note": "<what came of it>"}` (required, not blank) closes an open callback:
    `status` becomes `done` with `done_at`, `done_by` and the note."""
    callback = callbacks.mark_done(callback_id, g.api_user, g.body.note)
    return jsonify(callbacks.callback_to_dict(callback))
