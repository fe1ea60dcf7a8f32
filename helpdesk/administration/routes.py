"""Admin pages: blocks, categories and the admin audit (``/admin``). Admins change,
managers look. Views parse the form, call ``services`` (which audits) and render."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager

from helpdesk.administration import audit, services
from helpdesk.administration.models import SUBJECTS
from helpdesk.agents import access
from helpdesk.errors import DomainError, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_, translate, validation
from helpdesk.i18n.errors import error_message
from helpdesk.i18n.labels import field_label
from helpdesk.tickets.models import Category
from helpdesk.tickets.queries import list_categories, parse_paging

bp = Blueprint("administration", __name__, url_prefix="/admin")
VIEW_ROLES = ("admin", "manager")
AUDIT_PAGE_SIZE = 50
#: the audit's subjects and actions as the page names them (translated with |t)
SUBJECT_NAMES = {
    "block": N_("Block"),
    "category": N_("Category"),
    "sla_calendar": N_("SLA calendar"),
    "sla_policy": N_("SLA policy"),
    "hours_exception": N_("Special day"),
}
ACTION_NAMES = {
    "created": N_("added"),
    "renamed": N_("renamed"),
    "renamed_in_hindi": N_("renamed in Hindi"),
    "moved": N_("moved"),
    "described": N_("description changed"),
    "retired": N_("retired"),
    "restored": N_("restored"),
    "deleted": N_("deleted"),
    "hours": N_("hours changed"),
    "changed": N_("changed"),
}


@bp.before_request
@login_required
def only_admins_and_managers():
    access.require_role(current_user, *VIEW_ROLES)


def _may_change() -> None:
    access.require_role(current_user, "admin")


def _form(*names: str) -> dict[str, str]:
    return {name: (request.form.get(name) or "").strip() for name in names}


def _required(values: dict[str, str], *names: str) -> None:
    missing = {n: validation.required(n) for n in names if not values.get(n)}
    too_long = {
        n: gettext("%(field)s is longer than %(max)s characters.", field=field_label(n), max=120)
        for n, v in values.items()
        if len(v) > 120
    }
    if missing or too_long:
        raise ValidationFailed(N_("Please correct the marked fields."), too_long | missing)


def _refusal(exc: DomainError) -> str:
    """A service's refusal with its reasons, in the page's language."""
    reasons = "; ".join(translate(why) for why in exc.fields.values())
    return error_message(exc) + (" " + reasons if reasons else "")


def _get_or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound(N_("No such setting."))
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
            flash(
                gettext("Block %(name)s (%(code)s) added.", name=block.name, code=block.code),
                "success",
            )
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
        flash(f"{block.code}: {_refusal(exc)}", "error")
    else:
        flash(gettext("Block %(code)s saved.", code=block.code), "success")
    return redirect(url_for("administration.blocks"))


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    """All categories, retired ones included; an admin adds, renames, retires."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        _may_change()
        values = _form("slug", "name", "name_hi", "description", "domain")
        try:
            _required(values, "slug", "name")
            category = services.add_category(current_user, **values)
        except DomainError as exc:
            errors = exc.fields or {"slug": exc.message}
        else:
            flash(gettext("Category “%(name)s” added.", name=category.name), "success")
            return redirect(url_for("administration.categories"))
    return render_template(
        "admin/categories.html",
        categories=list_categories(retired=True),
        may_change=current_user.role == "admin",
        domain_options=[(d, translate(services.DOMAIN_NAMES[d])) for d in services.DOMAINS],
        domain_names=services.DOMAIN_NAMES,
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
            values = _form("name", "name_hi")
            _required(values, "name")
            services.change_category(current_user, category, **values)
    except DomainError as exc:
        flash(f"{category.slug}: {_refusal(exc)}", "error")
    else:
        flash(gettext("Category “%(name)s” saved.", name=category.name), "success")
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
        subject_names=SUBJECT_NAMES,
        action_names=ACTION_NAMES,
        page=page,
        pages=max(1, -(-total // per_page)),
        total=total,
    )
