"""The notification tray's API: each person reads and clears only their own tray."""

import re

import pytest

from helpdesk.console.models import Notification
from helpdesk.console.notifications import notify
from helpdesk.extensions import db
from helpdesk.tickets.services import unit_of_work


def _notify(user, *texts, ticket=None):
    with unit_of_work():
        rows = [notify([user.id], "escalated", text, ticket=ticket)[0] for text in texts]
    return [row.id for row in rows]


def test_a_person_lists_only_their_own_notifications_newest_first(api_as, make_user, make_ticket):
    asha, ravi = make_user("agent"), make_user("mentor", states=["IN-JH"])
    ticket = make_ticket(actor=asha)
    _notify(asha, "KS-1 escalated to you", "KS-2 breached its SLA", ticket=ticket)
    _notify(ravi, "Ravi's own news")

    body = api_as(asha).get("/api/v1/notifications").get_json()

    assert [item["text"] for item in body["items"]] == [
        "KS-2 breached its SLA",
        "KS-1 escalated to you",
    ]
    assert body["items"][0]["ticket"] == ticket.id and body["items"][0]["read"] is False
    assert (body["total"], body["unread"], body["page"], body["per_page"]) == (2, 2, 1, 20)


def test_marking_read_by_id_leaves_other_peoples_notifications_alone(api_as, make_user):
    asha, ravi = make_user("agent"), make_user("agent")
    first, second, third = _notify(asha, "one", "two", "three")
    [ravis] = _notify(ravi, "not yours")
    api = api_as(asha)

    answer = api.post("/api/v1/notifications/read", json={"ids": [first, ravis, 999999]})

    assert answer.status_code == 200 and answer.get_json() == {"unread": 2}
    unread = api.get("/api/v1/notifications?unread=true").get_json()
    assert [i["id"] for i in unread["items"]] == [third, second] and unread["total"] == 2
    everything = api.get("/api/v1/notifications?unread=false").get_json()
    assert everything["total"] == 3 and everything["unread"] == 2
    db.session.expire_all()
    assert db.session.get(Notification, ravis).read_at is None
    assert api_as(ravi).get("/api/v1/notifications").get_json()["unread"] == 1


def test_mark_all_read_clears_only_the_callers_tray(api_as, make_user):
    asha, ravi = make_user("agent"), make_user("agent")
    _notify(asha, "one", "two")
    _notify(ravi, "three")
    assert api_as(asha).post("/api/v1/notifications/read", json={"all": True}).get_json() == {
        "unread": 0
    }
    assert api_as(asha).get("/api/v1/notifications?unread=true").get_json()["items"] == []
    assert api_as(ravi).get("/api/v1/notifications").get_json()["unread"] == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"ids": ["1"]}, "ids[0]"),
        ({"ids": [1.5]}, "ids[0]"),
        ({"ids": [True]}, "ids[0]"),
        ({"ids": 3}, "ids"),
        ({"all": "yes"}, "all"),
        ({}, "body"),
        ({"all": False}, "body"),
        ({"ids": [1], "colour": "red"}, "colour"),
    ],
)
def test_bad_read_requests_are_422_and_change_nothing(api_as, make_user, body, field):
    asha = make_user("agent")
    _notify(asha, "one")
    answer = api_as(asha).post("/api/v1/notifications/read", json=body)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"], error
    assert api_as(asha).get("/api/v1/notifications").get_json()["unread"] == 1


def test_listing_rejects_bad_filters_and_paging(api_as, make_user):
    api = api_as(make_user("agent"))
    for query, field in (
        ("unread=maybe", "unread"),
        ("per_page=0", "per_page"),
        ("page=x", "page"),
    ):
        answer = api.get(f"/api/v1/notifications?{query}")
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], query


def test_paging_through_the_tray(api_as, make_user):
    asha = make_user("agent")
    ids = _notify(asha, *[f"note {n}" for n in range(5)])
    page = api_as(asha).get("/api/v1/notifications?page=2&per_page=2").get_json()
    assert [i["id"] for i in page["items"]] == [ids[2], ids[1]] and page["total"] == 5


def test_the_tray_needs_a_signed_in_caller(client):
    assert client.get("/api/v1/notifications").status_code == 401
    answer = client.post("/api/v1/notifications/read", json={"all": True})
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"


def test_the_browser_session_reads_the_tray(client, login_as, make_user):
    asha = make_user("agent")
    _notify(asha, "one")
    login_as(asha)
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1
    # A session write needs the page's CSRF token, as every form does.
    refused = client.post("/api/v1/notifications/read", json={"all": True})
    assert refused.status_code == 400
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1
    page = client.get("/console").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post(
        "/api/v1/notifications/read", json={"all": True}, headers={"X-CSRFToken": token}
    )
    assert answer.get_json() == {"unread": 0}


def test_a_notification_is_sent_live_to_its_person_only(console_client, make_user):
    asha, ravi = make_user("agent"), make_user("agent")
    mine, theirs = console_client(asha), console_client(ravi)
    [row_id] = _notify(asha, "KS-000007 escalated to you")
    [event] = mine.received("notification")
    assert event["id"] == row_id and event["text"] == "KS-000007 escalated to you"
    assert theirs.received("notification", wait=0.5) == []
