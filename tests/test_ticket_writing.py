"""New tickets and events are written with Core INSERTs (``helpdesk.tickets.writing``); a row
that only the ORM's flush can write (a default read from the INSERT's context) is left to it."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from helpdesk.tickets.writing import _row
from helpdesk.timeutil import UTCDateTime, utcnow


class _Base(DeclarativeBase):
    pass


class _Note(_Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="plain")
    at = mapped_column(UTCDateTime(), default=utcnow)
    #: a default that reads the statement being executed
    echo: Mapped[str] = mapped_column(
        sa.String(20), default=lambda context: context.get_current_parameters()["kind"]
    )


def test_defaults_a_core_insert_can_compute_are_filled_in():
    note = _Note(echo="given")
    row = _row(note)
    assert row is not None and row["kind"] == "plain" and row["echo"] == "given"
    assert row["at"] is not None and note.at == row["at"]  # the instance is given them too


def test_a_default_that_needs_the_statements_context_leaves_the_row_to_the_flush():
    assert _row(_Note()) is None
