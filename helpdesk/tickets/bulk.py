"""Bulk changes from the queue: one change applied to many tickets, each through
``services.update_ticket`` so every ticket gets its own audit event and its own rules.

A ticket the user may not see, or may not change that way (a closed ticket, a role without
the field), is skipped with the reason, and nothing is written for it; the others change.
"""

from dataclasses import dataclass, field

from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.errors import DomainError, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import TicketUpdate

MAX_TICKETS = 200


@dataclass
class BulkResult:
    changed: list[Ticket] = field(default_factory=list)
    #: already as asked: nothing to write
    unchanged: list[Ticket] = field(default_factory=list)
    #: ticket id → why it was left alone (the service's refusal; pages translate it)
    skipped: dict[int, DomainError] = field(default_factory=dict)


def apply_to_tickets(user: User, ticket_ids: list[int], change: TicketUpdate) -> BulkResult:
    """Apply ``change`` (status and/or assignee) to each ticket, each in its own
    transaction."""
    if not ticket_ids:
        raise ValidationFailed(N_("Select at least one ticket."), {"ticket": N_("none selected")})
    if len(ticket_ids) > MAX_TICKETS:
        raise ValidationFailed(N_("Too many tickets."), {"ticket": f"at most {MAX_TICKETS}"})
    access.require_editable(user, set(change.model_fields_set))
    result = BulkResult()
    for ticket_id in dict.fromkeys(ticket_ids):
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None or not access.can_view(user, ticket):
            result.skipped[ticket_id] = NotFound(N_("no such ticket"))
            continue
        if _already(ticket, change):
            result.unchanged.append(ticket)
            continue
        try:
            services.update_ticket(ticket, user, change)
        except DomainError as exc:
            result.skipped[ticket_id] = exc
        else:
            result.changed.append(ticket)
    return result


def _already(ticket: Ticket, change: TicketUpdate) -> bool:
    sent = change.model_fields_set
    return ("status" not in sent or change.status == ticket.status) and (
        "assignee" not in sent or change.assignee == ticket.assignee_id
    )
