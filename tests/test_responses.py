"""Canned responses: who sees and keeps which, sending one on a ticket with its
placeholders filled in, usage counts, and the page that manages them."""

import pytest

from helpdesk.extensions import db
from helpdesk.replies.models import CannedResponse

GREETING = "Namaste {requester_name}, about {ticket_number}: {agent_name} of the call-centre, for {block_name}."


@pytest.fixture
def shared(api_as, make_user):
    manager = make_user("manager", name="Meera Manager")
    response = api_as(manager).post(
        "/api/v1/responses",
        json={
            "title": "Greeting",
            "body": GREETING,
            "language": "en",
            "category": "business-plan",
            "shared": True,
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_an_agent_sees_shared_responses_and_their_own_only(api_as, make_user, shared):
    alice, bob = make_user("agent"), make_user("agent")
    mine = api_as(alice).post(
        "/api/v1/responses",
        json={"title": "Bank visit", "body": "Please visit the bank.", "language": "hi"},
    )
    assert mine.status_code == 201
    assert mine.json["shared"] is False and mine.json["category"] is None
    api_as(bob).post(
        "/api/v1/responses", json={"title": "Bob's", "body": "Bob's text", "language": "hi"}
    )

    items = api_as(alice).get("/api/v1/responses").json["items"]
    assert {r["title"] for r in items} == {"Greeting", "Bank visit"}
    assert set(items[0]) >= {"id", "title", "body", "language", "category", "shared"}
    assert [
        r["title"] for r in api_as(alice).get("/api/v1/responses?language=hi").json["items"]
    ] == ["Bank visit"]
    assert [r["title"] for r in api_as(alice).get("/api/v1/responses?q=GREET").json["items"]] == [
        "Greeting"
    ]
    assert api_as(alice).get("/api/v1/responses?language=xx").status_code == 422
    # Someone else's own response does not exist for Bob.
    assert api_as(bob).get(f"/api/v1/responses/{mine.json['id']}").status_code == 404
    assert (
        api_as(bob).patch(f"/api/v1/responses/{mine.json['id']}", json={"title": "x"}).status_code
        == 404
    )
    assert api_as(bob).delete(f"/api/v1/responses/{mine.json['id']}").status_code == 404


def test_only_managers_and_admins_keep_shared_responses(api_as, make_user, shared):
    agent, admin = make_user("agent"), make_user("admin")
    refused = api_as(agent).post(
        "/api/v1/responses", json={"title": "T", "body": "B", "language": "en", "shared": True}
    )
    assert refused.status_code == 403
    assert (
        api_as(agent)
        .patch(f"/api/v1/responses/{shared['id']}", json={"title": "Mine now"})
        .status_code
        == 403
    )
    assert api_as(agent).delete(f"/api/v1/responses/{shared['id']}").status_code == 403
    own = (
        api_as(agent)
        .post("/api/v1/responses", json={"title": "T", "body": "B", "language": "en"})
        .json
    )
    assert (
        api_as(agent).patch(f"/api/v1/responses/{own['id']}", json={"shared": True}).status_code
        == 403
    )

    changed = api_as(admin).patch(
        f"/api/v1/responses/{shared['id']}", json={"title": "Welcome", "category": None}
    )
    assert changed.status_code == 200
    assert changed.json["title"] == "Welcome" and changed.json["category"] is None
    assert api_as(admin).delete(f"/api/v1/responses/{shared['id']}").status_code == 204
    assert api_as(agent).get("/api/v1/responses").json["items"] == [own]


def test_brc_staff_use_no_responses(api_as, make_user, shared):
    brc = make_user("brc")
    assert api_as(brc).get("/api/v1/responses").status_code == 403
    assert (
        api_as(brc)
        .post("/api/v1/responses", json={"title": "T", "body": "B", "language": "en"})
        .status_code
        == 403
    )


def test_bad_responses_are_refused_with_the_field(api_as, make_user):
    agent = make_user("agent")
    api = api_as(agent)
    assert api.post("/api/v1/responses", json={"title": "", "body": "B", "language": "en"}).json[
        "error"
    ]["fields"] == {"title": "String should have at least 1 character"}
    assert api.post(
        "/api/v1/responses", json={"title": "T", "body": "B", "language": "en", "category": "nope"}
    ).json["error"]["fields"] == {"category": "unknown category"}
    assert db.session.query(CannedResponse).count() == 0


def test_a_message_sends_a_response_filled_in_and_counts_it(api_as, make_user, make_ticket, shared):
    agent = make_user("agent", name="Asha Agent")
    ticket = make_ticket(agent, requester={"name": "Sunita Devi", "phone": "9876543210"})
    sent = api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"response": shared["id"]}
    )
    assert sent.status_code == 201, sent.json
    assert sent.json["body"] == (
        f"Namaste Sunita Devi, about {ticket.number}: Asha Agent of the call-centre, for {ticket.block.name}."
    )
    api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"response": shared["id"], "internal": True}
    )
    listed = api_as(agent).get("/api/v1/responses").json["items"]
    assert listed[0]["usage_count"] == 2


