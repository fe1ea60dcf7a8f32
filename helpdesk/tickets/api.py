"""API: categories and tickets."""

import sqlalchemy as sa
from flask import g, jsonify, request

from helpdesk.agents import access
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.extensions import db
from helpdesk.tickets import importing, queries, services
from helpdesk.tickets.assignment import claim
from helpdesk.tickets.escalation import EscalationIn, escalate
from helpdesk.tickets.models import Category
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.tickets.serializers import message_to_dict, ticket_to_dict, tickets_to_dicts

LIST_FILTERS = {
    "status": "a status, a comma-separated list, or 'open' for every open status",
    "block": "block code",
    "state": "ISO 3166-2 state code",
    "category": "category slug",
    "priority": "low, normal, high or urgent",
    "assignee": "user id, 'me' or 'none'",
    "q": "text in subject or description, or a ticket number such as KS-000123",
    "triage": "1: only tickets without a block (texts from unknown numbers), staff only",
    "page": "page number, from 1",
    "per_page": "items per page, 1 to 200 (default 50)",
}


@api_v1.get("/categories")
@endpoint(summary="List ticket categories", tag="categories")
def get_categories():
    categories = db.session.scalars(sa.select(Category).order_by(Category.name))
    return jsonify({"items": [c.to_dict() for c in categories]})


@api_v1.post("/tickets")
@endpoint(
    summary="Open a ticket",
    body=TicketCreate,
    responses={201: "The ticket"},
    tag="tickets",
)
def post_ticket():
    """A BRC user's ticket belongs to that user's block whatever it sends."""
    ticket = services.create_ticket(g.body, api_user())
    return jsonify(ticket_to_dict(ticket, api_user())), 201


@api_v1.post("/tickets/import")
@endpoint(
    summary="Import historical tickets (all or nothing per batch)",
    body=importing.ImportBatch,
    responses={201: '{"imported": N, "ids": [...]}, ids in batch order'},
    roles=("manager", "admin"),
    tag="tickets",
    max_body_bytes=32 * 1024 * 1024,
)
def post_ticket_import():
    """Each ticket's history is replayed through the same rules as live tickets, at its
    original times, so SLA figures come out as if it had been live. Times need an offset
    (``2026-11-21T16:00:00+05:30``); events must be in time order, not before
    ``created_at`` and not in the future. ``by`` is a user's e-mail: a staff or mentor
    e-mail makes a reply a call-centre reply; a reply without ``by``, or by BRC staff of the
    ticket's block (usually its creator), is the requester's. Notes need a staff or mentor
    ``by``; status events need ``by`` (a role that may change status) and a status the
    lifecycle allows (``escalated`` is not imported). Imported tickets get no automatic
    acknowledgement, notify nobody and send no live events. At most 500 tickets per batch
    (413 above). A batch with one bad ticket imports nothing: 422 with every problem named
    by place, e.g. ``{"tickets[3].events[1].by": "no such user"}``."""
    tickets = importing.import_batch(g.body)
    return jsonify({"imported": len(tickets), "ids": [t.id for t in tickets]}), 201


@api_v1.get("/tickets")
@endpoint(summary="List the tickets you may see", query=LIST_FILTERS, tag="tickets")
def get_tickets():
    args = request.args
    page, per_page = queries.parse_paging(args.get("page"), args.get("per_page"))
    filters = queries.TicketFilters(
        **{
            name: args.get(name) or None
            for name in LIST_FILTERS
            if name not in ("page", "per_page")
        }
    )
    viewer = api_user()
    result = queries.list_tickets(viewer, filters, page, per_page)
    return jsonify(
        {
            "items": tickets_to_dicts(result.items, viewer),
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
    )


@api_v1.get("/tickets/<id:ticket_id>")
@endpoint(summary="A ticket with its messages", tag="tickets")
def get_ticket(ticket_id: int):
    """BRC staff never see internal notes; another block's ticket is a 404."""
    viewer = api_user()
    ticket = access.visible_ticket_or_404(viewer, ticket_id)
    return jsonify(ticket_to_dict(ticket, viewer, with_messages=True))


@api_v1.post("/tickets/<id:ticket_id>/messages")
@endpoint(
    summary="Reply, or add an internal note",
    body=MessageCreate,
    responses={201: "The message"},
    tag="tickets",
)
def post_message(ticket_id: int):
    """A reply from the requester's side reopens a pending or resolved ticket."""
    viewer = api_user()
    ticket = access.visible_ticket_or_404(viewer, ticket_id)
    message = services.add_message(ticket, viewer, g.body, channel="api")
    return jsonify(message_to_dict(message)), 201


@api_v1.patch("/tickets/<id:ticket_id>")
@endpoint(
    summary="Change status, priority, category, assignee, language or block",
    body=TicketUpdate,
    tag="tickets",
)
def patch_ticket(ticket_id: int):
    """`block` (a block code; agents, managers and admins only, others 403) triages a
    ticket opened for an unknown sender into its block: that block's BRC staff and its
    state's mentors see it from then on, the SLA policy is chosen again and the requester
    becomes that block's contact. Null or an unknown code is a 422."""
    viewer = api_user()
    ticket = access.visible_ticket_or_404(viewer, ticket_id)
    services.update_ticket(ticket, viewer, g.body)
    return jsonify(ticket_to_dict(ticket, viewer))


@api_v1.post("/tickets/<id:ticket_id>/escalate")
@endpoint(
    summary="Escalate to a mentor",
    body=EscalationIn,
    roles=("agent", "manager", "admin"),
    tag="tickets",
)
def post_escalation(ticket_id: int):
    """Without ``mentor``, routing picks one whose skills, languages and states fit the
    ticket, least loaded first; 409 when nobody fits."""
    viewer = api_user()
    ticket = access.visible_ticket_or_404(viewer, ticket_id)
    escalate(ticket, viewer, g.body)
    return jsonify(ticket_to_dict(ticket, viewer))


@api_v1.post("/tickets/<id:ticket_id>/claim")
@endpoint(
    summary="Claim a ticket: become its assignee if nobody is",
    responses={200: "The ticket, assigned to you", 409: "Someone else holds it"},
    roles=("agent", "manager", "admin"),
    tag="tickets",
)
def post_claim(ticket_id: int):
    """Atomic: of two people claiming at once exactly one wins; the other gets 409
    ``Already claimed by <name>.``. Claiming a ticket you already hold is a 200; a resolved
    or closed ticket cannot be claimed (409)."""
    viewer = api_user()
    ticket = access.visible_ticket_or_404(viewer, ticket_id)
    claim(ticket, viewer)
    return jsonify(ticket_to_dict(ticket, viewer))
