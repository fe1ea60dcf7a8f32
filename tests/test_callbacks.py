"""Callbacks: a missed call is owed a call back; several missed calls from one number are one
callback; a later answered call closes it; staff close it with a note; nobody else sees it."""

import pytest
import sqlalchemy as sa

from helpdesk.calls.models import Callback
from helpdesk.extensions import db

TOKEN = "cti-shared-secret"
CALLER = "+919876543210"


@pytest.fixture
def cti(app, client):
    app.config["CTI_TOKEN"] = TOKEN

    def send(event: str, call_id: str, **fields):
        body = {
            "event": event,
            "call_id": call_id,
            "from": "098765 43210",
            "to": "08022223333",
            "direction": "in",
        } | fields
        response = client.post("/api/v1/cti/events", json=body, headers={"X-CTI-Token": TOKEN})
        assert response.status_code == 200, response.json
        return response

    return send


@pytest.fixture
def missed(cti):
    def miss(call_id: str, **fields):
        cti("newCall", call_id, **fields)
        cti("hangup", call_id, cause="no_answer", **fields)

    return miss


@pytest.fixture
def agent(make_user):
    return make_user("agent", name="Asha Agent")


@pytest.fixture
def staff_api(api_as, agent):
    return api_as(agent)


def callbacks() -> list[Callback]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Callback).order_by(Callback.id)))


def test_a_missed_call_becomes_a_callback_with_the_callers_context(
    missed, staff_api, make_block, make_ticket
):
    block = make_block(code="JH-KHUNTI", name="Khunti")
    ticket = make_ticket(
        block=block.code,
        subject="Loan papers for the goat unit",
        requester={"name": "Sunita Devi", "phone": "9876543210"},
    )
    missed("m-1")

    body = staff_api.get("/api/v1/callbacks").json
    assert body["total"] == 1 and body["page"] == 1
    [item] = body["items"]
    assert item["phone"] == CALLER
    assert item["status"] == "open"
    assert item["missed_calls"] == 1
    assert item["caller_name"] == "Sunita Devi"
    assert item["block"] == "JH-KHUNTI"
    assert [t["number"] for t in item["open_tickets"]] == [ticket.number]
    assert item["new_ticket_url"] == "/tickets/new?phone=%2B919876543210"


def test_two_missed_calls_from_one_number_make_one_callback_counting_two(missed, staff_api):
    missed("m-1")
    missed("m-2")
    missed("m-other", **{"from": "+919000000001"})

    items = staff_api.get("/api/v1/callbacks").json["items"]
    assert [(c["phone"], c["missed_calls"]) for c in items] == [
        (CALLER, 2),
        ("+919000000001", 1),
    ]
    first = callbacks()[0]
    assert first.last_call.call_id == "m-2"
    assert first.last_missed_at >= first.first_missed_at


def test_a_repeated_hangup_counts_once(missed, cti):
    missed("m-1")
    cti("hangup", "m-1", cause="no_answer")
    assert [c.missed_calls for c in callbacks()] == [1]


def test_answered_and_outgoing_calls_make_no_callback(cti, agent):
    cti("newCall", "a-1")
    cti("answer", "a-1", user=agent.email)
    cti("hangup", "a-1")
    cti("newCall", "o-1", direction="out", to="9876543210", **{"from": "08022223333"})
    cti("hangup", "o-1", direction="out", to="9876543210", **{"from": "08022223333"})
    assert callbacks() == []


@pytest.mark.parametrize("direction", ["in", "out"])
def test_a_later_answered_call_with_the_number_closes_the_callback(
    missed, cti, agent, staff_api, direction
):
    missed("m-1")
    missed("m-2")
    fields = {"direction": "out", "from": "08022223333", "to": "9876543210"}
    fields = fields if direction == "out" else {}
    cti("newCall", "back-1", **fields)
    cti("answer", "back-1", user=agent.email, **fields)

    assert staff_api.get("/api/v1/callbacks").json["items"] == []
    [callback] = callbacks()
    assert callback.status == "done"
    assert callback.closed_by_call.call_id == "back-1"
    assert callback.done_by_id == agent.id
    assert "answered by Asha Agent" in callback.note
    # The next missed call owes a new callback.
    missed("m-3")
    assert [(c.status, c.missed_calls) for c in callbacks()] == [("done", 2), ("open", 1)]


def test_done_needs_a_note(missed, staff_api, agent):
    missed("m-1")
    [callback] = callbacks()
    url = f"/api/v1/callbacks/{callback.id}/done"
    for body in ({}, {"note": ""}, {"note": "   "}, {"note": 5}):
        response = staff_api.post(url, json=body)
        assert response.status_code == 422, body
        assert "note" in response.json["error"]["fields"]
    assert callbacks()[0].status == "open"

    response = staff_api.post(url, json={"note": "Called back: she will come to the BRC."})
    assert response.status_code == 200
    assert response.json["status"] == "done"
    assert response.json["note"] == "Called back: she will come to the BRC."
    assert response.json["done_by"] == {"id": agent.id, "name": "Asha Agent"}
    assert staff_api.get("/api/v1/callbacks").json["total"] == 0

    again = staff_api.post(url, json={"note": "twice"})
    assert again.status_code == 409
    assert callbacks()[0].note == "Called back: she will come to the BRC."
    assert staff_api.post("/api/v1/callbacks/999999/done", json={"note": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["brc", "mentor"])
def test_brc_staff_and_mentors_never_see_callbacks(missed, api_as, make_user, role):
    missed("m-1")
    [callback] = callbacks()
    api = api_as(make_user(role))
    listing = api.get("/api/v1/callbacks")
    assert listing.status_code == 403
    assert CALLER not in listing.get_data(as_text=True)
    done = api.post(f"/api/v1/callbacks/{callback.id}/done", json={"note": "done"})
    assert done.status_code == 403
    assert callbacks()[0].status == "open"


def test_callbacks_are_oldest_first_and_paged(missed, staff_api):
    for n in range(3):
        missed(f"m-{n}", **{"from": f"+91900000000{n}"})
    body = staff_api.get("/api/v1/callbacks?per_page=2&page=2").json
    assert body["total"] == 3 and [c["phone"] for c in body["items"]] == ["+919000000002"]
    first = staff_api.get("/api/v1/callbacks?per_page=2").json["items"]
    assert [c["phone"] for c in first] == ["+919000000000", "+919000000001"]
    assert staff_api.get("/api/v1/callbacks?per_page=500").status_code == 422


def test_staff_consoles_hear_callbacks_open_and_close_others_do_not(
    missed, staff_api, console_client, make_user, agent
):
    staff = console_client(make_user("manager"))
    brc, mentor = console_client(make_user("brc")), console_client(make_user("mentor"))

    missed("m-1")
    missed("m-2")
    [callback] = callbacks()
    staff_api.post(f"/api/v1/callbacks/{callback.id}/done", json={"note": "Rang back"})

    heard = staff.received("callback.updated", until=lambda p: p["status"] == "done")
    assert [(p["missed_calls"], p["status"]) for p in heard] == [
        (1, "open"),
        (2, "open"),
        (2, "done"),
    ]
    for listener in (brc, mentor):
        assert listener.received("callback.updated", wait=0.7) == []


def test_the_console_lists_callbacks_for_staff_only(missed, client, login_as, make_user):
    missed("m-1")
    login_as(make_user("agent"))
    page = client.get("/console").get_data(as_text=True)
    assert 'id="callback-data"' in page and CALLER in page
    client.post("/logout")
    login_as(make_user("mentor"))
    page = client.get("/console").get_data(as_text=True)
    assert "callback-data" not in page and CALLER not in page