def test_a_message_needs_a_body_or_a_response_it_may_use(api_as, make_user, make_ticket):
    alice, bob = make_user("agent"), make_user("agent")
    ticket = make_ticket(alice)
    own = (
        api_as(alice)
        .post("/api/v1/responses", json={"title": "T", "body": "Alice's", "language": "en"})
        .json
    )
    refused = api_as(bob).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"response": own["id"]}
    )
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"response": "no such response"}
    both = api_as(alice).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"response": own["id"], "body": "x"}
    )
    assert both.status_code == 422
    assert api_as(alice).post(f"/api/v1/tickets/{ticket.id}/messages", json={}).status_code == 422
    assert db.session.get(CannedResponse, own["id"]).usage_count == 0
    body_only = api_as(alice).post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "plain"})
    assert body_only.status_code == 201


def test_the_picker_fills_a_response_for_a_ticket_and_counts_it(
    api_as, make_user, make_ticket, shared
):
    agent = make_user("agent", name="Asha Agent")
    ticket = make_ticket(agent)
    filled = api_as(agent).post(
        f"/api/v1/responses/{shared['id']}/fill", json={"ticket": ticket.id}
    )
    assert filled.status_code == 200
    assert filled.json["body"].startswith("Namaste Sunita Devi, about " + ticket.number)
    assert db.session.get(CannedResponse, shared["id"]).usage_count == 1
    assert (
        api_as(agent)
        .post(f"/api/v1/responses/{shared['id']}/fill", json={"ticket": 999999})
        .status_code
        == 404
    )


def test_the_responses_page_lists_creates_edits_and_deletes(client, login_as, make_user):
    agent = make_user("agent")
    login_as(agent)
    assert client.get("/responses").status_code == 200
    created = client.post(
        "/responses/new",
        data={
            "title": "Loan",
            "body": "Visit {block_name} office",
            "language": "hi",
            "category": "",
        },
    )
    assert created.status_code == 302
    response = db.session.query(CannedResponse).one()
    assert response.owner_id == agent.id
    page = client.get("/responses").get_data(as_text=True)
    assert "Loan" in page and "Mine" in page
    assert (
        client.post(
            f"/responses/{response.id}/edit",
            data={"title": "Loan help", "body": "B", "language": "hi"},
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(CannedResponse, response.id).title == "Loan help"
    bad = client.post("/responses/new", data={"title": "", "body": "B", "language": "hi"})
    assert bad.status_code == 422
    assert client.post(f"/responses/{response.id}/delete").status_code == 302
    assert db.session.query(CannedResponse).count() == 0


def test_an_agent_cannot_share_from_the_page_and_brc_staff_cannot_open_it(
    client, login_as, make_user
):
    agent = make_user("agent")
    login_as(agent)
    client.post(
        "/responses/new", data={"title": "T", "body": "B", "language": "hi", "shared": "on"}
    )
    assert db.session.query(CannedResponse).one().owner_id == agent.id
    client.post("/logout")
    login_as(make_user("brc"))
    assert client.get("/responses").status_code == 403
