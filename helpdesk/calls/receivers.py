"""How calls and SMS follow ticket changes. Connected once by ``create_app``."""

import sqlalchemy as sa

from helpdesk import signals
from helpdesk.calls.follow_ups import requester_came_back
from helpdesk.calls.models import Call, SmsMessage
from helpdesk.calls.sms import queue_reply, queue_text
from helpdesk.extensions import db
from helpdesk.satisfaction.services import rating_of, sms_question
from helpdesk.tickets.unit_of_work import is_historical
from helpdesk.timeutil import as_ist

#: calls the enterprise page lists
ENTERPRISE_CALLS_SHOWN = 20


def text_staff_reply(ticket, *, message, staff_reply: bool = False, **kwargs) -> None:
    """A staff member's public reply on an SMS ticket goes back as a text: queued in the
    reply's transaction, sent by the ``sms.send`` job after the commit."""
    if staff_reply and ticket.channel == "sms":
        queue_reply(ticket, message)


def move_to_merged_target(source, *, target, **kwargs) -> None:
    """A merged duplicate's calls and texts belong to the ticket it was merged into."""
    for model in (Call, SmsMessage):
        db.session.execute(
            sa.update(model)
            .where(model.ticket_id == source.id)
            .values(ticket_id=target.id)
            .execution_options(synchronize_session="fetch")
        )


def enterprise_calls(enterprise, *, viewer, ticket_ids, **kwargs) -> dict:
    """The calls logged on an enterprise's tickets, for its page: the latest ones, and a
    count per month (UTC) for its chart."""
    if viewer.role == "brc" or not ticket_ids:
        return {"enterprise_calls": [], "calls_by_month": {}}
    calls = list(
        db.session.scalars(
            sa.select(Call).where(Call.ticket_id.in_(ticket_ids)).order_by(Call.started_at.desc())
        )
    )
    by_month: dict[str, int] = {}
    for call in calls:
        key = as_ist(call.started_at).strftime("%Y-%m")
        by_month[key] = by_month.get(key, 0) + 1
    return {"enterprise_calls": calls[:ENTERPRISE_CALLS_SHOWN], "calls_by_month": by_month}


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
    signals.tickets_merged.connect(move_to_merged_target)
    signals.enterprise_page.connect(enterprise_calls)
    signals.status_changed.connect(ask_for_rating)
    signals.message_added.connect(requester_came_back)
