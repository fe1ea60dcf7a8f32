"""How a caller's tickets appear on a console: the screen-pop, the incoming-call toast and
the callback queue show the same summaries and links."""

from urllib.parse import urlencode

from flask import url_for

from helpdesk.tickets.models import Ticket


def ticket_summary(ticket: Ticket) -> dict:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "url": url_for("tickets.show", ticket_id=ticket.id),
    }


def new_ticket_url(phone: str) -> str:
    """The log-a-call form with the caller's number filled in (the form looks them up)."""
    return url_for("tickets.new") + "?" + urlencode({"phone": phone})
