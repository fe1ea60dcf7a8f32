"""New tickets and their audit events written with Core INSERTs at the commit of the
outermost unit of work, instead of by the ORM's flush.

Opening a ticket is the commonest write there is, and the ORM's flush of it (the unit of
work's dependency graph over the ticket's ten relationships, then two INSERTs) was about a
quarter of its CPU. Here each new ticket is one ``INSERT … RETURNING id`` with every column
already final (the SLA engine set its due dates before this runs: no UPDATE after), its
events one more (on PostgreSQL a ticket with one event, the usual case, is one statement
for both), and the session then takes both as loaded: nothing reads them back, and
whatever else is pending (a message, a notification naming the ticket) is flushed by the
commit as before, with the ticket's id.

A ticket opened inside a nested unit of work (imports, SMS and e-mail intake) was flushed
there already, so it is not new here and keeps the ORM path.

The session does not know such a ticket is new in its transaction: on a rollback it would
stay in the session, expired, with the key of a row that no longer exists (and SQLite gives
that id to the next ticket). So a rollback takes it out, as it does a new object; the same
goes for other rows written with Core in the unit of work (a new caller's contact), which
``remember_written`` notes.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient, make_transient_to_detached

from helpdesk.tickets.models import Ticket, TicketEvent

_WRITTEN_KEY = "tickets_written_by_core"

# Built once; the rows go in as execution parameters (building a statement around the
# values coerces each of them and costs more than the INSERT's own compiled form).
_INSERT_TICKET = sa.insert(Ticket.__table__).returning(Ticket.__table__.c.id)
_INSERT_EVENT = sa.insert(TicketEvent.__table__).returning(
    TicketEvent.__table__.c.id, sort_by_parameter_order=True
)


def _insert_ticket_with_event() -> sa.Insert:
    """``WITH new_ticket AS (INSERT INTO tickets … RETURNING id) INSERT INTO ticket_events
    … SELECT new_ticket.id, … RETURNING ticket_id, id``: a ticket and its one event in one
    round trip (PostgreSQL; SQLite has no INSERT in a WITH). Parameters: ``t_<column>`` for
    the ticket's, ``e_<column>`` for the event's."""
    tickets, events = Ticket.__table__, TicketEvent.__table__
    ticket_columns = [c for c in tickets.columns if not c.primary_key]
    event_columns = [c for c in events.columns if not c.primary_key and c.key != "ticket_id"]
    new_ticket = (
        sa.insert(tickets)
        .values({c.key: sa.bindparam(f"t_{c.key}", type_=c.type) for c in ticket_columns})
        .returning(tickets.c.id)
        .cte("new_ticket")
    )
    # Cast: in a SELECT list PostgreSQL would take an untyped parameter for text.
    event_values = [
        sa.cast(sa.bindparam(f"e_{c.key}", type_=c.type), c.type) for c in event_columns
    ]
    return (
        sa.insert(events)
        .from_select(
            [events.c.ticket_id, *event_columns], sa.select(new_ticket.c.id, *event_values)
        )
        .returning(events.c.ticket_id, events.c.id)
    )


_INSERT_TICKET_WITH_EVENT = _insert_ticket_with_event()


def inserts_in_with(session: Session) -> bool:
    """Whether the session's database takes an INSERT inside a WITH (PostgreSQL does,
    SQLite does not): a row and what depends on it can then be written in one statement."""
    return session.get_bind().dialect.name == "postgresql"


def write_new_tickets(session: Session) -> None:
    """Write the session's pending tickets and their pending events, each ticket in one
    INSERT; the session holds them afterwards as if they had been loaded."""
    # Core statements autoflush too: the ORM would write the pending ticket first.
    with session.no_autoflush:
        new_tickets = [obj for obj in session.new if type(obj) is Ticket]
        # In the order they were opened, as the flush would: their numbers follow it.
        for ticket in sorted(new_tickets, key=lambda t: sa.inspect(t).insert_order):
            events = [e for e in ticket.events if e in session.new]
            ticket_row = _row(ticket)
            event_rows = [_row(event, skip={"ticket_id"}) for event in events]
            if ticket_row is None or None in event_rows:
                continue  # names an object not written yet: the ORM's flush orders the INSERTs
            if len(events) == 1 and inserts_in_with(session):  # the usual "created" event
                parameters = {f"t_{key}": value for key, value in ticket_row.items()}
                parameters.update((f"e_{key}", value) for key, value in event_rows[0].items())
                ticket.id, events[0].id = session.execute(
                    _INSERT_TICKET_WITH_EVENT, parameters
                ).one()
                events[0].ticket_id = ticket.id
            else:
                ticket.id = session.scalar(_INSERT_TICKET, ticket_row)
                for event, row in zip(events, event_rows, strict=True):
                    row["ticket_id"] = event.ticket_id = ticket.id
                if len(event_rows) == 1:
                    events[0].id = session.scalar(_INSERT_EVENT, event_rows[0])
                elif event_rows:
                    ids = session.scalars(_INSERT_EVENT, event_rows).all()
                    for event, event_id in zip(events, ids, strict=True):
                        event.id = event_id
            # Written already: out of the session as new, back in as loaded (no flush writes
            # them again, and every column and the events collection read without a SELECT).
            session.expunge(ticket)  # cascades to its events (and any pending message)
            for instance in (ticket, *events):
                make_transient_to_detached(instance)
            session.add(ticket)
            remember_written(session, ticket, *events)


def remember_written(session: Session, *instances) -> None:
    """``instances`` were written by a Core INSERT in the current transaction and are in the
    session as if loaded: a rollback takes them out of it, as it does what the flush wrote."""
    session.info.setdefault(_WRITTEN_KEY, []).extend(instances)


def _row(instance, skip: frozenset[str] | set[str] = frozenset()) -> dict[str, Any] | None:
    """Every column of ``instance`` but its id, as the ORM's flush would write it: the keys
    of the objects it refers to, and column defaults for what was never set (which the
    instance is given too). None when it refers to an object that has no id yet, or when a
    default comes from the database or needs the statement's context (the flush writes it)."""
    mapper = sa.inspect(instance).mapper
    values = sa.inspect(instance).dict
    row: dict[str, Any] = {}
    for relationship in mapper.relationships:
        if relationship.direction.name != "MANYTOONE" or relationship.key not in values:
            continue
        target = values[relationship.key]
        for local, remote in relationship.local_remote_pairs:
            if local.key in skip:
                continue
            if target is None:
                row[local.key] = None
                continue
            value = getattr(target, remote.key)
            if value is None:
                return None
            row[local.key] = value
    for column in mapper.local_table.columns:
        key = column.key
        if column.primary_key or key in skip or key in row:
            continue
        if key in values:
            row[key] = values[key]
        else:
            default = column.default
            if default is None and column.server_default is not None:
                return None  # the database's default: only a flush reads it back
            if default is None:
                row[key] = None
            elif not default.is_callable:
                row[key] = default.arg
            elif hasattr(default.arg, "__wrapped__"):
                row[key] = default.arg(None)  # SQLAlchemy's wrapper of a no-argument function
            else:
                return None  # it reads the INSERT's execution context: only a flush has one
            setattr(instance, key, row[key])
    for key, value in row.items():  # the foreign keys, as the flush would have set them
        if key not in values:
            setattr(instance, key, value)
    return row


def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN_KEY, None)


def _unwrite(session: Session, previous_transaction) -> None:
    """Rolled back: the tickets written leave the session as new objects do."""
    if previous_transaction.parent is not None:  # a savepoint: the transaction goes on
        return
    for instance in session.info.pop(_WRITTEN_KEY, ()):
        if instance in session:
            session.expunge(instance)
        make_transient(instance)


sa.event.listen(Session, "after_commit", _forget_written)
sa.event.listen(Session, "after_soft_rollback", _unwrite)
