"""Which SLA policy and calendar a ticket runs under, and writing a ticket's SLA state.

What admins change (policies, calendars, holidays) lives in ``configuration.py``.

Policy selection (at creation, and when a person changes the priority or category): among
the policies of the ticket's priority, the most specific that matches wins:
category + state > category > state > priority only. When the table holds no policy for
the priority, the in-code ``DEFAULT_POLICIES`` apply (they are what migration 0003 seeds).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from helpdesk import reference_cache
from helpdesk.extensions import db
from helpdesk.sla import alerts
from helpdesk.sla.calendar import (
    DEFAULT_POLICIES,
    BusinessCalendar,
    PolicyTargets,
    default_calendar,
)
from helpdesk.sla.clock import TARGETS, Evaluation, evaluate
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy
from helpdesk.tickets.models import (
    PRIORITIES,
    Ticket,
    TicketEvent,
)
from helpdesk.timeutil import isoformat, utcnow

Policy = SlaPolicy | PolicyTargets
reference_cache.watch(SlaPolicy, SlaCalendar, SlaHoliday)


def targets_of(policy: Policy) -> dict[str, int]:
    return {target: getattr(policy, f"{target}_minutes") for target in TARGETS}


def select_policy(ticket: Ticket) -> Policy:
    """The most specific policy matching the ticket's priority, category and state."""
    state = ticket.block.state.code if ticket.block is not None else None
    # The relationship, not category_id: a ticket being created has no ids before its flush.
    category_id = ticket.category.id if ticket.category is not None else None
    candidates = [
        p
        for p in reference_cache.cached(
            "sla-policies", ticket.priority, lambda: _policies_of(ticket.priority)
        )
        if p.category_id in (None, category_id) and p.state_code in (None, state)
    ]
    if not candidates:
        return DEFAULT_POLICIES[ticket.priority]
    return max(
        candidates, key=lambda p: (p.category_id is not None, p.state_code is not None, -p.id)
    )


def _policies_of(priority: str) -> list[SlaPolicy]:
    rows = db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.priority == priority))
    return [reference_cache.detached_copy(p) for p in rows]


def policy_named(name: str | None) -> Policy | None:
    """The policy of that name (a copy to read, in no session), or the in-code default."""
    if name is None:
        return None
    return reference_cache.cached("sla-policy", name, lambda: _policy_named(name))


def _policy_named(name: str) -> Policy | None:
    row = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == name))
    if row is not None:
        return reference_cache.detached_copy(row)
    return next((p for p in DEFAULT_POLICIES.values() if p.name == name), None)


def calendar_for(name: str, state_subdiv: str | None = None) -> BusinessCalendar:
    """The named calendar with its admin-added holidays; the contract's default when the
    table has no row of that name."""
    return reference_cache.cached(
        "sla-calendar", (name, state_subdiv), lambda: _calendar(name, state_subdiv)
    )


def _calendar(name: str, state_subdiv: str | None) -> BusinessCalendar:
    row = db.session.scalar(
        sa.select(SlaCalendar)
        .where(SlaCalendar.name == name)
        .options(selectinload(SlaCalendar.holidays))
    )
    if row is None:
        return default_calendar()
    return BusinessCalendar(
        tz=row.tz,
        hours={int(day): [tuple(slot) for slot in slots] for day, slots in row.hours.items()},
        holidays={h.day for h in row.holidays if h.hours is None},
        special_hours={h.day: [tuple(s) for s in h.hours] for h in row.holidays if h.hours},
        india_holidays=row.india_holidays,
        subdiv=state_subdiv if row.state_holidays else None,
    )


def evaluate_ticket(ticket: Ticket, now: datetime, policy: Policy | None = None) -> Evaluation:
    """``clock.evaluate`` with the ticket's policy (``policy`` when the caller has just
    chosen it) and calendar (reads, never writes)."""
    policy = policy or policy_named(ticket.sla_policy) or select_policy(ticket)
    subdiv = ticket.block.state.holiday_subdiv if ticket.block is not None else None
    return evaluate(
        ticket, now, minutes=targets_of(policy), calendar=calendar_for(policy.calendar, subdiv)
    )


def assign_policy(ticket: Ticket) -> Policy:
    """Choose the ticket's policy again; returns it."""
    policy = select_policy(ticket)
    ticket.sla_policy = policy.name
    return policy


def _store_dues(ticket: Ticket, result: Evaluation) -> None:
    ticket.first_response_due = result.due("first_response")
    ticket.next_response_due = result.due("next_response")
    ticket.resolution_due = result.due("resolution")
    ticket.mentor_response_due = result.due("mentor_response")
    _store_figures(ticket, result)


