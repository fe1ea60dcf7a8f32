"""Reading the call log: filtered, newest first, paginated."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.calls.models import Call
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets.queries import Page
from helpdesk.timeutil import IST
from helpdesk.validation import as_id, parse_day_range

OUTCOMES = ("answered", "missed")


@dataclass
class CallFilters:
    #: IST calendar days, inclusive
    date_from: date | None = None
    date_to: date | None = None
    direction: str | None = None
    outcome: str | None = None  # answered | missed
    agent: int | None = None


def parse_filters(args) -> tuple[CallFilters, dict[str, str]]:
    """Query-string filters → CallFilters; raises ValidationFailed naming each bad one."""
    values = {
        name: (args.get(name) or "").strip()
        for name in ("from", "to", "direction", "outcome", "agent")
    }
    errors: dict[str, str] = {}
    filters = CallFilters()
    try:
        filters.date_from, filters.date_to = parse_day_range(values)
    except ValidationFailed as exc:
        errors |= exc.fields
    if values["direction"]:
        if values["direction"] in ("in", "out"):
            filters.direction = values["direction"]
        else:
            errors["direction"] = N_("must be in or out")
    if values["outcome"]:
        if values["outcome"] in OUTCOMES:
            filters.outcome = values["outcome"]
        else:
            errors["outcome"] = N_("must be answered or missed")
    if values["agent"]:
        filters.agent = as_id(values["agent"])
        if filters.agent is None:
            errors["agent"] = N_("must be a user id")
    if errors:
        raise ValidationFailed(N_("These filters are not valid."), errors)
    return filters, values


def _ist_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=IST)


def list_calls(filters: CallFilters, page: int, per_page: int) -> Page:
    query = sa.select(Call)
    if filters.date_from:
        query = query.where(Call.started_at >= _ist_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(Call.started_at < _ist_midnight(filters.date_to + timedelta(days=1)))
    if filters.direction:
        query = query.where(Call.direction == filters.direction)
    if filters.outcome == "missed":
        query = query.where(Call.status == "missed")
    elif filters.outcome == "answered":
        query = query.where(Call.answered_at.is_not(None))
    if filters.agent:
        query = query.where(Call.answered_by_id == filters.agent)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(
            selectinload(Call.contact),
            selectinload(Call.caller_user),
            selectinload(Call.answered_by),
            selectinload(Call.ticket),
        )
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)


def calls_of_ticket(ticket_id: int) -> list[Call]:
    return list(
        db.session.scalars(
            sa.select(Call).where(Call.ticket_id == ticket_id).order_by(Call.started_at.desc())
        )
    )


def answering_agents() -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.name))
    )
