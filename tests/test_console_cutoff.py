"""When access changes, open consoles follow at once (real server, python-socketio clients):
a deactivated user's sockets are closed within 5 seconds and hear nothing more; a user moved
to another block hears that block only; a mentor re-escalated away from a ticket leaves its
viewer room."""

import time

import pytest
import socketio
import sqlalchemy as sa

from helpdesk.console import connections, presence, viewers
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

CUT_OFF_SECONDS = 5.0


@pytest.fixture(autouse=True)
def _fresh_registries(app):
    for registry in (presence, viewers, connections):
        registry.reset()
    yield
    for registry in (presence, viewers, connections):
        registry.reset()


def _disconnected_within(console, seconds: float) -> float | None:
    """Seconds until ``console`` was disconnected by the server, or None if it was not."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if not console.sio.connected:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def _ticket_events(console, name: str, ticket_id: int) -> list[dict]:
    return [p for n, p in console.events if n == name and p.get("id") == ticket_id]


def test_a_deactivated_users_console_is_closed_within_5_seconds_and_hears_nothing_more(
    console_client, api_as, make_user, make_block, make_ticket
):
    admin = api_as(make_user("admin"))
    agent = make_user("agent", name="Leaving Agent")
    colleague = make_user("agent")
    block = make_block()
    leaving = console_client(agent)
    second_tab = console_client(agent)
    staying = console_client(colleague)
    first = make_ticket(actor=colleague, block=block.code)
    for console in (leaving, second_tab, staying):
        assert console.received("ticket.created", until=lambda p: p["id"] == first.id)

    res = admin.patch(f"/api/v1/users/{agent.id}", json={"active": False})
    assert res.status_code == 200
    for console in (leaving, second_tab):
        took = _disconnected_within(console, CUT_OFF_SECONDS)
        assert took is not None, "the deactivated user's socket is still open"

    heard_before = len(leaving.received("ticket.created", wait=0))
    later = make_ticket(actor=colleague, block=block.code)
    assert staying.received("ticket.created", until=lambda p: p["id"] == later.id)
    time.sleep(0.5)  # every chance for a wrongly delivered event to arrive
    assert len(leaving.received("ticket.created", wait=0)) == heard_before
    assert _ticket_events(second_tab, "ticket.created", later.id) == []
    assert connections.sockets_of(agent.id) == []

    # Their token is gone: a reconnect is refused.
    with pytest.raises(socketio.exceptions.ConnectionError):
        leaving.connect()


def test_a_user_moved_to_another_block_hears_only_the_new_block(
    console_client, api_as, make_user, make_block, make_ticket
):
    admin = api_as(make_user("admin"))
    old_block, new_block = make_block(), make_block()
    brc = make_user("brc", block=old_block)
    console = console_client(brc)
    res = admin.patch(f"/api/v1/users/{brc.id}", json={"block": new_block.code})
    assert res.status_code == 200

    agent = make_user("agent")
    in_new = make_ticket(actor=agent, block=new_block.code)
    in_old = make_ticket(actor=agent, block=old_block.code)
    assert console.received("ticket.created", until=lambda p: p["id"] == in_new.id)
    time.sleep(0.5)
    assert _ticket_events(console, "ticket.created", in_old.id) == []
    assert console.sio.connected  # moved, not cut off


def test_an_agent_made_brc_staff_stops_hearing_every_ticket(
    console_client, api_as, make_user, make_block, make_ticket
):
    admin = api_as(make_user("admin"))
    block, elsewhere = make_block(), make_block()
    agent = make_user("agent")
    console = console_client(agent)
    viewing = make_ticket(block=elsewhere.code)
    assert console.emit("ticket.view", {"ticket_id": viewing.id})["ok"] is True

    res = admin.patch(f"/api/v1/users/{agent.id}", json={"role": "brc", "block": block.code})
    assert res.status_code == 200
    other = make_ticket(block=elsewhere.code)
    own = make_ticket(block=block.code)
    assert console.received("ticket.created", until=lambda p: p["id"] == own.id)
    time.sleep(0.5)
    assert _ticket_events(console, "ticket.created", other.id) == []
    # Nor is it still listed on (or told about) the ticket it had open.
    assert viewers.viewers(viewing.id) == ([], [])
    assert console.emit("ticket.typing", {"ticket_id": viewing.id, "typing": True}) == {
        "error": "not_viewing"
    }


def test_a_mentor_re_escalated_away_leaves_the_tickets_viewer_room(
    console_client, api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    agent = make_user("agent", name="Asha")
    # Neither mentor covers Jharkhand: each sees the ticket only while it is escalated to them.
    first = make_user("mentor", name="Meera", states=["IN-KL"])
    second = make_user("mentor", name="Mohan", states=["IN-KL"])
    ticket = make_ticket(actor=agent, block=block.code)
    api = api_as(agent)
    escalate = f"/api/v1/tickets/{ticket.id}/escalate"
    assert api.post(escalate, json={"mentor": first.id, "reason": "MoU"}).status_code == 200

    agent_console, first_console = console_client(agent), console_client(first)
    assert agent_console.emit("ticket.view", {"ticket_id": ticket.id})["ok"] is True
    assert first_console.emit("ticket.view", {"ticket_id": ticket.id})["ok"] is True
    both = [{"id": agent.id, "name": "Asha"}, {"id": first.id, "name": "Meera"}]
    assert agent_console.received("ticket.viewing", until=lambda p: p["viewers"] == both)

    assert api.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "open"}).status_code == 200
    assert api.post(escalate, json={"mentor": second.id, "reason": "Loans"}).status_code == 200

    # The room hears that the first mentor is gone...
    only_agent = [{"id": agent.id, "name": "Asha"}]
    assert agent_console.received("ticket.viewing", until=lambda p: p["viewers"] == only_agent)

    # The reopening reached the first mentor (still the ticket's mentor then) on their own
    # socket, which may lag behind the agent's: count only once it has arrived.
    def reopened(payload):
        return payload.get("id") == ticket.id and payload["status"] == "open"

    assert any(map(reopened, first_console.received("ticket.updated", until=reopened)))
    heard = len(first_console.received("ticket.viewing", wait=0))
    updates = len(_ticket_events(first_console, "ticket.updated", ticket.id))
    # ...and the first mentor hears nothing more about who views or types on it.
    second_console = console_client(second)
    assert second_console.emit("ticket.view", {"ticket_id": ticket.id})["ok"] is True
    agent_console.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True})
    assert agent_console.received("ticket.viewing", until=lambda p: p["typing"] == [agent.id])
    api.post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Any news?", "internal": True})
    assert agent_console.received("ticket.updated", until=lambda p: p["id"] == ticket.id)
    time.sleep(0.5)
    assert len(first_console.received("ticket.viewing", wait=0)) == heard
    assert len(_ticket_events(first_console, "ticket.updated", ticket.id)) == updates
    assert first_console.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True}) == {
        "error": "not_viewing"
    }
    assert first_console.emit("ticket.view", {"ticket_id": ticket.id}) == {"error": "not_found"}


def test_a_mentor_opening_a_ticket_as_it_is_re_escalated_away_is_not_left_viewing(
    console_client, api_as, make_user, make_block, make_ticket, monkeypatch
):
    block = make_block(state="IN-JH")
    agent = make_user("agent")
    first = make_user("mentor", states=["IN-KL"])
    second = make_user("mentor", states=["IN-KL"])
    ticket = make_ticket(actor=agent, block=block.code)
    escalate = f"/api/v1/tickets/{ticket.id}/escalate"
    assert (
        api_as(agent).post(escalate, json={"mentor": first.id, "reason": "MoU"}).status_code == 200
    )
    register = viewers.view

    def re_escalated_meanwhile(sid, user_id, ticket_id):
        # The re-escalation commits, and re-checks the viewers, after the socket's access
        # check but before the socket is registered as a viewer.
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(Ticket).where(Ticket.id == ticket_id).values(mentor_id=second.id)
            )
        register(sid, user_id, ticket_id)

    monkeypatch.setattr(viewers, "view", re_escalated_meanwhile)
    first_console = console_client(first)
    assert first_console.emit("ticket.view", {"ticket_id": ticket.id}) == {"error": "not_found"}
    assert viewers.sockets(ticket.id) == {}
    assert first_console.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True}) == {
        "error": "not_viewing"
    }


def test_a_mentor_who_still_covers_the_state_keeps_viewing_after_re_escalation(
    console_client, api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    agent = make_user("agent")
    first = make_user("mentor", name="Meera", states=["IN-JH"])
    second = make_user("mentor", states=["IN-KL"])
    ticket = make_ticket(actor=agent, block=block.code)
    api = api_as(agent)
    escalate = f"/api/v1/tickets/{ticket.id}/escalate"
    assert api.post(escalate, json={"mentor": first.id, "reason": "MoU"}).status_code == 200
    first_console = console_client(first)
    assert first_console.emit("ticket.view", {"ticket_id": ticket.id})["ok"] is True
    assert api.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "open"}).status_code == 200
    assert api.post(escalate, json={"mentor": second.id, "reason": "Loans"}).status_code == 200
    assert first_console.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True})["ok"]
    assert viewers.viewers(ticket.id) == ([first.id], [first.id])


def test_brc_staff_viewing_a_ticket_moved_to_another_block_leave_its_room(
    console_client, make_user, make_block, make_ticket
):
    from helpdesk.tickets.services import record_event, unit_of_work

    home, other = make_block(), make_block()
    brc = make_user("brc", block=home)
    ticket = make_ticket(actor=make_user("agent"), block=home.code)
    console = console_client(brc)
    assert console.emit("ticket.view", {"ticket_id": ticket.id})["ok"] is True

    with unit_of_work():  # triage moves it to the right block (as PATCH "block" will)
        record_event(ticket, None, "block", home.code, other.code)
        ticket.block = other

    deadline = time.monotonic() + 3
    while viewers.viewers(ticket.id) != ([], []) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert viewers.viewers(ticket.id) == ([], [])
    assert console.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True}) == {
        "error": "not_viewing"
    }
