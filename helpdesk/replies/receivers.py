"""How canned responses reach tickets. Connected once by ``create_app``."""

from helpdesk import signals
from helpdesk.errors import DomainError
from helpdesk.replies import services


def filled_response(ticket, *, response_id: int, author, **kwargs) -> str | None:
    """``"response": <id>`` on a message: the response filled in for the ticket, counted;
    None when the author has no such response to use."""
    if author is None:
        return None
    try:
        response = services.response_or_404(author, response_id)
    except DomainError:
        return None
    return services.use_response(response, ticket, author)


def ticket_page_picker(ticket, *, viewer, **kwargs) -> dict:
    """The reply box's response picker, for those who use responses."""
    return {"responses_picker": viewer.role in services.RESPONSE_ROLES}


def connect_signals() -> None:
    signals.response_requested.connect(filled_response)
    signals.ticket_page.connect(ticket_page_picker)
