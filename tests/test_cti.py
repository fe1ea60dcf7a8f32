"""Telephony (CTI) events: the shared secret, recording calls, idempotency, and the call
logged on the caller's ticket."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from helpdesk.calls.models import Call
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, TicketEvent

TOKEN = "cti-shared-secret"


@pytest.fixture
def cti(app, client):
    app.config["CTI_TOKEN"] = TOKEN

    def send(event: str, call_id: str = "c-1", *, token: str = TOKEN, **fields):
        body = {
            "event": event,
            "call_id": call_id,
            "from": "09876543210",
            "to": "+91 80 2222 3333",
            "direction": "in",
        } | fields
        return client.post("/api/v1/cti/events", json=body, headers={"X-CTI-Token": token})

    return send


def calls() -> list[Call]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Call).order_by(Call.id)))


def test_without_a_configured_token_the_endpoint_is_off(app, client):
    app.config["CTI_TOKEN"] = None
    response = client.post(
        "/api/v1/cti/events", json={"event": "newCall"}, headers={"X-CTI-Token": "anything"}
    )
    assert response.status_code == 503
    assert response.json["error"]["code"] == "cti_token_not_configured"


@pytest.mark.parametrize("headers", [{}, {"X-CTI-Token": "wrong"}, {"X-CTI-Token": ""}])
def test_a_missing_or_wrong_token_is_401_before_the_body_is_read(app, client, headers):
    app.config["CTI_TOKEN"] = TOKEN
    response = client.post("/api/v1/cti/events", json={"event": "nonsense"}, headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert calls() == []


@pytest.mark.parametrize(
    "fields, bad_field",
    [
        ({"from": "12345"}, "from"),
        ({"event": "ring"}, "event"),
        ({"direction": "sideways"}, "direction"),
        ({"call_id": ""}, "call_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_events_are_422_and_write_nothing(cti, fields, bad_field):
    response = cti(**({"event": "newCall"} | fields))
    assert response.status_code == 422
    assert bad_field in response.json["error"]["fields"]
    assert calls() == []


def test_an_answer_by_someone_who_is_not_an_active_agent_is_refused(cti, make_user):
    mentor = make_user("mentor")
    assert cti("newCall").status_code == 200
    for user in ("nobody@example.org", mentor.email, None):
        response = cti("answer", user=user)
        assert response.status_code == 422
        assert "user" in response.json["error"]["fields"]
    [call] = calls()
    assert call.status == "ringing" and call.answered_by_id is None


def test_every_written_form_of_a_number_is_the_same_caller(cti, make_ticket):
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "+919876543210"})
    for n, form in enumerate(["09876543210", "98765 43210", "+91-98765-43210", "919876543210"]):
        assert cti("newCall", f"c-{n}", **{"from": form}).status_code == 200
    found = calls()
    assert {c.from_number for c in found} == {"+919876543210"}
    assert {c.contact_id for c in found} == {ticket.requester_id}


def test_repeated_events_change_nothing(cti, make_user):
    agent = make_user("agent")
    first = cti("newCall")
    assert first.json == {"call_id": "c-1", "status": "ringing", "applied": True}
    assert cti("newCall").json["applied"] is False
    assert cti("answer", user=agent.email).json["status"] == "answered"
    [call] = calls()
    answered_at = call.answered_at
    assert cti("answer", user=agent.email).json == {
        "call_id": "c-1",
        "status": "answered",
        "applied": False,
    }
    assert calls()[0].answered_at == answered_at


def test_a_hangup_logs_duration_and_cause_on_the_callers_open_ticket(cti, make_user, make_ticket):
    agent = make_user("agent", name="Asha Kumari")
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    cti("newCall")
    cti("answer", user=agent.email)
    # The call lasted 4 min 12 s: move its answer back in time instead of waiting.
    call = calls()[0]
    call.answered_at = call.answered_at - timedelta(seconds=252)
    db.session.commit()
    response = cti("hangup", cause="normal_clearing")
    assert response.json["status"] == "ended"
    call = calls()[0]
    assert call.duration_seconds == 252 and call.cause == "normal_clearing"
    assert call.ticket_id == ticket.id
    [note] = db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket.id, Message.internal.is_(True))
    )
    assert note.body == (
        "Call from +919876543210, 4 min 12 s, answered by Asha Kumari, cause: normal_clearing"
    )
    assert note.automatic
    [event] = db.session.scalars(
        sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "call")
    )
    assert event.actor_id == agent.id
    db.session.refresh(ticket)
    assert ticket.first_response_at is None and ticket.status == "new"
    # A repeated hangup neither changes the call nor logs it twice.
    assert cti("hangup", cause="normal_clearing").json["applied"] is False
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "call")
        )
        == 1
    )


def test_the_ticket_the_agent_opened_during_the_call_gets_it(
    cti, api_as, make_user, make_block, make_ticket
):
    agent = make_user("agent")
    older = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    cti("newCall")
    cti("answer", user=agent.email)
    new = (
        api_as(agent)
        .post(
            "/api/v1/tickets",
            json={
                "subject": "Loan papers",
                "description": "Which papers does the bank want?",
                "category": "bank-linkage",
                "block": make_block().code,
                "requester": {"name": "Sunita Devi", "phone": "098765 43210"},
            },
        )
        .json
    )
    cti("hangup", cause="normal_clearing")
    assert calls()[0].ticket_id == new["id"] != older.id


def test_hangup_before_answer_is_a_missed_call(cti, make_ticket):
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    cti("newCall")
    assert cti("hangup", cause="no_answer").json["status"] == "missed"
    [call] = calls()
    assert call.duration_seconds == 0 and call.answered_at is None
    assert call.ticket_id == ticket.id
    notes = [m.body for m in ticket.messages if m.internal]
    assert notes == ["Missed call from +919876543210, cause: no_answer"]


def test_events_for_an_unknown_call_create_it(cti, make_user):
    agent = make_user("agent")
    assert cti("hangup", "lost-1", cause="normal_clearing").json["status"] == "missed"
    assert cti("answer", "lost-2", user=agent.email).json["status"] == "answered"
    assert [c.call_id for c in calls()] == ["lost-1", "lost-2"]
    assert calls()[1].answered_by_id == agent.id


def test_a_call_from_an_unknown_number_is_logged_without_a_ticket(cti):
    cti("newCall", **{"from": "+91 91234 56789"})
    cti("hangup", cause="normal_clearing")
    [call] = calls()
    assert call.contact_id is None and call.ticket_id is None and call.status == "missed"


def test_the_openapi_documents_the_cti_secret(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/cti/events"]["post"]
    assert operation["security"] == [{"ctiToken": []}]
    assert spec["components"]["securitySchemes"]["ctiToken"]["name"] == "X-CTI-Token"
    assert {"401", "503", "422"} <= set(operation["responses"])
