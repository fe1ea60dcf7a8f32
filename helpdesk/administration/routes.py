"""Admin pages: blocks, categories and the admin audit (``/admin``). Admins change,
managers look. Views parse the form, call ``services`` (which audits) and render."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager

from helpdesk.administration import audit, services
from helpdesk.administration.models import SUBJECTS
from helpdesk.agents import access
from helpdesk.errors import DomainError, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.tickets.models import Category
from helpdesk.tickets.queries import list_categories, parse_paging

bp = Blueprint("administration", __name__, url_prefix="/admin")
VIEW_ROLES = ("admin", "manager")
AUDIT_PAGE_SIZE = 50


@bp.before_request
@login_required
def only_admins_and_managers():
    access.require_role(current_user, *VIEW_ROLES)


def _may_change() -> None:
    access.require_role(current_user, "admin")


def _form(*names: str) -> dict[str, str]:
    return {name: (request.form.get(name) or "").strip() for name in names}


def _required(values: dict[str, str], *names: str) -> None:
    missing = {n: "required" for n in names if not values.get(n)}
    too_long = {n: "at most 120 characters" for n, v in values.items() if len(v) > 120}
    if missing or too_long:
        raise ValidationFailed("Please correct the marked fields.", too_long | missing)


def _get_or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound("No such setting.")
    return found


def _blocks() -> list[Block]:
    return list(
        db.session.scalars(
            sa.select(Block)
            .join(District, Block.district_id == District.id)
            .join(State, District.state_id == State.id)
            .options(contains_eager(Block.district).contains_eager(District.state))
            .order_by(State.code, District.name, Block.name)
        )
    )


@bp.route("/blocks", methods=["GET", "POST"])
def blocks():
    """The blocks; an admin adds one with the form at the top."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        _may_change()
        values = _form("code", "name", "district", "state")
        try:
            _required(values, "code", "name", "district", "state")
            block = services.add_block(current_user, **values)
        except DomainError as exc:
            errors = exc.fields or {"code": exc.message}
        else:
            flash(f"Block {block.name} ({block.code}) added.", "success")
            return redirect(url_for("administration.blocks"))
    states = db.session.scalars(sa.select(State).order_by(State.name)).all()
    return render_template(
        "admin/blocks.html",
        blocks=_blocks(),
        states=states,
        may_change=current_user.role == "admin",
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.post("/blocks/<id:block_id>")
def change_block(block_id: int):
    """Rename a block or move it to another district or state."""
    _may_change()
    block = _get_or_404(Block, block_id)
    values = _form("name", "district", "state")
    try:
        _required(values, "name", "district", "state")
        services.change_block(current_user, block, **values)
    except DomainError as exc:
        flash(f"{block.code}: {exc.message} " + "; ".join(exc.fields.values()), "error")
    else:
        flash(f"Block {block.code} saved.", "success")
    return redirect(url_for("administration.blocks"))


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    """All categories, retired ones included; an admin adds, renames, retires."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        _may_change()
        values = _form("slug", "name", "description", "domain")
        try:
            _required(values, "slug", "name")
            category = services.add_category(current_user, **values)
        except DomainError as exc:
            errors = exc.fields or {"slug": exc.message}
        else:
            flash(f"Category “{category.name}” added.", "success")
            return redirect(url_for("administration.categories"))
    return render_template(
        "admin/categories.html",
        categories=list_categories(retired=True),
        may_change=current_user.role == "admin",
        domains=services.DOMAINS,
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.post("/categories/<id:category_id>")
def change_category(category_id: int):
    """Rename a category, or retire or restore it (the ``retired`` button)."""
    _may_change()
    category = _get_or_404(Category, category_id)
    action = request.form.get("action", "rename")
    try:
        if action in ("retire", "restore"):
            services.change_category(current_user, category, retired=action == "retire")
        else:
            values = _form("name")
            _required(values, "name")
            services.change_category(current_user, category, name=values["name"])
    except DomainError as exc:
        flash(f"{category.slug}: {exc.message}", "error")
    else:
        flash(f"Category “{category.name}” saved.", "success")
    return redirect(url_for("administration.categories"))


@bp.get("/audit")
def audit_log():
    """Every admin change, newest first: who, when, what, old → new."""
    subject = request.args.get("subject") or None
    if subject not in (None, *SUBJECTS):
        subject = None
    try:
        page, per_page = parse_paging(request.args.get("page"), None, AUDIT_PAGE_SIZE)
    except ValidationFailed:
        page, per_page = 1, AUDIT_PAGE_SIZE
    rows, total = audit.entries(page, per_page, subject)
    return render_template(
        "admin/audit.html",
        entries=rows,
        subject=subject,
        subjects=SUBJECTS,
        page=page,
        pages=max(1, -(-total // per_page)),
        total=total,
    )
