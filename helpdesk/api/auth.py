"""Who is calling the API: a bearer token, or the browser's session (then with CSRF)."""

from flask import g, request
from flask_login import current_user

from helpdesk.agents.models import User
from helpdesk.agents.services import token_for
from helpdesk.api.errors import ApiError
from helpdesk.extensions import csrf

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_user() -> User:
    """The caller, or ApiError(401). Session callers must send the CSRF token on writes."""
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        row = token_for(token.strip()) if scheme.lower() == "bearer" and token else None
        if row is None:
            raise ApiError(401, "The bearer token is missing, unknown, expired or revoked.")
        g.api_token = row
        user = row.user
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        if request.method in UNSAFE_METHODS:
            csrf.protect()
    else:
        raise ApiError(401, "Sign in or send 'Authorization: Bearer <token>'.")
    g.api_user = user
    return user
