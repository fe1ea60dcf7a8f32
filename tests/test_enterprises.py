"""Enterprises: recording them from the MIS, who sees which, tickets about them, and
their pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from helpdesk.calls.models import Call
from helpdesk.contacts.models import Contact
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from helpdesk.timeutil import utcnow


@pytest.fixture
def enterprise(api_as, make_user, make_block):
    block = make_block(name="Khuntpani")
    agent = make_user("agent")
    body = {
        "code": "JH-WSB-000123",
        "name": "Sunita Poultry",
        "activity": "poultry",
        "block": block.code,
        "owner": {"name": "Sunita Devi", "phone": "098765 43210"},
    }
    response = api_as(agent).post("/api/v1/enterprises", json=body)
    assert response.status_code == 201, response.json
    return response.json | {"agent": agent, "block_obj": block}


def test_an_enterprise_is_recorded_with_its_owner_as_a_contact_of_its_block(enterprise):
    assert enterprise["code"] == "JH-WSB-000123"
    assert enterprise["block"]["code"] == enterprise["block_obj"].code
    assert enterprise["owner"]["name"] == "Sunita Devi"
    assert enterprise["owner"]["phone"] == "+919876543210"
    owner = db.session.get(Contact, enterprise["owner"]["id"])
    assert owner.block_id == enterprise["block_obj"].id


def test_bad_or_duplicate_enterprises_are_refused(api_as, enterprise, make_user):
    api = api_as(enterprise["agent"])
    body = {
        "code": "JH-WSB-000123",
        "name": "Again",
        "block": enterprise["block_obj"].code,
        "owner": {"name": "X", "phone": "9876543211"},
    }
    assert api.post("/api/v1/enterprises", json=body).status_code == 409
    unknown = api.post("/api/v1/enterprises", json=body | {"code": "NEW-1", "block": "NOPE"})
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"] == {"block": "unknown block"}
    bad_phone = api.post(
        "/api/v1/enterprises", json=body | {"code": "NEW-2", "owner": {"name": "X", "phone": "12"}}
    )
    assert bad_phone.status_code == 422 and "owner.phone" in bad_phone.json["error"]["fields"]
    no_owner = {k: v for k, v in body.items() if k != "owner"} | {"code": "NEW-3"}
    assert api.post("/api/v1/enterprises", json=no_owner).status_code == 422
    brc = make_user("brc", block=enterprise["block_obj"].code)
    assert api_as(brc).post("/api/v1/enterprises", json=body | {"code": "NEW-4"}).status_code == 403
    assert db.session.query(Enterprise).count() == 1


def test_the_list_searches_and_brc_staff_see_their_block_only(
    api_as, enterprise, make_user, make_block
):
    other_block = make_block()
    api_as(enterprise["agent"]).post(
        "/api/v1/enterprises",
        json={
            "code": "JH-XYZ-9",
            "name": "Tailoring unit",
            "activity": "tailoring",
            "block": other_block.code,
            "owner": {"name": "Rita Kumari", "phone": "9123456789"},
        },
    )
    api = api_as(enterprise["agent"])
    everything = api.get("/api/v1/enterprises").json
    assert everything["total"] == 2 and everything["page"] == 1 and everything["per_page"] == 50
    assert [e["code"] for e in api.get("/api/v1/enterprises?q=poultry").json["items"]] == [
        "JH-WSB-000123"
    ]
    assert [e["code"] for e in api.get("/api/v1/enterprises?q=rita").json["items"]] == ["JH-XYZ-9"]
    assert [e["code"] for e in api.get("/api/v1/enterprises?q=91234%2056789").json["items"]] == [
        "JH-XYZ-9"
    ]
    assert [
        e["code"] for e in api.get(f"/api/v1/enterprises?block={other_block.code}").json["items"]
    ] == ["JH-XYZ-9"]

    brc = make_user("brc", block=enterprise["block_obj"].code)
    assert [e["code"] for e in api_as(brc).get("/api/v1/enterprises").json["items"]] == [
        "JH-WSB-000123"
    ]
    assert api_as(brc).get("/api/v1/enterprises/JH-XYZ-9").status_code == 404
    assert api_as(brc).get("/api/v1/enterprises/JH-WSB-000123").status_code == 200
    assert api.get("/api/v1/enterprises/NOPE").status_code == 404


def test_tickets_name_an_enterprise_of_their_block(
    api_as, enterprise, make_user, make_ticket, make_block
):
    agent, block = enterprise["agent"], enterprise["block_obj"]
    api = api_as(agent)
    base = {
        "subject": "Feed prices",
        "description": "Feed got expensive.",
        "category": "business-plan",
        "block": block.code,
    }
    created = api.post("/api/v1/tickets", json=base | {"enterprise": "JH-WSB-000123"})
    assert created.status_code == 201, created.json
    assert created.json["enterprise"]["code"] == "JH-WSB-000123"
    elsewhere = make_block()
    refused = api.post(
        "/api/v1/tickets", json=base | {"block": elsewhere.code, "enterprise": "JH-WSB-000123"}
    )
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {
        "enterprise": "not an enterprise of the ticket's block"
    }
    assert api.post("/api/v1/tickets", json=base | {"enterprise": "NOPE"}).status_code == 422

    other = make_ticket(agent, block=elsewhere.code)
    assert (
        api.patch(f"/api/v1/tickets/{other.id}", json={"enterprise": "JH-WSB-000123"}).status_code
        == 422
    )
    plain = make_ticket(agent, block=block.code)
    patched = api.patch(f"/api/v1/tickets/{plain.id}", json={"enterprise": "JH-WSB-000123"})
    assert patched.status_code == 200 and patched.json["enterprise"]["code"] == "JH-WSB-000123"
    # Moving the ticket to another block drops the enterprise of the old one.
    moved = api.patch(f"/api/v1/tickets/{plain.id}", json={"block": elsewhere.code})
    assert moved.json["enterprise"] is None

    brc = make_user("brc", block=block.code)
    brc_ticket = api_as(brc).post("/api/v1/tickets", json=base | {"enterprise": "JH-WSB-000123"})
    assert brc_ticket.status_code == 201
    assert (
        api_as(brc)
        .patch(f"/api/v1/tickets/{brc_ticket.json['id']}", json={"enterprise": None})
        .status_code
        == 403
    )

    detail = api.get("/api/v1/enterprises/JH-WSB-000123").json
    assert [t["id"] for t in detail["tickets"]] == [brc_ticket.json["id"], created.json["id"]]


def test_a_logged_call_names_the_enterprise_it_is_about(client, login_as, enterprise, make_block):
    agent, block = enterprise["agent"], enterprise["block_obj"]
    login_as(agent)
    form = {
        "requester_phone": "098765 43210",
        "requester_name": "Sunita Devi",
        "subject": "Feed prices",
        "description": "Feed got expensive.",
        "category": "business-plan",
        "block": block.code,
    }
    assert 'name="enterprise"' in client.get("/tickets/new").get_data(as_text=True)
    refused = client.post("/tickets/new", data=form | {"enterprise": "JH-WSB-999999"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "unknown enterprise" in page
    assert 'value="JH-WSB-999999"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0

    logged = client.post("/tickets/new", data=form | {"enterprise": "JH-WSB-000123"})
    assert logged.status_code == 302
    ticket = db.session.scalar(sa.select(Ticket))
    assert ticket.enterprise.code == "JH-WSB-000123"


def test_the_enterprise_pages_show_its_tickets_calls_and_chart(
    client, login_as, api_as, enterprise, make_ticket
):
    agent = enterprise["agent"]
    ticket = make_ticket(agent, block=enterprise["block_obj"].code, enterprise="JH-WSB-000123")
    db.session.add(
        Call(
            call_id="ent-1",
            from_number="+919876543210",
            direction="in",
            ticket=ticket,
            status="ended",
            events_seen=[],
            started_at=utcnow() - timedelta(days=40),
        )
    )
    db.session.commit()
    login_as(agent)
    listing = client.get("/enterprises?q=sunita").get_data(as_text=True)
    assert "Sunita Poultry" in listing and "/enterprises/JH-WSB-000123" in listing
    page = client.get("/enterprises/JH-WSB-000123").get_data(as_text=True)
    assert ticket.number in page
    assert 'id="enterprise-data" type="application/json"' in page
    assert "chart.umd.min.js" in page
    calls = page.split('<h2 class="card-title">Calls</h2>')[1]
    assert "Call from" in calls and "+919876543210" in calls
    assert client.get("/enterprises/NOPE").status_code == 404


def test_the_ticket_page_shows_the_enterprise_and_offers_the_callers(
    client, login_as, enterprise, make_ticket
):
    agent = enterprise["agent"]
    ticket = make_ticket(
        agent,
        block=enterprise["block_obj"].code,
        requester={"name": "Sunita Devi", "phone": "9876543210"},
    )
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert '<option value="JH-WSB-000123">Sunita Poultry (JH-WSB-000123)</option>' in page
    client.post(f"/tickets/{ticket.id}/update", data={"enterprise": "JH-WSB-000123"})
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert '<a href="/enterprises/JH-WSB-000123">Sunita Poultry</a>' in page
    client.post(f"/tickets/{ticket.id}/update", data={"enterprise": ""})
    db.session.expire_all()
    assert ticket.enterprise_id is None
