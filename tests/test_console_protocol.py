"""The /console socket protocol against a real server: presence, who is viewing a ticket,
who is typing. A socket learns about a ticket's viewers only if its user may see the
ticket; presence is the call-centre's business, not BRC staff's."""

import time

import pytest

from helpdesk.console import presence, viewers


@pytest.fixture(autouse=True)
def _fresh_registries(app):
    presence.reset()
    viewers.reset()
    yield
    presence.reset()
    viewers.reset()


def _next(client, name: str, *, after: int, wait: float = 3.0) -> dict:
    """The first ``name`` event after the ``after`` already received."""
    deadline = time.monotonic() + wait
    while len(got := client.received(name, wait=0)) <= after and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(got) > after, f"no new {name} event"
    return got[after]


def _about(user):
    return lambda payload: payload["user"]["id"] == user.id


def test_staff_hear_colleagues_come_online_go_away_and_leave(console_client, make_user):
    watcher = console_client(make_user("agent"))
    colleague = make_user("agent", name="Rekha Kumari")
    socket = console_client(colleague)

    def statuses_heard(until_status: str) -> list[str]:
        got = watcher.received(
            "presence", until=lambda p: _about(colleague)(p) and p["status"] == until_status
        )
        return [p["status"] for p in got if _about(colleague)(p)]

    assert statuses_heard("online") == ["online"]
    assert watcher.received("presence", until=_about(colleague))[-1] == {
        "user": {"id": colleague.id, "name": "Rekha Kumari", "role": "agent"},
        "status": "online",
    }

    assert socket.emit("presence.set", {"status": "away"}) == {"ok": True, "status": "away"}
    assert statuses_heard("away") == ["online", "away"]

    socket.close()
    assert statuses_heard("offline") == ["online", "away", "offline"]


def test_a_connecting_console_is_not_told_of_its_own_arrival(console_client, make_user):
    """Socket.IO clients expect the connect answer before any event: the arrival goes to
    the colleagues only (a raw-protocol client refused the namespace otherwise)."""
    agent = make_user("agent")
    watcher = console_client(make_user("agent"))
    socket = console_client(agent)
    assert watcher.received("presence", until=_about(agent))
    assert [p for p in socket.received("presence", wait=0.5) if _about(agent)(p)] == []


def test_presence_set_accepts_only_online_or_away(console_client, make_user):
    socket = console_client(make_user("agent"))
    for bad in ({"status": "offline"}, {"status": "busy"}, {}, ["away"], None):
        assert socket.emit("presence.set", bad)["error"] == "invalid", bad
    assert presence.statuses() and set(presence.statuses().values()) == {"online"}


def test_presence_list_names_staff_and_mentors_not_offline(console_client, make_user):
    asker = make_user("agent", name="Asha")
    mentor = make_user("mentor", name="Meera", states=["IN-JH"])
    away = make_user("manager", name="Mohan")
    gone = make_user("agent", name="Gone Agent")
    brc = make_user("brc", name="Bina")
    socket = console_client(asker)
    console_client(mentor)
    console_client(brc)
    console_client(away).emit("presence.set", {"status": "away"})
    console_client(gone).close()

    answer = socket.emit("presence.list")

    assert answer["ok"] is True
    assert [(u["name"], u["role"], u["status"]) for u in answer["users"]] == [
        ("Asha", "agent", "online"),
        ("Meera", "mentor", "online"),
        ("Mohan", "manager", "away"),
    ]


@pytest.mark.parametrize("role", ["brc", "mentor"])
def test_presence_list_is_refused_to_brc_staff_and_mentors(console_client, make_user, role):
    console_client(make_user("agent"))
    socket = console_client(
        make_user(role, states=["IN-JH"]) if role == "mentor" else make_user(role)
    )
    assert socket.emit("presence.list") == {"error": "forbidden"}


def test_brc_staff_do_not_hear_presence(console_client, make_user):
    brc = console_client(make_user("brc"))
    console_client(make_user("agent"))
    assert brc.received("presence", wait=0.7) == []


def test_viewers_see_each_other_and_who_is_typing(console_client, make_user, make_ticket):
    asha, ravi = make_user("agent", name="Asha"), make_user("agent", name="Ravi")
    ticket = make_ticket(actor=asha)
    first, second = console_client(asha), console_client(ravi)

    ack = first.emit("ticket.view", {"ticket_id": ticket.id})
    assert ack == {
        "ok": True,
        "ticket_id": ticket.id,
        "viewers": [{"id": asha.id, "name": "Asha"}],
        "typing": [],
    }
    second.emit("ticket.view", {"ticket_id": ticket.id})
    both = [{"id": asha.id, "name": "Asha"}, {"id": ravi.id, "name": "Ravi"}]
    got = first.received("ticket.viewing", until=lambda p: p["viewers"] == both)
    assert got[-1] == {"ticket_id": ticket.id, "viewers": both, "typing": []}

    assert second.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True}) == {"ok": True}
    got = first.received("ticket.viewing", until=lambda p: p["typing"] == [ravi.id])
    assert got[-1]["typing"] == [ravi.id]
    seen = len(first.received("ticket.viewing", wait=0))
    second.emit("ticket.typing", {"ticket_id": ticket.id, "typing": False})
    assert _next(first, "ticket.viewing", after=seen)["typing"] == []

    # Closing the console (or the tab) takes Ravi off the ticket.
    seen = len(first.received("ticket.viewing", wait=0))
    second.close()
    assert _next(first, "ticket.viewing", after=seen)["viewers"] == [
        {"id": asha.id, "name": "Asha"}
    ]
    assert viewers.viewers(ticket.id) == ([asha.id], [])


