"""API: blocks (BRCs)."""

from flask import g, jsonify

from helpdesk.administration.services import add_block
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.geography.services import list_blocks
from helpdesk.tickets.schemas import Code, Name, Strict


class BlockCreate(Strict):
    code: Code
    name: Name
    district: Name
    #: ISO 3166-2 code, e.g. IN-JH
    state: Code


@api_v1.get("/blocks")
@endpoint(summary="List blocks", tag="geography")
def get_blocks():
    return jsonify({"items": [block.to_dict() for block in list_blocks()]})


@api_v1.post("/blocks")
@endpoint(
    summary="Add a block",
    body=BlockCreate,
    roles=("admin",),
    responses={201: "The block"},
    tag="geography",
)
def post_block():
    """Audited, like a block added on the admin page."""
    block = add_block(api_user(), **g.body.model_dump())
    return jsonify(block.to_dict()), 201
