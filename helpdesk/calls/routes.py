"""The call log page (agents, managers, admins) and the calls panel of the ticket page."""

from flask import Blueprint, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES
from helpdesk.calls import queries
from helpdesk.errors import ValidationFailed
from helpdesk.tickets.queries import Page, parse_paging

bp = Blueprint("calls", __name__)
PAGE_SIZE = 50


@bp.app_template_filter("call_duration")
def call_duration(seconds: int | None) -> str:
    """252 → "4 min 12 s" in the page's language (services.format_duration writes the
    English one the ticket's history keeps)."""
    if seconds is None:
        return "—"
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [gettext("%(n)s h", n=hours)] if hours else []
    if hours or minutes:
        parts.append(gettext("%(n)s min", n=minutes))
    parts.append(gettext("%(n)s s", n=secs))
    return " ".join(parts)


@bp.app_context_processor
def calls_panel() -> dict:
    """``ticket_calls(ticket)`` for the ticket page: its calls, for the call-centre side."""

    def ticket_calls(ticket) -> list:
        if not current_user.is_authenticated or current_user.role == "brc":
            return []
        return queries.calls_of_ticket(ticket.id)

    return {"ticket_calls": ticket_calls}


@bp.get("/calls")
@login_required
def log():
    """Every call, newest first; filter by IST dates, direction, answered/missed, agent."""
    access.require_role(current_user, *STAFF_ROLES)
    errors: dict[str, str] = {}
    values = {
        name: request.args.get(name, "") for name in ("from", "to", "direction", "outcome", "agent")
    }
    try:
        filters, values = queries.parse_filters(request.args)
        page, per_page = parse_paging(request.args.get("page"), None, PAGE_SIZE)
        result = queries.list_calls(filters, page, per_page)
    except ValidationFailed as exc:
        errors = exc.fields
        result = Page(items=[], page=1, per_page=PAGE_SIZE, total=0)
    return render_template(
        "calls/log.html",
        page=result,
        values=values,
        errors=errors,
        agents=queries.answering_agents(),
        pages=max(1, -(-result.total // result.per_page)),
    ), (422 if errors else 200)
