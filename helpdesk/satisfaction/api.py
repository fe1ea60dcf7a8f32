"""API: rating a resolved ticket."""

from flask import g, jsonify, request

from helpdesk.agents import access
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.errors import NotFound
from helpdesk.satisfaction import report as csat
from helpdesk.satisfaction import services
from helpdesk.satisfaction.schemas import RatingIn


@api_v1.post("/tickets/<id:ticket_id>/satisfaction")
@endpoint(
    summary="Rate a resolved ticket (the requester's side)",
    body=RatingIn,
    responses={
        201: "The rating",
        403: "Call-centre staff and mentors do not rate",
        404: "No such ticket, or not one of your block",
        409: "Not resolved or closed yet (code conflict), or rated already",
    },
    tag="satisfaction",
)
def post_ticket_satisfaction(ticket_id: int):
    """`{"rating": 1..5, "comment"}` by BRC staff of the ticket's block on a resolved or
    closed ticket → 201 `{"id", "ticket", "rating", "comment", "channel", "created_at"}`.
    A second rating → 409; a ticket not resolved or closed yet → 409 (its state, not a bad
    field); anyone but BRC staff → 403; another block's ticket → 404."""
    user = api_user()
    ticket = access.visible_ticket_or_404(user, ticket_id)
    rating = services.rate_ticket(ticket, user, g.body.rating, g.body.comment, channel="api")
    return jsonify(rating.to_dict()), 201


@api_v1.get("/tickets/<id:ticket_id>/satisfaction")
@endpoint(summary="A ticket's rating", tag="satisfaction")
def get_ticket_satisfaction(ticket_id: int):
    """The ticket's rating, as the rating POST answered it; 404 while nobody rated it."""
    ticket = access.visible_ticket_or_404(api_user(), ticket_id)
    rating = services.rating_of(ticket)
    if rating is None:
        raise NotFound("This ticket has not been rated.")
    return jsonify(rating.to_dict())


@api_v1.get("/reports/csat")
@endpoint(
    summary="Satisfaction (CSAT) per group",
    query={
        "from": "first day, YYYY-MM-DD (Asia/Kolkata), on the ratings' date; default 29 days "
        "before 'to'",
        "to": "last day included, YYYY-MM-DD (Asia/Kolkata); default today",
        "group_by": "agent|category|state|block (default agent)",
    },
    roles=("manager", "admin"),
    tag="reports",
)
def get_csat_report():
    """Ratings given on the Asia/Kolkata days from..to (inclusive), per group:
    `{"rows": [{"key", "label", "responses", "average", "distribution": {"1": n, ...,
    "5": n}}], "totals": {...}, "weeks": [{"week_start", "responses", "average"}], "from",
    "to", "group_by"}`. `agent` is the ticket's assignee; a null key groups tickets without
    one (no assignee, no block). `average` has two decimals, null without ratings."""
    return jsonify(csat.csat_report(csat.parse_csat_range(request.args)))
