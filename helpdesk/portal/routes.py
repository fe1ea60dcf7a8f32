"""BRC portal pages. Replies happen on the shared ticket page (tickets.show)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.attachments.routes import upload_field_context
from helpdesk.attachments.services import attach_uploads
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.i18n import N_
from helpdesk.tickets import forms, queries, services
from helpdesk.tickets.models import PRIORITIES
from helpdesk.tickets.unit_of_work import unit_of_work

bp = Blueprint("portal", __name__, url_prefix="/brc")
PAGE_SIZE = 20
VIEWS = {"open": "open", "closed": "resolved,closed", "all": None}


@bp.before_request
@login_required
def only_brc_staff():
    access.require_role(current_user, "brc")


@bp.get("")
def home():
    """My block's tickets as cards, open ones first by default."""
    view = request.args.get("view", "open")
    if view not in VIEWS:
        view = "open"
    try:
        page, per_page = queries.parse_paging(request.args.get("page"), None, PAGE_SIZE)
    except ValidationFailed:
        page, per_page = 1, PAGE_SIZE
    # ticket_visibility already limits a BRC user to their block; no block filter needed.
    filters = queries.TicketFilters(status=VIEWS[view])
    result = queries.list_tickets(current_user, filters, page, per_page)
    counts = queries.status_counts(current_user, queries.TicketFilters())
    return render_template(
        "portal/home.html",
        page=result,
        view=view,
        counts=counts,
        pages=max(1, -(-result.total // per_page)),
    )


def _render_new(values: dict, errors: dict, message: str | None = None, status: int = 200):
    return render_template(
        "portal/new.html",
        values=values,
        errors=errors,
        message=message,
        categories=queries.list_categories(),
        priorities=PRIORITIES,
        attachment_field=upload_field_context(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Raise a ticket, with photos or files if any; the service puts it in the user's own
    block whatever is sent. The ticket and its files are kept together or not at all."""
    if request.method == "GET":
        return _render_new({"priority": "normal", "language": "hi"}, {})
    values = request.form.to_dict()
    data, errors = forms.ticket_create_from_form(
        request.form, with_block=False, with_requester=False, channel="web"
    )
    if errors:
        return _render_new(values, errors, N_("Please correct the marked fields."), 422)
    try:
        with unit_of_work():
            ticket = services.create_ticket(data, current_user)
            attach_uploads(ticket, current_user, request.files.getlist("file"))
    except DomainError as exc:
        return _render_new(values, exc.fields, exc.message, exc.status)
    flash(
        gettext(
            "Ticket %(number)s raised. The call-centre will answer here.", number=ticket.number
        ),
        "success",
    )
    return redirect(url_for("tickets.show", ticket_id=ticket.id))
