"""GET /api/v1/contacts/lookup: the people and open tickets behind a phone number."""

import pytest

from helpdesk.tickets.schemas import TicketUpdate
from helpdesk.tickets.services import update_ticket


@pytest.mark.parametrize(
    "written", ["09876543210", "98765 43210", "+91-98765-43210", "919876543210"]
)
def test_lookup_treats_every_written_form_as_one_number(api_as, make_user, make_ticket, written):
    agent = make_user("agent")
    ticket = make_ticket(actor=agent)
    make_user("brc", phone="9876543210", name="Rekha BRC")
    res = api_as(agent).get("/api/v1/contacts/lookup", query_string={"phone": written})
    assert res.status_code == 200
    body = res.json
    assert body["phone"] == "+919876543210"
    assert [c["name"] for c in body["contacts"]] == ["Sunita Devi"]
    assert [(u["name"], u["role"]) for u in body["users"]] == [("Rekha BRC", "brc")]
    assert [t["number"] for t in body["open_tickets"]] == [ticket.number]


def test_lookup_for_mentor_lists_only_visible_open_tickets_and_brc_is_refused(
    api_as, make_user, make_block, make_ticket
):
    kerala = make_block(state="IN-KL", district="Pathanamthitta")
    jharkhand = make_block(state="IN-JH")
    agent = make_user("agent")
    own = make_ticket(actor=agent, block=kerala.code)
    make_ticket(actor=agent, block=jharkhand.code)
    closed = make_ticket(actor=agent, block=kerala.code)
    update_ticket(closed, agent, TicketUpdate(status="closed"))
    mentor = make_user("mentor", states=["IN-KL"])
    res = api_as(mentor).get("/api/v1/contacts/lookup?phone=9876543210")
    assert [t["id"] for t in res.json["open_tickets"]] == [own.id]
    # BRC staff must not learn who is behind any number in the country.
    brc = make_user("brc", block=kerala)
    assert api_as(brc).get("/api/v1/contacts/lookup?phone=9876543210").status_code == 403


def test_lookup_with_a_bad_number_is_422(api_as, client, make_user):
    api = api_as(make_user("agent"))
    for bad in ("12345", "", "not a phone"):
        res = api.get("/api/v1/contacts/lookup", query_string={"phone": bad})
        assert res.status_code == 422
        assert (
            res.json["error"]["code"] == "validation_failed"
            and "phone" in res.json["error"]["fields"]
        )
    assert client.get("/api/v1/contacts/lookup?phone=9876543210").status_code == 401


def test_lookup_works_with_the_session_and_is_documented(client, make_user, login_as):
    login_as(make_user("agent"))
    res = client.get("/api/v1/contacts/lookup?phone=9876543210")
    assert res.status_code == 200 and res.json == {
        "phone": "+919876543210",
        "contacts": [],
        "users": [],
        "open_tickets": [],
    }
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/contacts/lookup"]["get"]
    assert operation["tags"] == ["contacts"]
    assert [p["name"] for p in operation["parameters"]] == ["phone"]
