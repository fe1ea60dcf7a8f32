"""API: users (admins manage them) and one's own profile (``/me``)."""

from flask import g, jsonify, request

from helpdesk.agents import services
from helpdesk.agents.models import ROLES, User
from helpdesk.agents.schemas import ProfileUpdate, UserCreate, UserUpdate
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets.queries import parse_paging

LIST_QUERY = {
    "role": "only this role: " + ", ".join(ROLES),
    "active": "true (active users) or false (deactivated ones)",
    "page": "page number, from 1",
    "per_page": "users per page, 1 to 200 (default 50)",
}
FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_user_filters(args) -> tuple[str | None, bool | None]:
    """``?role=&active=`` → (role, active), None meaning any; ValidationFailed if bad."""
    role = (args.get("role") or "").strip() or None
    active_text = (args.get("active") or "").strip().lower()
    errors = {}
    if role is not None and role not in ROLES:
        errors["role"] = "must be one of " + ", ".join(ROLES)
    if active_text and active_text not in FLAGS:
        errors["active"] = "true or false"
    if errors:
        raise ValidationFailed("Invalid filters.", errors)
    return role, FLAGS.get(active_text)


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


@api_v1.get("/users")
@endpoint(summary="List users", query=LIST_QUERY, roles=("admin",), tag="users")
def get_users():
    """Paged, by name: ``{"items": [{"id", "email", "name", "role", "active", "block",
    "languages", "skills", "states", "phone", "ui_language"}], "page", "per_page", "total"}``."""
    role, active = parse_user_filters(request.args)
    page, per_page = parse_paging(request.args.get("page"), request.args.get("per_page"))
    users, total = services.list_users(role=role, active=active, page=page, per_page=per_page)
    return jsonify(
        {"items": [u.to_dict() for u in users], "page": page, "per_page": per_page, "total": total}
    )


@api_v1.post("/users")
@endpoint(
    summary="Create a user",
    body=UserCreate,
    roles=("admin",),
    responses={201: "The user", 409: "The e-mail address is already in use"},
    tag="users",
)
def post_user():
    """422 names each invalid field: a role outside the five, BRC staff without a block, an
    unknown block code, language tag, state code or category slug, a short password."""
    user = services.create_user(**g.body.model_dump())
    return jsonify(user.to_dict()), 201


@api_v1.get("/users/<id:user_id>")
@endpoint(summary="One user", roles=("admin",), tag="users")
def get_user(user_id: int):
    return jsonify(user_or_404(user_id).to_dict())


@api_v1.patch("/users/<id:user_id>")
@endpoint(
    summary="Change, deactivate or reactivate a user, or set their password",
    body=UserUpdate,
    roles=("admin",),
    responses={200: "The user", 409: "The e-mail address is already in use"},
    tag="users",
)
def patch_user(user_id: int):
    """``{"active": false}`` cuts the user off at once: their API tokens are deleted, their
    session cookies and tokens get 401 from the next request on, and their open console
    sockets (``/console``) are closed within seconds. A new ``password`` also deletes
    their API tokens. A changed role, block or states moves their open console into the
    rooms of their new access. Admins cannot deactivate themselves or change their own
    role (422)."""
    user = user_or_404(user_id)
    services.update_user(user, g.body.model_dump(exclude_unset=True), actor=api_user())
    return jsonify(user.to_dict())


@api_v1.get("/me")
@endpoint(summary="Who I am: my profile", tag="users")
def get_me():
    return jsonify(api_user().to_dict())


@api_v1.patch("/me")
@endpoint(
    summary="Change my name, phone, interface language or password",
    body=ProfileUpdate,
    tag="users",
)
def patch_me():
    """A new ``password`` needs ``current_password`` (422 ``current_password`` if missing or
    wrong). ``ui_language``: ``en`` or ``hi``, or null for "not chosen"."""
    user = services.update_profile(api_user(), g.body.model_dump(exclude_unset=True))
    return jsonify(user.to_dict())
