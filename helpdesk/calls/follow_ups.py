"""First-contact resolution needs to know whether a requester came back after a call. That is
recorded when it happens, on the earlier calls themselves (``Call.followed_up_at``), so the
call report reads one column instead of searching every later call and reply per call.

A requester comes back on a ticket when a later inbound call is logged on it, or when a
public reply from the requester's side (the caller by SMS, e-mail or phone, or their BRC
staff) is added to it. Only inbound calls of that ticket that started before are marked,
each once: the first time they were followed up.
"""

from datetime import datetime

import sqlalchemy as sa

from helpdesk.calls.models import Call
from helpdesk.extensions import db


def mark_calls_followed_up(ticket_id: int, at: datetime, *, except_call: int | None = None) -> None:
    """Inside the current transaction: the inbound calls on ``ticket_id`` that started
    before ``at`` and were not followed up yet were followed up at ``at``."""
    statement = (
        sa.update(Call)
        .where(
            Call.ticket_id == ticket_id,
            Call.direction == "in",
            Call.started_at < at,
            Call.followed_up_at.is_(None),
        )
        .values(followed_up_at=at)
        .execution_options(synchronize_session=False)
    )
    if except_call is not None:
        statement = statement.where(Call.id != except_call)
    db.session.execute(statement)


def requester_came_back(
    ticket, *, message, internal: bool = False, automatic: bool = False, **kwargs
) -> None:
    """Receiver of ``signals.message_added``: a public reply from the requester's side marks
    the ticket's earlier calls as followed up."""
    if internal or automatic or not message.from_requester_side:
        return
    mark_calls_followed_up(ticket.id, message.created_at)
