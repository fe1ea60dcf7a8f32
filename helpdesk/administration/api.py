"""API: admins manage categories and blocks; the admin audit."""

import sqlalchemy as sa
from flask import g, jsonify, request

from helpdesk.administration import audit, services
from helpdesk.administration.models import SUBJECTS
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.tickets.models import Category
from helpdesk.tickets.queries import parse_paging
from helpdesk.tickets.schemas import Code, Name, Slug, Strict
from helpdesk.validation import text


class CategoryCreate(Strict):
    slug: Slug
    name: Name
    #: shown on Hindi pages instead of the catalogue's translation of ``name``
    name_hi: text(0, 120) | None = None
    description: text(0, 500) = ""
    domain: str = "enterprise"


class CategoryChange(Strict):
    name: Name | None = None
    #: "" or null removes the Hindi name
    name_hi: text(0, 120) | None = None
    description: text(0, 500) | None = None
    retired: bool | None = None


class BlockCreate(Strict):
    code: Code
    name: Name
    district: Name
    #: ISO 3166-2 code, e.g. IN-JH
    state: Code


class BlockChange(Strict):
    name: Name | None = None
    district: Name | None = None
    #: ISO 3166-2 code, e.g. IN-JH
    state: Code | None = None


@api_v1.post("/categories")
@endpoint(
    summary="Add a category",
    body=CategoryCreate,
    roles=("admin",),
    responses={201: "The category", 422: "Slug in use, or a bad field"},
    tag="categories",
)
def post_category():
    """Audited in the admin audit. `domain`: enterprise or convergence. `name_hi`
    (optional): the name Hindi pages show; without it they show the catalogue's
    translation of `name`."""
    category = services.add_category(api_user(), **g.body.model_dump())
    return jsonify(category.to_dict()), 201


@api_v1.patch("/categories/<slug>")
@endpoint(
    summary="Rename (in English or Hindi), retire or restore a category",
    body=CategoryChange,
    roles=("admin",),
    tag="categories",
)
def patch_category(slug: str):
    """`{"name", "name_hi", "description", "retired"}`, each optional (`"name_hi": ""` or
    null removes the Hindi name). A retired category is not offered for new tickets (creating
    one with it: 422); old tickets keep it. Audited."""
    category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound("No such category.")
    changes = g.body.model_dump(exclude_unset=True)
    if "name_hi" in changes and changes["name_hi"] is None:
        changes["name_hi"] = ""  # null, as GET returns a missing Hindi name, removes it
    services.change_category(api_user(), category, **changes)
    return jsonify(category.to_dict())


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
    block = services.add_block(api_user(), **g.body.model_dump())
    return jsonify(block.to_dict()), 201


@api_v1.patch("/blocks/<code>")
@endpoint(
    summary="Rename a block or move it to another district",
    body=BlockChange,
    roles=("admin",),
    tag="geography",
)
def patch_block(code: str):
    """`{"name", "district", "state"}`, each optional: the district is created on first
    use within the state. The code, tickets and staff stay. Audited."""
    block = db.session.scalar(sa.select(Block).where(Block.code == code))
    if block is None:
        raise NotFound("No such block.")
    services.change_block(api_user(), block, **g.body.model_dump(exclude_unset=True))
    return jsonify(block.to_dict())


@api_v1.get("/admin/audit")
@endpoint(
    summary="The admin audit",
    query={"subject": "|".join(SUBJECTS), "page": "from 1", "per_page": "1 to 200 (default 50)"},
    roles=("admin", "manager"),
    tag="admin",
)
def get_admin_audit():
    """Changes to blocks, categories and SLA settings, newest first: `{"items": [{"id",
    "at", "actor", "subject", "key", "action", "old", "new"}], "page", "per_page",
    "total"}`."""
    page, per_page = parse_paging(request.args.get("page"), request.args.get("per_page"))
    subject = request.args.get("subject") or None
    if subject not in (None, *SUBJECTS):
        raise ValidationFailed("Unknown subject.", {"subject": "one of " + ", ".join(SUBJECTS)})
    rows, total = audit.entries(page, per_page, subject)
    return jsonify(
        {"items": [r.to_dict() for r in rows], "page": page, "per_page": per_page, "total": total}
    )
