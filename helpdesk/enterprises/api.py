"""API: enterprises."""

from flask import g, jsonify, request

from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.enterprises import services
from helpdesk.enterprises.schemas import EnterpriseCreate
from helpdesk.tickets.queries import parse_paging
from helpdesk.tickets.serializers import tickets_to_dicts

LIST_FILTERS = {
    "block": "block code",
    "q": "words in the code, name or activity, the owner's name, or a phone number",
    "page": "page number, from 1",
    "per_page": "items per page, 1 to 200 (default 50)",
}


@api_v1.post("/enterprises")
@endpoint(
    summary="Record an enterprise from the programme's MIS",
    body=EnterpriseCreate,
    responses={201: "The enterprise", 409: "The code is on file already"},
    roles=("agent", "manager", "admin"),
    tag="enterprises",
)
def post_enterprise():
    """The owner becomes a contact of the enterprise's block (or is the one on file for
    that number there). An unknown block is a 422."""
    enterprise = services.create_enterprise(g.body, api_user())
    return jsonify(enterprise.to_dict()), 201


@api_v1.get("/enterprises")
@endpoint(summary="List the enterprises you may see", query=LIST_FILTERS, tag="enterprises")
def get_enterprises():
    """BRC staff see their own block's only; mentors those of their states."""
    args = request.args
    page, per_page = parse_paging(args.get("page"), args.get("per_page"))
    items, total = services.list_enterprises(
        api_user(), block=args.get("block") or None, q=args.get("q"), page=page, per_page=per_page
    )
    return jsonify(
        {
            "items": [e.to_dict() for e in items],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )


@api_v1.get("/enterprises/<code>")
@endpoint(summary="An enterprise with its tickets", tag="enterprises")
def get_enterprise(code: str):
    """``tickets``: the enterprise's tickets you may see, newest first (at most 200).
    Another block's enterprise is a 404 for BRC staff."""
    viewer = api_user()
    enterprise = services.visible_enterprise_or_404(viewer, code)
    tickets = services.tickets_of(enterprise, viewer)
    return jsonify(enterprise.to_dict() | {"tickets": tickets_to_dicts(tickets, viewer)})
