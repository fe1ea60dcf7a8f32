"""How the knowledge base follows tickets, and its panel on the ticket page. Connected
once by ``create_app``."""

from helpdesk import jobs, signals
from helpdesk.knowledge.queries import for_ticket

SOLVED_STATUSES = frozenset({"resolved", "closed"})


def index_solved_ticket(ticket, *, old: str, new: str, **kwargs) -> None:
    """Solved tickets' answers are searchable; a reopened one leaves the index (the job is
    an outbox row of the same transaction)."""
    if SOLVED_STATUSES & {old, new}:
        jobs.enqueue("kb.index_ticket", ticket.id)


def ticket_page_panel(ticket, *, viewer, **kwargs) -> dict:
    """Suggested and used articles on the ticket page (``queries.for_ticket``)."""
    return for_ticket(ticket, viewer)


def connect_signals() -> None:
    signals.status_changed.connect(index_solved_ticket)
    signals.ticket_page.connect(ticket_page_panel)