def test_leaving_a_ticket_stops_typing_and_tells_the_room(console_client, make_user, make_ticket):
    asha, ravi = make_user("agent"), make_user("agent")
    ticket = make_ticket(actor=asha)
    first, second = console_client(asha), console_client(ravi)
    first.emit("ticket.view", {"ticket_id": ticket.id})
    second.emit("ticket.view", {"ticket_id": ticket.id})
    seen = len(first.received("ticket.viewing", until=lambda p: len(p["viewers"]) == 2))

    assert second.emit("ticket.leave", {"ticket_id": ticket.id}) == {"ok": True}
    assert [v["id"] for v in _next(first, "ticket.viewing", after=seen)["viewers"]] == [asha.id]
    assert second.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True}) == {
        "error": "not_viewing"
    }
    assert second.emit("ticket.leave", {"ticket_id": ticket.id}) == {"error": "not_viewing"}


def test_typing_needs_a_viewed_ticket_and_a_boolean(console_client, make_user, make_ticket):
    agent = make_user("agent")
    ticket, other = make_ticket(actor=agent), make_ticket(actor=agent)
    socket = console_client(agent)
    socket.emit("ticket.view", {"ticket_id": ticket.id})
    assert socket.emit("ticket.typing", {"ticket_id": other.id, "typing": True}) == {
        "error": "not_viewing"
    }
    for bad in (
        {"ticket_id": ticket.id, "typing": "yes"},
        {"ticket_id": ticket.id},
        {"ticket_id": str(ticket.id), "typing": True},
        "typing",
    ):
        assert socket.emit("ticket.typing", bad)["error"] == "invalid", bad
    assert viewers.viewers(ticket.id) == ([agent.id], [])


def test_brc_staff_view_their_blocks_ticket(console_client, make_user, make_block, make_ticket):
    block = make_block()
    brc = make_user("brc", block=block, name="Bina")
    ticket = make_ticket(actor=make_user("agent"), block=block.code)
    ack = console_client(brc).emit("ticket.view", {"ticket_id": ticket.id})
    assert ack["ok"] is True and ack["viewers"] == [{"id": brc.id, "name": "Bina"}]


def test_someone_who_cannot_see_a_ticket_cannot_view_it_or_learn_its_viewers(
    console_client, make_user, make_block, make_ticket
):
    home, other = make_block(state="IN-JH"), make_block(state="IN-JH")
    agent = make_user("agent")
    ticket = make_ticket(actor=agent, block=home.code)
    outsiders = {
        "brc of another block": console_client(make_user("brc", block=other)),
        "mentor of another state": console_client(make_user("mentor", states=["IN-KL"])),
    }
    for who, socket in outsiders.items():
        assert socket.emit("ticket.view", {"ticket_id": ticket.id}) == {"error": "not_found"}, who
        # exactly what a ticket that does not exist answers
        assert socket.emit("ticket.view", {"ticket_id": ticket.id + 999}) == {"error": "not_found"}
        assert socket.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True}) == {
            "error": "not_viewing"
        }, who

    viewer = console_client(agent)
    viewer.emit("ticket.view", {"ticket_id": ticket.id})
    viewer.emit("ticket.typing", {"ticket_id": ticket.id, "typing": True})
    assert viewer.received("ticket.viewing", until=lambda p: p["typing"] == [agent.id])
    for who, socket in outsiders.items():
        assert socket.received("ticket.viewing", wait=0.5) == [], who
    assert viewers.viewers(ticket.id) == ([agent.id], [agent.id])


def test_a_mentor_of_the_tickets_state_may_view_it(
    console_client, make_user, make_block, make_ticket
):
    block = make_block(state="IN-KL", district="Palakkad")
    mentor = make_user("mentor", states=["IN-KL"])
    ticket = make_ticket(block=block.code)
    assert console_client(mentor).emit("ticket.view", {"ticket_id": ticket.id})["ok"] is True


def test_ticket_view_rejects_what_is_not_a_ticket_id(console_client, make_user):
    socket = console_client(make_user("agent"))
    for bad in ({"ticket_id": "1"}, {"ticket_id": True}, {"ticket_id": -3}, {}, [1], None):
        assert socket.emit("ticket.view", bad)["error"] == "invalid", bad


def test_without_gevents_patching_socketio_runs_in_threads(app):
    """gevent is installed for production's workers, but the embedded server, the tests and
    the RQ workers patch nothing: there Socket.IO must keep to threads, or its greenlets
    would never run."""
    from helpdesk.extensions import socketio

    assert socketio.server.eio.async_mode == "threading"
