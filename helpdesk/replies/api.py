"""API: canned responses."""

from flask import g, jsonify, request

from helpdesk.agents import access
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.replies import services
from helpdesk.replies.schemas import FillIn, ResponseIn, ResponseUpdate

ROLES = services.RESPONSE_ROLES


@api_v1.get("/responses")
@endpoint(
    summary="Canned responses: shared ones and your own",
    query={"language": "a language tag, e.g. hi", "q": "words in the title or text"},
    roles=ROLES,
    tag="responses",
)
def get_responses():
    """Most used first. ``shared`` responses are everyone's; the others are yours."""
    items = services.list_responses(
        api_user(), language=request.args.get("language") or None, q=request.args.get("q")
    )
    return jsonify({"items": [r.to_dict() for r in items]})


@api_v1.post("/responses")
@endpoint(
    summary="Write a canned response",
    body=ResponseIn,
    responses={201: "The response"},
    roles=ROLES,
    tag="responses",
)
def post_response():
    """``shared: true`` (managers and admins only, others 403) makes it everyone's;
    otherwise it is the author's own."""
    response = services.create_response(api_user(), g.body)
    return jsonify(response.to_dict()), 201


@api_v1.get("/responses/<id:response_id>")
@endpoint(summary="A canned response", roles=ROLES, tag="responses")
def get_response(response_id: int):
    return jsonify(services.response_or_404(api_user(), response_id).to_dict())


@api_v1.patch("/responses/<id:response_id>")
@endpoint(summary="Change a canned response", body=ResponseUpdate, roles=ROLES, tag="responses")
def patch_response(response_id: int):
    """Your own responses, and shared ones if you are a manager or admin (others 403);
    someone else's own is a 404."""
    viewer = api_user()
    response = services.response_or_404(viewer, response_id)
    return jsonify(services.update_response(viewer, response, g.body).to_dict())


@api_v1.delete("/responses/<id:response_id>")
@endpoint(
    summary="Delete a canned response", responses={204: "Deleted"}, roles=ROLES, tag="responses"
)
def delete_response(response_id: int):
    viewer = api_user()
    services.delete_response(viewer, services.response_or_404(viewer, response_id))
    return "", 204


@api_v1.post("/responses/<id:response_id>/fill")
@endpoint(
    summary="A canned response filled in for a ticket",
    body=FillIn,
    responses={200: '{"body": "<the text, placeholders filled in>"}'},
    roles=ROLES,
    tag="responses",
)
def post_response_fill(response_id: int):
    """What the reply box's picker inserts; counts as a use of the response. The ticket
    must be one you may see (404)."""
    viewer = api_user()
    response = services.response_or_404(viewer, response_id)
    ticket = access.visible_ticket_or_404(viewer, g.body.ticket)
    return jsonify({"body": services.fill_for_ticket(response, ticket, viewer)})
