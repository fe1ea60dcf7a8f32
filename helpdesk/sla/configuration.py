"""What admins change in the SLA engine: policies, calendars and holidays.

Each change recomputes the due dates of the open tickets it affects (``policies.refresh_sla``);
the caller commits.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.sla.calendar import DEFAULT_POLICIES, BusinessCalendar
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy
from helpdesk.sla.policies import assign_policy, list_policies, refresh_sla, targets_of_fields
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

DEFAULT_CALENDAR_HOURS = {str(d): [["09:00", "18:00"]] for d in range(6)}
EDITABLE_FIELDS = (
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "mentor_response_minutes",
    "calendar",
    "raise_priority_on_breach",
    "escalate_on_breach",
)


def update_policy(policy: SlaPolicy, changes: dict, *, now: datetime) -> int:
    """Change a policy's targets, calendar or breach actions and recompute the due dates
    of its open tickets. Breaches already recorded stay. Returns how many were recomputed.
    The caller commits."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(policy, name, value)
    db.session.flush()
    tickets = db.session.scalars(
        sa.select(Ticket).where(Ticket.sla_policy == policy.name, Ticket.status.in_(OPEN_STATUSES))
    ).all()
    for ticket in tickets:
        refresh_sla(ticket, now)
    return len(tickets)


def install_defaults() -> None:
    """Add the default calendar and DEFAULT_POLICIES where missing (idempotent); for fresh
    databases built without migrations. The caller commits."""
    if db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == "default")) is None:
        db.session.add(
            SlaCalendar(
                name="default",
                tz="Asia/Kolkata",
                hours=DEFAULT_CALENDAR_HOURS,
                india_holidays=True,
                state_holidays=False,
            )
        )
    names = set(db.session.scalars(sa.select(SlaPolicy.name)))
    for p in DEFAULT_POLICIES.values():
        if p.name not in names:
            db.session.add(
                SlaPolicy(
                    name=p.name, priority=p.priority, **targets_of_fields(p), calendar=p.calendar
                )
            )
    db.session.flush()


def _open_tickets_of_calendar(calendar_name: str) -> list[Ticket]:
    names = [p.name for p in list_policies() if p.calendar == calendar_name]
    return (
        list(
            db.session.scalars(
                sa.select(Ticket).where(
                    Ticket.sla_policy.in_(names), Ticket.status.in_(OPEN_STATUSES)
                )
            )
        )
        if names
        else []
    )


def recompute_calendar(calendar_name: str, now: datetime) -> int:
    """Refresh the SLA state of the open tickets whose policy runs in ``calendar_name``
    (after its hours or holidays changed). Returns how many. The caller commits."""
    db.session.flush()
    tickets = _open_tickets_of_calendar(calendar_name)
    for ticket in tickets:
        refresh_sla(ticket, now)
    return len(tickets)


def list_calendars() -> list[SlaCalendar]:
    return list(
        db.session.scalars(
            sa.select(SlaCalendar)
            .options(selectinload(SlaCalendar.holidays))
            .order_by(SlaCalendar.name)
        )
    )


def calendar_named(name: str) -> SlaCalendar | None:
    return db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == name))


def add_holiday(
    calendar_name: str,
    day: date,
    name: str = "",
    *,
    now: datetime | None = None,
    hours: list[list[str]] | None = None,
) -> SlaHoliday:
    """An exception on ``day`` in ``calendar_name``: closed (no ``hours``), or open at the
    special ``hours`` instead of the weekday's; with ``now``, the open tickets in that
    calendar are recomputed. A day that has an exception already, or bad hours, is a
    ValidationFailed. The caller commits."""
    calendar = calendar_named(calendar_name)
    if calendar is None:
        raise LookupError(f"no calendar {calendar_name!r}")
    if any(h.day == day for h in calendar.holidays):
        raise ValidationFailed(
            N_("That day is already a holiday."), {"day": N_("already a holiday")}
        )
    if hours:
        try:
            BusinessCalendar(special_hours={day: [tuple(s) for s in hours]})
        except ValueError as exc:
            raise ValidationFailed(N_("The hours are invalid."), {"hours": str(exc)}) from exc
    holiday = SlaHoliday(
        calendar=calendar,
        day=day,
        name=name.strip()[:120],
        hours=[list(s) for s in hours] if hours else None,
    )
    db.session.add(holiday)
    db.session.flush()
    if now is not None:
        recompute_calendar(calendar_name, now)
    return holiday


def remove_holiday(holiday: SlaHoliday, *, now: datetime) -> int:
    """Open the call-centre again on an admin-added holiday; recomputes the calendar's open
    tickets and returns how many. The caller commits."""
    calendar_name = holiday.calendar.name
    holiday.calendar.holidays.remove(holiday)
    db.session.delete(holiday)
    return recompute_calendar(calendar_name, now)


def update_calendar(
    calendar: SlaCalendar,
    *,
    hours: dict[str, list[list[str]]],
    india_holidays: bool,
    state_holidays: bool,
    now: datetime,
) -> int:
    """Set a calendar's weekly hours (weekday "0" = Monday → [["09:00", "13:00"], ...];
    several slots make lunch breaks, no slots close the day) and its holiday switches, then
    recompute its open tickets; returns how many. Bad hours are a ValidationFailed keyed
    ``hours.<weekday>``. The caller commits."""
    errors = {}
    for day, slots in hours.items():
        try:
            BusinessCalendar(hours={int(day): [tuple(s) for s in slots]})
        except ValueError as exc:
            errors[f"hours.{day}"] = str(exc)
    if not any(hours.values()):
        errors["hours"] = N_("a calendar needs some working time")
    if errors:
        raise ValidationFailed(N_("The calendar has invalid hours."), errors)
    calendar.hours = {str(day): [list(s) for s in slots] for day, slots in hours.items() if slots}
    calendar.india_holidays = india_holidays
    calendar.state_holidays = state_holidays
    return recompute_calendar(calendar.name, now)


