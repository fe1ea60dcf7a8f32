"""The rating card on the ticket page. Connected once by ``create_app``."""

from helpdesk import signals
from helpdesk.satisfaction.services import may_rate, rating_of


def ticket_page_panel(ticket, *, viewer, **kwargs) -> dict:
    """BRC staff of the block get a one-tap 1-5 form on a finished ticket nobody rated;
    everyone who may see the ticket sees the rating once given."""
    if ticket.status not in ("resolved", "closed"):
        return {}
    return {"satisfaction": {"may_rate": may_rate(viewer, ticket), "rating": rating_of(ticket)}}


def connect_signals() -> None:
    signals.ticket_page.connect(ticket_page_panel)
