"""How calls and SMS follow ticket changes. Connected once by ``create_app``."""

from helpdesk import signals
from helpdesk.calls.follow_ups import requester_came_back
from helpdesk.calls.sms import queue_reply


def text_staff_reply(ticket, *, message, staff_reply: bool = False, **kwargs) -> None:
    """A staff member's public reply on an SMS ticket goes back as a text: queued in the
    reply's transaction, sent by the ``sms.send`` job after the commit."""
    if staff_reply and ticket.channel == "sms":
        queue_reply(ticket, message)


def connect_signals() -> None:
    signals.message_added.connect(text_staff_reply)
    signals.message_added.connect(requester_came_back)
