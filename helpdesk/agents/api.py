"""API: issuing and revoking bearer tokens."""

from datetime import datetime

from flask import current_app, g, jsonify
from pydantic import BaseModel, Field

from helpdesk.agents.services import authenticate, create_api_token, revoke_token
from helpdesk.api import api_v1
from helpdesk.api.errors import ApiError
from helpdesk.api.spec import endpoint
from helpdesk.extensions import limiter
from helpdesk.tickets.schemas import Strict
from helpdesk.timeutil import isoformat


class TokenRequest(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class UserSummary(BaseModel):
    id: int
    email: str
    name: str
    role: str


class TokenOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown only once")
    expires_at: datetime = Field(description="After this the token gets 401 (API_TOKEN_DAYS)")
    user: UserSummary


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@api_v1.post("/auth/tokens")
@limiter.limit(login_limit)
@endpoint(
    summary="Exchange e-mail and password for a bearer token",
    body=TokenRequest,
    auth=False,
    responses={
        201: "The token (shown once), when it expires, and the user",
        401: "Wrong e-mail or password (the same answer for both)",
    },
    response_models={201: TokenOut},
    tag="auth",
)
def create_token():
    """The token is valid for `API_TOKEN_DAYS` days (default 30) unless revoked with
    `DELETE /api/v1/auth/tokens/current`. Limited to `LOGIN_RATE_LIMIT` attempts per client
    address (then 429)."""
    user = authenticate(g.body.email, g.body.password)
    if user is None:
        raise ApiError(401, "Wrong e-mail or password.")
    token, row = create_api_token(user)
    body = {"token": token, "expires_at": isoformat(row.expires_at), "user": user.to_summary()}
    return jsonify(body), 201


@api_v1.delete("/auth/tokens/current")
@endpoint(
    summary="Revoke the bearer token this request is sent with",
    responses={
        204: "Revoked: the token now gets 401",
        400: "The request was not authenticated by a bearer token (a browser session)",
    },
    tag="auth",
)
def revoke_current_token():
    """Signing out of an API client. Other tokens of the same user stay valid."""
    row = g.get("api_token")
    if row is None:
        raise ApiError(400, "Send the token to revoke in 'Authorization: Bearer <token>'.")
    revoke_token(row)
    return "", 204
