"""Domain signals: features hear about ticket changes only once they are committed, and a
rolled-back change announces nothing."""

import pytest
import sqlalchemy as sa

from helpdesk import signals
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import unit_of_work


class Recorder:
    """Connects to signals for one test and notes what arrived, with whether the ticket
    row was visible to another connection (i.e. committed) at that moment."""

    def __init__(self):
        self.calls: list[tuple[str, bool | None]] = []
        self.ticket_id: int | None = None
        self.connected: list[tuple] = []

    def listen(self, signal, name: str) -> None:
        def receiver(sender, **kwargs):
            if name == "ticket-created":
                self.ticket_id = sender.id
            self.calls.append((name, self._committed()))

        self.connected.append((signal, receiver))
        signal.connect(receiver)

    def _committed(self) -> bool | None:
        if self.ticket_id is None:
            return None
        with db.engine.connect() as other:
            found = other.execute(sa.select(Ticket.id).where(Ticket.id == self.ticket_id))
            return found.first() is not None

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def close(self) -> None:
        for signal, receiver in self.connected:
            signal.disconnect(receiver)


@pytest.fixture
def recorder(app):
    recorder = Recorder()
    recorder.listen(signals.ticket_created, "ticket-created")
    recorder.listen(signals.unit_of_work_before_commit, "before-commit")
    recorder.listen(signals.unit_of_work_committed, "committed")
    recorder.listen(signals.unit_of_work_rolled_back, "rolled-back")
    yield recorder
    recorder.close()


def test_ticket_created_is_sent_in_the_transaction_and_committed_after_the_commit(
    recorder, make_ticket
):
    ticket = make_ticket()

    # (then the in-process acknowledgement job runs a unit of work of its own)
    assert recorder.names()[:3] == ["ticket-created", "before-commit", "committed"]
    committed_then = dict(recorder.calls[:3])
    assert committed_then["ticket-created"] is False  # same transaction, not yet visible
    assert committed_then["before-commit"] is False
    assert committed_then["committed"] is True
    assert ticket.sla_policy == "Normal"  # the SLA engine chose the policy before the commit


def test_a_rolled_back_ticket_creation_sends_no_committed_signal(recorder, make_ticket):
    with pytest.raises(RuntimeError):
        with unit_of_work():
            make_ticket()
            raise RuntimeError("the caller failed after creating the ticket")

    assert recorder.names() == ["ticket-created", "rolled-back"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def test_a_rolled_back_ticket_creation_reaches_no_console(console_client, make_user, make_ticket):
    agent = make_user("agent")
    listener = console_client(agent)

    with pytest.raises(RuntimeError):
        with unit_of_work():
            make_ticket(actor=agent, subject="Never saved")
            raise RuntimeError("the caller failed after creating the ticket")
    assert listener.received("ticket.created", wait=0.7) == []

    saved = make_ticket(actor=agent, subject="Saved")
    [event] = listener.received("ticket.created")
    assert event["number"] == saved.number


def test_a_receiver_failing_after_the_commit_does_not_fail_the_change(
    app, make_ticket, monkeypatch, caplog
):
    from helpdesk.console import events

    def broken_emit(*args, **kwargs):
        raise ConnectionError("message queue unreachable")

    monkeypatch.setattr(events, "send_pending", broken_emit)
    ticket = make_ticket(subject="Kept although no console heard of it")

    assert db.session.get(Ticket, ticket.id) is not None
    assert "live console events not sent" in caplog.text
