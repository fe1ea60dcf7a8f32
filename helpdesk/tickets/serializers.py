"""Tickets as the contract returns them."""

from helpdesk import signals
from helpdesk.agents.access import may_write_internal_notes
from helpdesk.agents.models import User
from helpdesk.tickets.models import Message, Ticket, TicketEvent
from helpdesk.timeutil import isoformat


def ticket_to_dict(ticket: Ticket, viewer: User | None, *, with_messages: bool = False) -> dict:
    return tickets_to_dicts([ticket], viewer, with_messages=with_messages)[0]


def tickets_to_dicts(
    tickets: list[Ticket], viewer: User | None, *, with_messages: bool = False
) -> list[dict]:
    """The tickets as the contract returns them, with what features add to each (the
    ``ticket-serialized`` signal: attachments), asked once for the whole list."""
    extras: dict[int, dict] = {}
    for _receiver, part in signals.ticket_serialized.send(None, tickets=tickets, viewer=viewer):
        for ticket_id, keys in (part or {}).items():
            extras.setdefault(ticket_id, {}).update(keys)
    return [
        _ticket_dict(t, viewer, with_messages=with_messages) | extras.get(t.id, {}) for t in tickets
    ]


def _ticket_dict(ticket: Ticket, viewer: User | None, *, with_messages: bool) -> dict:
    data = {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category.slug,
        "language": ticket.language,
        "channel": ticket.channel,
        "block": ticket.block.to_dict() if ticket.block else None,
        "requester": ticket.requester.to_dict() if ticket.requester else None,
        "assignee": ticket.assignee.to_summary() if ticket.assignee else None,
        "mentor": ticket.mentor.to_summary() if ticket.mentor else None,
        "created_at": isoformat(ticket.created_at),
        "updated_at": isoformat(ticket.updated_at),
        "sla": {
            "policy": ticket.sla_policy,
            "first_response_due": isoformat(ticket.first_response_due),
            "resolution_due": isoformat(ticket.resolution_due),
            "first_response_at": isoformat(ticket.first_response_at),
            "resolved_at": isoformat(ticket.resolved_at),
            "breached": list(ticket.sla_breached or []),
            "paused": ticket.status == "pending",
            "next_response_due": isoformat(ticket.next_response_due),
            "mentor_response_due": isoformat(ticket.mentor_response_due),
        },
    }
    if with_messages:
        data["messages"] = [message_to_dict(m) for m in visible_messages(ticket, viewer)]
    return data


def visible_messages(ticket: Ticket, viewer: User) -> list[Message]:
    """BRC staff never see internal notes."""
    if may_write_internal_notes(viewer):
        return list(ticket.messages)
    return [m for m in ticket.messages if not m.internal]


def message_to_dict(message: Message) -> dict:
    if message.author is not None:
        author = message.author.to_summary()
    elif message.contact is not None:
        author = {"contact_id": message.contact.id, "name": message.contact.name}
    else:
        author = None
    return {
        "id": message.id,
        "body": message.body,
        "internal": message.internal,
        "channel": message.channel,
        "automatic": message.automatic,
        "author": author,
        "created_at": isoformat(message.created_at),
    }


def visible_events(ticket: Ticket, viewer: User) -> list[TicketEvent]:
    """The audit trail; BRC staff do not learn that an internal note was written."""
    if may_write_internal_notes(viewer):
        return list(ticket.events)
    return [e for e in ticket.events if not _about_internal_note(e)]


def _about_internal_note(event: TicketEvent) -> bool:
    """A note written, or a file attached to a note (recorded with old value "internal")."""
    return (event.kind == "message" and event.new_value == "note") or (
        event.kind == "attachment" and event.old_value == "internal"
    )
