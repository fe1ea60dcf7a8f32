"""Web pages: the portal's rating form (on the ticket page) and the CSAT report."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from pydantic import ValidationError

from helpdesk.agents import access
from helpdesk.errors import DomainError
from helpdesk.i18n.errors import error_message
from helpdesk.reports import services as reports_services
from helpdesk.satisfaction import report as csat
from helpdesk.satisfaction import services
from helpdesk.satisfaction.schemas import RatingIn
from helpdesk.validation import ascii_int

bp = Blueprint("satisfaction", __name__)
REPORT_ROLES = ("manager", "admin")
GROUP_NAMES = {
    "agent": _l("Agent"),
    "category": _l("Category"),
    "state": _l("State"),
    "block": _l("Block"),
}


@bp.post("/tickets/<id:ticket_id>/satisfaction")
@login_required
def rate(ticket_id: int):
    """The one-tap rating: a 1-5 button and an optional comment; back to the ticket."""
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    try:
        data = RatingIn.model_validate(
            {
                "rating": ascii_int(request.form.get("rating")) or 0,
                "comment": request.form.get("comment", ""),
            }
        )
    except ValidationError:
        flash(gettext("Choose a rating from 1 to 5. A comment can be up to 2000 letters."), "error")
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    try:
        services.rate_ticket(ticket, current_user, data.rating, data.comment, channel="web")
    except DomainError as exc:
        if exc.status == 403:
            raise
        flash(error_message(exc), "error")
    else:
        flash(gettext("Thank you for your rating."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.get("/reports/csat")
@login_required
def report():
    """Ratings per group, their spread and the weekly average; bad filters show the form
    again with their errors (422)."""
    access.require_role(current_user, *REPORT_ROLES)
    values, errors, report_range = reports_services.page_filters(
        request.args, csat.parse_csat_range
    )
    data = reports_services.named_for_the_page(csat.csat_report(report_range))
    if not errors:
        values = {"from": data["from"], "to": data["to"], "group_by": data["group_by"]}
    return render_template(
        "reports/csat.html",
        report=data,
        values=values,
        errors=errors,
        groups=list(GROUP_NAMES.items()),
        group_name=GROUP_NAMES[data["group_by"]],
    ), (422 if errors else 200)
