"""Who is calling the API: a bearer token, or the browser's session (then with CSRF)."""

from flask import g, request
from flask_login import current_user

from helpdesk.agents.models import User
from helpdesk.agents.services import user_for_token
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
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
        if user is None:
            raise ApiError(401, "The bearer token is missing, unknown or revoked.")
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        if request.method in UNSAFE_METHODS:
            csrf.protect()
    else:
        raise ApiError(401, "Sign in or send 'Authorization: Bearer <token>'.")
    g.api_user = user
    return user
