"""Web pages: the list of canned responses, and writing, changing and deleting one."""

from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from pydantic import ValidationError

from helpdesk.agents import access
from helpdesk.errors import DomainError
from helpdesk.i18n import validation
from helpdesk.i18n.errors import error_message
from helpdesk.replies import services
from helpdesk.replies.models import PLACEHOLDERS, CannedResponse
from helpdesk.replies.schemas import ResponseIn, ResponseUpdate
from helpdesk.tickets.queries import list_categories

bp = Blueprint("replies", __name__)


@bp.before_request
@login_required
def users_of_responses_only():
    access.require_role(current_user, *services.RESPONSE_ROLES)


@bp.get("/responses")
def index():
    q = (request.args.get("q") or "").strip()[:200]
    language = request.args.get("language") or None
    try:
        items = services.list_responses(current_user, language=language, q=q)
    except DomainError:
        items, language = services.list_responses(current_user, q=q), None
    return render_template(
        "replies/index.html",
        items=items,
        q=q,
        language=language or "",
        may_edit=lambda r: services.may_edit(current_user, r),
    )


def _form_data(form: Mapping, *, may_share: bool) -> dict:
    data = {
        name: (form.get(name) or "").strip() for name in ("title", "body", "language", "category")
    }
    data["category"] = data["category"] or None
    data["shared"] = may_share and form.get("shared") in ("on", "1", "true")
    return data


def _render_form(response: CannedResponse | None, values: dict, errors: dict, status=200):
    return render_template(
        "replies/form.html",
        response=response,
        values=values,
        errors=errors,
        categories=list_categories(),
        may_share=current_user.role in services.SHARED_EDITORS,
        placeholders=PLACEHOLDERS,
        message=gettext("Please correct the marked fields.") if errors else None,
    ), status


def _save(response: CannedResponse | None):
    values = request.form.to_dict()
    may_share = current_user.role in services.SHARED_EDITORS
    data = _form_data(request.form, may_share=may_share)
    if response is not None and not may_share:
        data.pop("shared")  # an agent's form says nothing about sharing
    try:
        if response is None:
            response = services.create_response(current_user, ResponseIn.model_validate(data))
        else:
            services.update_response(current_user, response, ResponseUpdate.model_validate(data))
    except ValidationError as exc:
        return _render_form(response, values, validation.form_errors(exc), 422)
    except DomainError as exc:
        return _render_form(
            response, values, exc.fields or {"title": error_message(exc)}, exc.status
        )
    flash(gettext("Response saved."), "success")
    return redirect(url_for("replies.index"))


@bp.route("/responses/new", methods=["GET", "POST"])
def new():
    if request.method == "POST":
        return _save(None)
    language = (current_user.languages or ["hi"])[0]
    return _render_form(None, {"language": language}, {})


@bp.route("/responses/<id:response_id>/edit", methods=["GET", "POST"])
def edit(response_id: int):
    response = services.response_or_404(current_user, response_id)
    if not services.may_edit(current_user, response):
        return redirect(url_for("replies.index"))
    if request.method == "POST":
        return _save(response)
    values = {
        "title": response.title,
        "body": response.body,
        "language": response.language,
        "category": response.category.slug if response.category else "",
        "shared": response.shared,
    }
    return _render_form(response, values, {})


@bp.post("/responses/<id:response_id>/delete")
def delete(response_id: int):
    response = services.response_or_404(current_user, response_id)
    services.delete_response(current_user, response)
    flash(gettext("Response deleted."), "success")
    return redirect(url_for("replies.index"))