def create_policy(fields: dict) -> SlaPolicy:
    """A policy for a priority, narrowed to a category and/or a state. ``fields``: name,
    priority, category (slug or None), state (code or None), the four *_minutes, calendar,
    raise_priority_on_breach, escalate_on_breach. It applies to tickets created (or whose
    priority or category change) from now on. ValidationFailed names clashes and unknown
    references. The caller commits."""
    from helpdesk.geography.models import State
    from helpdesk.tickets.models import Category

    errors: dict[str, str] = {}
    category = state = None
    if fields.get("category"):
        category = db.session.scalar(sa.select(Category).where(Category.slug == fields["category"]))
        if category is None:
            errors["category"] = N_("unknown category")
    if fields.get("state"):
        state = db.session.scalar(sa.select(State).where(State.code == fields["state"]))
        if state is None:
            errors["state"] = N_("unknown state")
    if calendar_named(fields["calendar"]) is None:
        errors["calendar"] = N_("unknown calendar")
    if db.session.scalar(sa.select(SlaPolicy.id).where(SlaPolicy.name == fields["name"])):
        errors["name"] = N_("already in use")
    if not errors and db.session.scalar(
        sa.select(SlaPolicy.id).where(
            SlaPolicy.priority == fields["priority"],
            SlaPolicy.category_id.is_(None)
            if category is None
            else SlaPolicy.category_id == category.id,
            SlaPolicy.state_code.is_(None) if state is None else SlaPolicy.state_code == state.code,
        )
    ):
        errors["priority"] = N_("a policy for this priority, category and state exists")
    if errors:
        raise ValidationFailed(N_("The policy has invalid fields."), errors)
    policy = SlaPolicy(
        name=fields["name"],
        priority=fields["priority"],
        category=category,
        state_code=state.code if state else None,
        calendar=fields["calendar"],
        **{k: fields[k] for k in EDITABLE_FIELDS if k.endswith("_minutes")},
        raise_priority_on_breach=bool(fields.get("raise_priority_on_breach")),
        escalate_on_breach=bool(fields.get("escalate_on_breach")),
    )
    db.session.add(policy)
    db.session.flush()
    return policy


def policies_using(calendar_name: str) -> list[SlaPolicy]:
    return list(db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.calendar == calendar_name)))


def _checked_calendar_name(name: str) -> str:
    """A calendar's name, trimmed: 1 to 60 characters (the column's size)."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 60:
        raise ValidationFailed(
            N_("A calendar needs a name of 1 to 60 characters."),
            {"name": N_("1 to 60 characters")},
        )
    return name


def create_calendar(name: str) -> SlaCalendar:
    """A new calendar with the default hours (Monday to Saturday, 09:00-18:00, India's
    national holidays). The caller commits."""
    name = _checked_calendar_name(name)
    if calendar_named(name) is not None:
        raise ValidationFailed(N_("A calendar has this name."), {"name": N_("already in use")})
    calendar = SlaCalendar(
        name=name, tz="Asia/Kolkata", hours=dict(DEFAULT_CALENDAR_HOURS), india_holidays=True
    )
    db.session.add(calendar)
    db.session.flush()
    return calendar


def rename_calendar(calendar: SlaCalendar, name: str) -> None:
    """Rename a calendar and the policies that run in it (they name it). The default
    calendar keeps its name: it is the contract's. The caller commits."""
    if calendar.name == "default":
        raise ValidationFailed(
            N_("The default calendar keeps its name."), {"name": N_("the default calendar")}
        )
    name = _checked_calendar_name(name)
    if name != calendar.name and calendar_named(name) is not None:
        raise ValidationFailed(N_("A calendar has this name."), {"name": N_("already in use")})
    for policy in policies_using(calendar.name):
        policy.calendar = name
    calendar.name = name
    db.session.flush()


def delete_calendar(calendar: SlaCalendar) -> None:
    """Delete a calendar no policy runs in (never the default one). The caller commits."""
    users = policies_using(calendar.name)
    if calendar.name == "default" or users:
        why = (
            N_("the default calendar")
            if calendar.name == "default"
            else "used by " + ", ".join(p.name for p in users)
        )
        raise Conflict(N_("This calendar cannot be deleted."), {"calendar": why})
    db.session.delete(calendar)
    db.session.flush()


def is_default_policy(policy: SlaPolicy) -> bool:
    """The policy of a priority with no category or state: every ticket falls back on it."""
    default = DEFAULT_POLICIES.get(policy.priority)
    return (
        policy.category_id is None
        and policy.state_code is None
        and default is not None
        and policy.name == default.name
    )


def delete_policy(policy: SlaPolicy, *, now: datetime) -> int:
    """Delete a policy (never a default one per priority); its open tickets take the
    policy that now matches them and are recomputed; returns how many. The caller commits."""
    if is_default_policy(policy):
        raise Conflict(
            N_("The default policy of a priority cannot be deleted."), {"policy": N_("default")}
        )
    tickets = db.session.scalars(
        sa.select(Ticket).where(Ticket.sla_policy == policy.name, Ticket.status.in_(OPEN_STATUSES))
    ).all()
    db.session.delete(policy)
    db.session.flush()
    for ticket in tickets:
        assign_policy(ticket)
        refresh_sla(ticket, now)
    return len(tickets)
