"""Admin pages for people (``/admin/users``): list, create, edit, deactivate or reactivate,
and set a new password. Views parse the form (``agents.forms``), call ``agents.services``
(the rules every entry point shares) and render; errors show next to their fields."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import access, forms, services
from helpdesk.agents.models import ROLES, User
from helpdesk.agents.users_api import parse_user_filters, user_or_404
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_
from helpdesk.i18n.errors import error_message
from helpdesk.i18n.labels import by_category_name, category_name
from helpdesk.templating import ROLE_NAMES
from helpdesk.tickets.models import Category
from helpdesk.tickets.queries import Page, parse_paging

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")
PAGE_SIZE = 50


@bp.before_request
@login_required
def _admins_only():
    access.require_role(current_user, "admin")


def _me() -> User:
    return current_user._get_current_object()


def _choices() -> dict:
    blocks = db.session.execute(
        sa.select(Block.code, Block.name, District.name)
        .join(District, Block.district_id == District.id)
        .order_by(Block.name, Block.code)
    ).all()
    return {
        "role_choices": [(role, ROLE_NAMES[role]) for role in ROLES],
        "blocks": [(code, f"{name} ({district})") for code, name, district in blocks],
        "categories": [
            (row.slug, category_name(row))
            for row in by_category_name(
                db.session.execute(sa.select(Category.slug, Category.name, Category.name_hi))
            )
        ],
        "states": db.session.execute(sa.select(State.code, State.name).order_by(State.name)).all(),
    }


def _form_values(form) -> dict:
    values = {name: form.get(name, "") for name in forms.DETAIL_FIELDS}
    return values | {name: form.getlist(name) for name in forms.LIST_FIELDS}


def _render_form(user: User | None, values: dict, errors: dict, status: int = 200, **extra):
    return render_template(
        "users/form.html",
        user=user,
        values=values,
        errors=errors,
        password_errors=extra.pop("password_errors", {}),
        **_choices(),
        **extra,
    ), status


@bp.get("")
def index():
    values = {name: (request.args.get(name) or "").strip() for name in ("role", "active")}
    errors: dict[str, str] = {}
    try:
        role, active = parse_user_filters(request.args)
        page_no, _ = parse_paging(request.args.get("page"), None, PAGE_SIZE)
    except ValidationFailed as exc:
        errors, role, active, page_no = exc.fields, None, None, 1
    users, total = services.list_users(role=role, active=active, page=page_no, per_page=PAGE_SIZE)
    return render_template(
        "users/index.html",
        page=Page(items=users, page=page_no, per_page=PAGE_SIZE, total=total),
        pages=max(1, -(-total // PAGE_SIZE)),
        values=values,
        errors=errors,
        roles=ROLES,
    ), 422 if errors else 200


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return _render_form(None, {"role": N_("agent")}, {})
    data, errors = forms.user_from_form(request.form, create=True)
    status = 422
    if data is not None:
        try:
            user = services.create_user(**data)
        except DomainError as exc:
            errors, status = exc.fields or {"email": exc.message}, exc.status
        else:
            flash(
                gettext("%(name)s can now sign in as %(email)s.", name=user.name, email=user.email),
                "success",
            )
            return redirect(url_for("users_admin.edit", user_id=user.id))
    return _render_form(None, _form_values(request.form), errors, status)


@bp.route("/<id:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    user = user_or_404(user_id)
    if request.method == "GET":
        return _render_form(user, user.to_dict(), {})
    data, errors = forms.user_from_form(request.form, create=False)
    status = 422
    if data is not None:
        try:
            services.update_user(user, data, actor=_me())
        except DomainError as exc:
            errors, status = exc.fields or {"email": exc.message}, exc.status
        else:
            flash(gettext("Saved %(name)s.", name=user.name), "success")
            return redirect(url_for("users_admin.edit", user_id=user.id))
    return _render_form(user, _form_values(request.form), errors, status)


@bp.post("/<id:user_id>/deactivate")
def deactivate(user_id: int):
    user = user_or_404(user_id)
    try:
        services.deactivate_user(user, actor=_me())
    except ValidationFailed as exc:
        flash(error_message(exc), "error")
    else:
        flash(
            gettext("%(name)s is deactivated and signed out everywhere.", name=user.name), "success"
        )
    return redirect(url_for("users_admin.edit", user_id=user.id))


@bp.post("/<id:user_id>/reactivate")
def reactivate(user_id: int):
    user = user_or_404(user_id)
    services.update_user(user, {"active": True}, actor=_me())
    flash(gettext("%(name)s may sign in again.", name=user.name), "success")
    return redirect(url_for("users_admin.edit", user_id=user.id))


@bp.post("/<id:user_id>/password")
def set_password(user_id: int):
    user = user_or_404(user_id)
    data, errors = forms.password_from_form(request.form)
    if data is None:
        return _render_form(user, user.to_dict(), {}, 422, password_errors=errors)
    services.update_user(user, data, actor=_me())
    flash(
        gettext("New password set for %(name)s; their API tokens no longer work.", name=user.name),
        "success",
    )
    return redirect(url_for("users_admin.edit", user_id=user.id))
