"""SLA alerts in the tray stay readable: one breach alert per ticket per person, and a burst
of alerts within an hour is one "N tickets breached" entry leading to the breached queue.

Wed 25 Nov 2026, urgent tickets (first response 30 min, resolution 540 business minutes).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.sla.timers import check_ticket, reconcile_sla
from helpdesk.tickets import services
from helpdesk.tickets.schemas import TicketCreate, TicketUpdate

IST = ZoneInfo("Asia/Kolkata")


def at(hour, minute=0, day=25):
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


@pytest.fixture
def desk(make_user, make_block):
    return {
        "agent": make_user("agent"),
        "manager": make_user("manager"),
        "block": make_block(state="IN-JH"),
    }


def _urgent_tickets(desk, count, *, created=None):
    tickets = []
    for n in range(count):
        data = TicketCreate.model_validate(
            {
                "subject": f"Loan papers {n}",
                "description": "Which documents does the bank need?",
                "category": "bank-linkage",
                "priority": "urgent",
                "block": desk["block"].code,
            }
        )
        ticket = services.create_ticket(data, desk["agent"], now=created or at(10))
        services.update_ticket(
            ticket, desk["agent"], TicketUpdate(assignee=desk["agent"].id), now=created or at(10)
        )
        tickets.append(ticket)
    return tickets


def _tray(api_as, user):
    return api_as(user).get("/api/v1/notifications").get_json()


def test_a_ticket_breaching_two_targets_alerts_each_person_once(api_as, desk):
    [ticket] = _urgent_tickets(desk, 1)
    check_ticket(ticket.id, at(10, 31))  # first response breached
    check_ticket(ticket.id, at(11, 0, day=26))  # resolution breached the next day
    for person in (desk["agent"], desk["manager"]):
        tray = _tray(api_as, person)
        assert tray["unread"] == 1, [i["text"] for i in tray["items"]]
        [alert] = tray["items"]
        assert alert["kind"] == "sla.breached" and alert["ticket"] == ticket.id
        assert alert["url"] == f"/tickets/{ticket.id}"


def test_a_new_breach_alerts_again_once_the_first_was_read(api_as, desk):
    [ticket] = _urgent_tickets(desk, 1)
    check_ticket(ticket.id, at(10, 31))
    api_as(desk["agent"]).post("/api/v1/notifications/read", json={"all": True})
    check_ticket(ticket.id, at(11, 0, day=26))
    assert _tray(api_as, desk["agent"])["unread"] == 1
    assert _tray(api_as, desk["manager"])["unread"] == 1


def test_a_burst_of_breaches_becomes_one_digest_leading_to_the_breached_queue(
    api_as, client, login_as, desk
):
    tickets = _urgent_tickets(desk, 5)
    reconcile_sla(at(10, 31))
    tray = _tray(api_as, desk["agent"])  # up to five are listed one by one
    assert tray["unread"] == 5 and {i["kind"] for i in tray["items"]} == {"sla.breached"}

    tickets += _urgent_tickets(desk, 3, created=at(10, 2))
    calm = _urgent_tickets(desk, 1, created=at(10, 30))[0]  # not due yet
    reconcile_sla(at(10, 33))

    for person in (desk["agent"], desk["manager"]):
        tray = _tray(api_as, person)
        assert tray["unread"] == 1 and tray["total"] == 1, [i["text"] for i in tray["items"]]
        [digest] = tray["items"]
        assert digest["kind"] == "sla.digest" and digest["text"].startswith("8 tickets breached")
        assert digest["url"] == "/tickets?breached=1"

    # Two more breaches in the same hour grow the same entry.
    more = _urgent_tickets(desk, 2, created=at(10, 5))
    reconcile_sla(at(10, 40))
    tray = _tray(api_as, desk["agent"])
    assert tray["unread"] == 1 and tray["items"][0]["text"].startswith("10 tickets breached")

    login_as(desk["agent"])
    page = client.get(tray["items"][0]["url"]).get_data(as_text=True)
    assert all(t.number in page for t in tickets + more) and calm.number not in page

    # Reading the digest reads what it stands for.
    api = api_as(desk["agent"])
    assert api.post(
        "/api/v1/notifications/read", json={"ids": [tray["items"][0]["id"]]}
    ).get_json() == {"unread": 0}
    assert _tray(api_as, desk["agent"])["unread"] == 0


def test_alerts_an_hour_apart_are_not_folded_together(api_as, desk):
    _urgent_tickets(desk, 5)
    reconcile_sla(at(10, 31))
    _urgent_tickets(desk, 6, created=at(11, 30))
    reconcile_sla(at(12, 1))
    tray = _tray(api_as, desk["agent"])
    assert tray["unread"] == 6
    assert [i["kind"] for i in tray["items"]] == ["sla.digest"] + ["sla.breached"] * 5
    assert tray["items"][0]["text"].startswith("6 tickets breached")


def test_the_queue_filter_for_breached_tickets_refuses_nonsense(api_as, desk):
    answer = api_as(desk["agent"]).get("/api/v1/tickets?breached=maybe")
    assert answer.status_code == 422 and "breached" in answer.get_json()["error"]["fields"]
