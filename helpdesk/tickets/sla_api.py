"""API: SLA policies (business minutes)."""

import sqlalchemy as sa
from flask import g, jsonify
from pydantic import Field

from helpdesk.api import api_v1
from helpdesk.api.errors import ApiError
from helpdesk.api.spec import endpoint
from helpdesk.extensions import db
from helpdesk.tickets import sla_policies
from helpdesk.tickets.models import SlaCalendar, SlaPolicy
from helpdesk.tickets.schemas import Strict
from helpdesk.timeutil import utcnow

Minutes = Field(default=None, gt=0, le=366 * 24 * 60)


class PolicyUpdate(Strict):
    first_response_minutes: int | None = Minutes
    next_response_minutes: int | None = Minutes
    resolution_minutes: int | None = Minutes
    mentor_response_minutes: int | None = Minutes
    calendar: str | None = Field(default=None, min_length=1, max_length=60)
    raise_priority_on_breach: bool | None = None
    escalate_on_breach: bool | None = None


@api_v1.get("/sla/policies")
@endpoint(summary="List SLA policies (targets in business minutes)", tag="sla")
def get_sla_policies():
    """The most specific policy matching a ticket applies: category + state, then
    category, then state, then priority alone."""
    return jsonify({"items": [sla_policies.policy_to_dict(p) for p in sla_policies.list_policies()]})


@api_v1.patch("/sla/policies/<int:policy_id>")
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
    if "calendar" in changes and db.session.scalar(
        sa.select(SlaCalendar.id).where(SlaCalendar.name == changes["calendar"])
    ) is None:
        raise ApiError(422, "Some fields are invalid.", {"calendar": "unknown calendar"})
    try:
        sla_policies.update_policy(policy, changes, now=utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return jsonify(sla_policies.policy_to_dict(policy))
