"""API: issuing bearer tokens."""

from flask import current_app, g, jsonify
from pydantic import Field

from helpdesk.agents.services import authenticate, issue_token
from helpdesk.api import api_v1
from helpdesk.api.errors import ApiError
from helpdesk.api.spec import endpoint
from helpdesk.extensions import limiter
from helpdesk.tickets.schemas import Strict


class TokenRequest(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@api_v1.post("/auth/tokens")
@limiter.limit(login_limit)
@endpoint(
    summary="Exchange e-mail and password for a bearer token",
    body=TokenRequest,
    auth=False,
    responses={201: "The token (shown once) and the user"},
    tag="auth",
)
def create_token():
    user = authenticate(g.body.email, g.body.password)
    if user is None:
        raise ApiError(401, "Wrong e-mail or password.")
    return jsonify({"token": issue_token(user), "user": user.to_summary()}), 201
