"""How calls and SMS follow ticket changes. Connected once by ``create_app``."""

from helpdesk import signals
from helpdesk.calls.sms import queue_reply, queue_text
from helpdesk.satisfaction.services import rating_of, sms_question
from helpdesk.tickets.unit_of_work import is_historical


def text_staff_reply(ticket, *, message, staff_reply: bool = False, **kwargs) -> None:
    """A staff member's public reply on an SMS ticket goes back as a text: queued in the
    reply's transaction, sent by the ``sms.send`` job after the commit."""
    if staff_reply and ticket.channel == "sms":
        queue_reply(ticket, message)


def ask_for_rating(ticket, *, new: str, **kwargs) -> None:
    """A ticket just resolved: its requester, when their number is confirmed, is asked by
    SMS to rate it ("reply 1 to 5"); BRC staff rate on the portal instead. Not for imported
    history, nor for a ticket rated before it was reopened."""
    if new != "resolved" or is_historical() or ticket.id is None:
        return
    if rating_of(ticket) is None:
        queue_text(ticket, sms_question(ticket))


def connect_signals() -> None:
    signals.message_added.connect(text_staff_reply)
    signals.status_changed.connect(ask_for_rating)
