"""BRC portal pages. Replies happen on the shared ticket page (tickets.show)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.errors import ValidationFailed
from helpdesk.satisfaction.services import unrated_tickets
from helpdesk.tickets import forms, queries
from helpdesk.tickets.models import PRIORITIES

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
        to_rate=unrated_tickets(current_user),
    )


def _render_new(values: dict, errors: dict, message: str | None = None, status: int = 200):
    return render_template(
        "portal/new.html",
        values=values,
        errors=errors,
        message=message,
        categories=queries.list_categories(),
        priorities=PRIORITIES,
    ), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Raise a ticket; the service puts it in the user's own block whatever is sent."""
    if request.method == "GET":
        return _render_new({"priority": "normal", "language": "hi"}, {})
    result = forms.create_ticket_from_form(
        request.form, current_user, with_block=False, with_requester=False, channel="web"
    )
    if result.ticket is None:
        return _render_new(request.form.to_dict(), result.errors, result.message, result.status)
    ticket = result.ticket
    flash(f"Ticket {ticket.number} raised. The call-centre will answer here.", "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))
