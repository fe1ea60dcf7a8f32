"""API: blocks (BRCs). Adding or changing one is an audited admin change: see
``administration.api``."""

from flask import jsonify

from helpdesk.api import api_v1
from helpdesk.api.spec import endpoint
from helpdesk.geography.services import list_blocks


@api_v1.get("/blocks")
@endpoint(summary="List blocks", tag="geography")
def get_blocks():
    return jsonify({"items": [block.to_dict() for block in list_blocks()]})
