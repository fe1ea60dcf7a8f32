"""Web pages: the list of enterprises with search, and an enterprise's page with its
tickets and calls over time."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from helpdesk import signals
from helpdesk.enterprises import services
from helpdesk.errors import ValidationFailed
from helpdesk.tickets.queries import Page, parse_paging
from helpdesk.timeutil import as_ist

bp = Blueprint("enterprises", __name__)
PAGE_SIZE = 50


@bp.get("/enterprises")
@login_required
def index():
    q = (request.args.get("q") or "").strip()[:200]
    block = (request.args.get("block") or "").strip()[:40]
    try:
        page, per_page = parse_paging(request.args.get("page"), None, PAGE_SIZE)
    except ValidationFailed:
        page, per_page = 1, PAGE_SIZE
    items, total = services.list_enterprises(
        current_user, block=block or None, q=q, page=page, per_page=per_page
    )
    return render_template(
        "enterprises/index.html",
        page=Page(items=items, page=page, per_page=per_page, total=total),
        pages=max(1, -(-total // per_page)),
        values={"q": q, "block": block},
    )


@bp.get("/enterprises/<code>")
@login_required
def show(code: str):
    enterprise = services.visible_enterprise_or_404(current_user, code)
    tickets = services.tickets_of(enterprise, current_user)
    context: dict = {}
    for _receiver, part in signals.enterprise_page.send(
        enterprise, viewer=current_user, ticket_ids=[t.id for t in tickets]
    ):
        context.update(part or {})
    return render_template(
        "enterprises/enterprise.html",
        enterprise=enterprise,
        tickets=tickets,
        chart=_chart(tickets, context.get("calls_by_month", {})),
        **context,
    )


def _chart(tickets, calls_by_month: dict[str, int]) -> dict:
    """Tickets and calls per month (IST), every month from the first to the last."""
    by_month: dict[str, int] = {}
    for ticket in tickets:
        key = as_ist(ticket.created_at).strftime("%Y-%m")
        by_month[key] = by_month.get(key, 0) + 1
    keys = sorted(set(by_month) | set(calls_by_month))
    months = _months_between(keys[0], keys[-1]) if keys else []
    return {
        "months": months,
        "tickets": [by_month.get(m, 0) for m in months],
        "calls": [calls_by_month.get(m, 0) for m in months],
    }


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
