"""How the SLA engine follows ticket changes: the policy a ticket runs under, its due dates,
warnings and breaches, and its timers.

Connected once by ``create_app`` (``connect_signals``).

- A new ticket, or one whose priority or category changed, gets its policy selected again
  (``policies.assign_policy``) before the commit.
- Before the unit of work commits, every ticket it touched has its SLA state refreshed as of
  its latest change (``policies.refresh_sla``), in the same transaction.
- After the commit, the next warning or breach moment of each of those tickets is scheduled,
  and the timers of tickets no longer open removed (``timers.schedule``); on rollback they
  are forgotten.
"""

import logging

from helpdesk import signals
from helpdesk.extensions import db
from helpdesk.sla import policies, timers

log = logging.getLogger(__name__)

_RESELECT_KEY = "sla_reselect_policy"
_PLANS_KEY = "sla_pending_timer_plans"
#: audit kinds after which the policy is chosen again (a block decides the state's policy)
RESELECTING_KINDS = frozenset({"created", "priority", "category", "block"})


def mark_for_policy_selection(ticket, *, kind: str, **kwargs) -> None:
    if kind in RESELECTING_KINDS:
        db.session.info.setdefault(_RESELECT_KEY, {})[id(ticket)] = ticket


def refresh_touched_tickets(_sender, *, touched, **kwargs) -> None:
    """Before the commit: select policies where needed, then store due dates, warnings and
    breaches of the touched tickets; their timers wait for the commit."""
    # No flush in between: the chosen policy is written by the same UPDATE as the due dates.
    with db.session.no_autoflush:
        chosen = {
            key: policies.assign_policy(ticket)
            for key, ticket in db.session.info.pop(_RESELECT_KEY, {}).items()
        }
        # The ticket, not its id: a new ticket gets its id at the commit's flush. A ticket
        # no longer open has nothing ahead: its timer goes.
        plans = []
        for ticket, at in touched:
            result = policies.refresh_sla(ticket, at, chosen.get(id(ticket)))
            plans.append((ticket, result.upcoming() if ticket.is_open else []))
    if plans:
        db.session.info[_PLANS_KEY] = plans


def schedule_timers(_sender, **kwargs) -> None:
    """After the commit: schedule the touched tickets' timers (Redis outages are logged
    and left to the reconciler by ``timers.schedule`` itself)."""
    plans = db.session.info.pop(_PLANS_KEY, None)
    if not plans:
        return
    try:
        timers.schedule([(ticket.id, moments) for ticket, moments in plans])
    except Exception:
        log.exception("SLA timers not scheduled (the reconciler will catch up)")


def forget_pending(_sender, **kwargs) -> None:
    db.session.info.pop(_RESELECT_KEY, None)
    db.session.info.pop(_PLANS_KEY, None)


def connect_signals() -> None:
    """Connect the SLA engine's receivers (idempotent)."""
    signals.ticket_changed.connect(mark_for_policy_selection)
    signals.unit_of_work_before_commit.connect(refresh_touched_tickets)
    signals.unit_of_work_committed.connect(schedule_timers)
    signals.unit_of_work_rolled_back.connect(forget_pending)
