"""API: SLA policies (business minutes), calendars and admin-added holidays.

Every change recomputes the due dates of the open tickets it affects (through
``configuration``, the one place for these rules) inside one unit of work, so breaches it
reveals are recorded and announced once committed.
"""

from flask import g, jsonify

from helpdesk.api import api_v1
from helpdesk.api.errors import ApiError
from helpdesk.api.spec import endpoint
from helpdesk.extensions import db
from helpdesk.sla import configuration, policies
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy
from helpdesk.sla.schemas import CalendarUpdate, HolidayIn, PolicyCreate, PolicyUpdate
from helpdesk.tickets.services import unit_of_work
from helpdesk.timeutil import utcnow


@api_v1.get("/sla/policies")
@endpoint(summary="List SLA policies (targets in business minutes)", tag="sla")
def get_sla_policies():
    """The most specific policy matching a ticket applies: category + state, then
    category, then state, then priority alone."""
    return jsonify({"items": [policies.policy_to_dict(p) for p in policies.list_policies()]})


@api_v1.post("/sla/policies")
@endpoint(
    summary="Add an SLA policy for a category and/or state",
    body=PolicyCreate,
    roles=("admin",),
    responses={201: "The policy"},
    tag="sla",
)
def post_sla_policy():
    """It applies to tickets created, or whose priority or category change, from then on.
    422 when the name or the (priority, category, state) scope is taken, or the category,
    state or calendar is unknown."""
    with unit_of_work():
        policy = configuration.create_policy(g.body.model_dump())
    return jsonify(policies.policy_to_dict(policy)), 201


@api_v1.patch("/sla/policies/<id:policy_id>")
@endpoint(summary="Change an SLA policy", body=PolicyUpdate, roles=("admin",), tag="sla")
def patch_sla_policy(policy_id: int):
    """Due dates of the policy's open tickets are recomputed; recorded breaches stay."""
    policy = db.session.get(SlaPolicy, policy_id)
    if policy is None:
        raise ApiError(404, "No such SLA policy.")
    changes = {k: v for k, v in g.body.model_dump(exclude_unset=True).items()}
    nulls = [k for k, v in changes.items() if v is None]
    if nulls:
        raise ApiError(422, "Some fields are invalid.", {k: "may not be null" for k in nulls})
    if "calendar" in changes and configuration.calendar_named(changes["calendar"]) is None:
        raise ApiError(422, "Some fields are invalid.", {"calendar": "unknown calendar"})
    with unit_of_work():
        configuration.update_policy(policy, changes, now=utcnow())
    return jsonify(policies.policy_to_dict(policy))


def calendar_to_dict(calendar: SlaCalendar) -> dict:
    return {
        "id": calendar.id,
        "name": calendar.name,
        "tz": calendar.tz,
        "hours": calendar.hours,
        "india_holidays": calendar.india_holidays,
        "state_holidays": calendar.state_holidays,
        "holidays": [holiday_to_dict(h) for h in calendar.holidays],
    }


def holiday_to_dict(holiday: SlaHoliday) -> dict:
    return {"id": holiday.id, "day": holiday.day.isoformat(), "name": holiday.name}


def _calendar_or_404(name: str) -> SlaCalendar:
    calendar = configuration.calendar_named(name)
    if calendar is None:
        raise ApiError(404, "No such calendar.")
    return calendar


@api_v1.get("/sla/calendars")
@endpoint(summary="List business-hours calendars with their admin-added holidays", tag="sla")
def get_sla_calendars():
    return jsonify({"items": [calendar_to_dict(c) for c in configuration.list_calendars()]})


@api_v1.put("/sla/calendars/<name>")
@endpoint(
    summary="Set a calendar's weekly hours and holiday switches",
    body=CalendarUpdate,
    roles=("admin",),
    tag="sla",
)
def put_sla_calendar(name: str):
    """Several slots a day make lunch breaks; a weekday left out is closed. The open
    tickets whose policy runs in this calendar are recomputed."""
    calendar = _calendar_or_404(name)
    with unit_of_work():
        configuration.update_calendar(calendar, now=utcnow(), **g.body.model_dump())
    return jsonify(calendar_to_dict(calendar))


@api_v1.post("/sla/calendars/<name>/holidays")
@endpoint(
    summary="Close a calendar on a date",
    body=HolidayIn,
    roles=("admin",),
    responses={201: "The holiday"},
    tag="sla",
)
def post_sla_holiday(name: str):
    """The open tickets whose policy runs in this calendar are recomputed."""
    _calendar_or_404(name)
    with unit_of_work():
        holiday = configuration.add_holiday(name, g.body.day, g.body.name, now=utcnow())
    return jsonify(holiday_to_dict(holiday)), 201


@api_v1.delete("/sla/holidays/<id:holiday_id>")
@endpoint(
    summary="Remove an admin-added holiday", roles=("admin",), responses={204: "Removed"}, tag="sla"
)
def delete_sla_holiday(holiday_id: int):
    holiday = db.session.get(SlaHoliday, holiday_id)
    if holiday is None:
        raise ApiError(404, "No such holiday.")
    with unit_of_work():
        configuration.remove_holiday(holiday, now=utcnow())
    return "", 204