def refresh_sla(ticket: Ticket, now: datetime, policy: Policy | None = None) -> Evaluation:
    """Store the ticket's due dates as of ``now``; record each new warning and breach once
    (a ``sla_warning``/``sla_breach`` TicketEvent), tell the assignee and managers about it
    (``alerts.announce``) and apply the policy's breach actions. The caller commits."""
    result = evaluate_ticket(ticket, now, policy)
    _store_dues(ticket, result)
    if ticket.status == "closed":
        return result
    recorded = list(ticket.sla_breached or [])
    new_breaches = [t for t in result.breached if t not in recorded]
    warned = {(e.new_value, e.old_value) for e in ticket.events if e.kind == "sla_warning"}
    for clock in result.clocks:
        key = (clock.target, isoformat(clock.started_at))
        if (
            clock.met_at is None
            and not clock.breached
            and now >= clock.warn_at
            and key not in warned
        ):
            _event(ticket, "sla_warning", key[1], clock.target, now)
            alerts.announce(ticket, "warning", clock.target, clock.due, now)
            warned.add(key)
    if new_breaches:
        for target in new_breaches:
            _event(ticket, "sla_breach", None, target, now)
            due = max(c.due for c in result.clocks if c.target == target and c.breached)
            alerts.announce(ticket, "breached", target, due, now)
        ticket.sla_breached = recorded + new_breaches
        if _breach_actions(ticket, first_breach=not recorded, now=now):
            # Escalated: the mentor's clock starts now.
            result = evaluate_ticket(ticket, now)
            _store_dues(ticket, result)
        _store_figures(ticket, result)  # the breach flags just changed
    return result


def _store_figures(ticket: Ticket, result: Evaluation) -> None:
    """The per-ticket figures the SLA reports aggregate, from the same evaluation as the due
    dates: business minutes to first response and to resolution (once met), and whether
    each target is among the recorded breaches."""
    for target in ("first_response", "resolution"):
        clock = result.current(target)
        met = clock is not None and clock.met_at is not None
        setattr(ticket, f"{target}_minutes", clock.elapsed_minutes if met else None)
        setattr(ticket, f"{target}_breached", target in (ticket.sla_breached or []))


def ticket_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Ticket.id).order_by(Ticket.id)))


def backfill_figures(ids: list[int], now: datetime | None = None) -> None:
    """Store the report figures of these tickets from their history (for tickets written
    before those columns existed); records no breach or warning. Commits."""
    tickets = db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.id.in_(ids))
        .options(selectinload(Ticket.messages), selectinload(Ticket.events))
    ).all()
    for ticket in tickets:
        _store_figures(ticket, evaluate_ticket(ticket, now or utcnow()))
    db.session.commit()


def _breach_actions(ticket: Ticket, *, first_breach: bool, now: datetime) -> bool:
    """On a ticket's first breach: raise the priority one step and/or escalate it to a
    mentor, as its policy says. The policy (and so the targets) stays the same. Returns
    True when the ticket was escalated."""
    policy = policy_named(ticket.sla_policy)
    if not first_breach or not isinstance(policy, SlaPolicy):
        return False
    if policy.raise_priority_on_breach and ticket.priority != PRIORITIES[-1]:
        raised = PRIORITIES[PRIORITIES.index(ticket.priority) + 1]
        _event(ticket, "priority", ticket.priority, raised, now)
        ticket.priority = raised
    if policy.escalate_on_breach and ticket.is_open:
        _event(ticket, "sla_escalation", None, ",".join(ticket.sla_breached), now)
        return alerts.escalate_on_breach(ticket, now)
    return False


def _event(ticket: Ticket, kind: str, old: str | None, new: str | None, at: datetime) -> None:
    db.session.add(
        TicketEvent(ticket=ticket, actor=None, kind=kind, old_value=old, new_value=new, at=at)
    )


def list_policies() -> list[Policy]:
    rows = db.session.scalars(
        sa.select(SlaPolicy).options(selectinload(SlaPolicy.category)).order_by(SlaPolicy.id)
    ).all()
    return list(rows) or list(DEFAULT_POLICIES.values())


def policy_to_dict(policy: Policy) -> dict:
    data = {"name": policy.name, "priority": policy.priority} | targets_of_fields(policy)
    data["calendar"] = policy.calendar
    if isinstance(policy, SlaPolicy):
        data |= {
            "id": policy.id,
            "category": policy.category.slug if policy.category else None,
            "state": policy.state_code,
            "raise_priority_on_breach": policy.raise_priority_on_breach,
            "escalate_on_breach": policy.escalate_on_breach,
        }
    return data


def targets_of_fields(policy: Policy) -> dict[str, int]:
    return {f"{t}_minutes": m for t, m in targets_of(policy).items()}
