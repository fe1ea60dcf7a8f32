"""The call log page: who may open it, its filters, and calls on the ticket page."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.calls.models import Call
from helpdesk.extensions import db


@pytest.fixture
def make_call(app):
    counter = iter(range(1, 10_000))

    def make(
        started_at,
        *,
        agent=None,
        direction="in",
        seconds=None,
        phone="+919876543210",
        ticket=None,
        cause="normal_clearing",
    ):
        answered = agent is not None
        call = Call(
            call_id=f"log-{next(counter)}",
            from_number=phone if direction == "in" else "+918022223333",
            to_number="+918022223333" if direction == "in" else phone,
            direction=direction,
            started_at=started_at,
            answered_by=agent,
            answered_at=started_at + timedelta(seconds=5) if answered else None,
            ended_at=started_at + timedelta(seconds=(seconds or 0) + 5),
            duration_seconds=seconds if answered else 0,
            cause=cause,
            status="ended" if answered else "missed",
            events_seen=[],
            ticket=ticket,
        )
        db.session.add(call)
        db.session.commit()
        return call

    return make


def rows(html: str) -> int:
    return html.count('class="call-row')


def test_only_the_call_centre_side_opens_the_call_log(client, login_as, make_user):
    for role, status in [
        ("agent", 200),
        ("manager", 200),
        ("admin", 200),
        ("mentor", 403),
        ("brc", 403),
    ]:
        client.post("/logout")
        login_as(make_user(role))
        response = client.get("/calls")
        assert response.status_code == status, role
        nav = client.get("/kb").get_data(as_text=True)
        assert ('href="/calls"' in nav) == (status == 200), role
    client.post("/logout")
    assert client.get("/calls").status_code == 302  # to the sign-in page


def test_the_log_filters_by_day_direction_outcome_and_agent(client, login_as, make_user, make_call):
    asha, ravi = make_user("agent", name="Asha"), make_user("agent", name="Ravi")
    # 22 Nov 2026 23:30 IST is 18:00 UTC the same day; 23 Nov 00:30 IST is 19:00 UTC on the 22nd.
    late_22 = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    early_23 = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    make_call(late_22, agent=asha, seconds=252)
    make_call(early_23, agent=ravi, seconds=61, direction="out")
    make_call(early_23 + timedelta(hours=1))  # missed
    login_as(asha)

    def shown(**args) -> int:
        response = client.get("/calls", query_string=args)
        assert response.status_code == 200
        return rows(response.get_data(as_text=True))

    assert shown() == 3
    assert shown(**{"from": "2026-11-22", "to": "2026-11-22"}) == 1  # IST days
    assert shown(**{"from": "2026-11-23"}) == 2
    assert shown(direction="out") == 1
    assert shown(outcome="missed") == 1
    assert shown(outcome="answered") == 2
    assert shown(agent=str(asha.id)) == 1
    page = client.get("/calls").get_data(as_text=True)
    assert "4 min 12 s" in page and "1 min 1 s" in page
    # Newest first.
    assert page.index("Unknown caller") < page.index("1 min 1 s") < page.index("4 min 12 s")


def test_bad_filters_say_which(client, login_as, make_user):
    login_as(make_user("agent"))
    response = client.get("/calls", query_string={"from": "22/11/2026", "outcome": "maybe"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "must be a date, YYYY-MM-DD" in text and "must be answered or missed" in text


def test_the_log_is_paginated(client, login_as, make_user, make_call):
    start = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    for n in range(55):
        make_call(start + timedelta(minutes=n))
    login_as(make_user("agent"))
    assert rows(client.get("/calls").get_data(as_text=True)) == 50
    assert rows(client.get("/calls?page=2").get_data(as_text=True)) == 5


def test_calls_link_to_their_ticket_and_show_on_it(
    client, login_as, make_user, make_ticket, make_call
):
    agent = make_user("agent")
    ticket = make_ticket(actor=agent)
    make_call(datetime(2026, 11, 20, 6, 0, tzinfo=UTC), agent=agent, seconds=75, ticket=ticket)
    login_as(agent)
    assert f'href="/tickets/{ticket.id}">{ticket.number}</a>' in client.get("/calls").get_data(
        as_text=True
    )
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Call from" in page and "1 min 15 s" in page
