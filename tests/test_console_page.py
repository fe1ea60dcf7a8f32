"""The live console page, its counters API, the thread fragment and the tray in the
page header, as the server draws them before any script runs."""

import re

from helpdesk.console.notifications import notify
from helpdesk.tickets.schemas import MessageCreate, TicketUpdate
from helpdesk.tickets.services import add_message, unit_of_work, update_ticket


def _count(html: str, kind: str, key: str) -> int:
    return int(re.search(rf'data-count-{kind}="{key}">(\d+)<', html).group(1))


def test_the_console_shows_open_tickets_and_their_counters(
    client, login_as, make_user, make_ticket
):
    agent = make_user("agent")
    urgent = make_ticket(actor=agent, subject="PTS app lost the records", priority="urgent")
    normal = make_ticket(actor=agent, subject="Fee under the MoU")
    done = make_ticket(actor=agent, subject="Already answered")
    update_ticket(done, agent, TicketUpdate(status="resolved"))
    update_ticket(normal, agent, TicketUpdate(status="pending"))
    login_as(agent)

    html = client.get("/console").get_data(as_text=True)

    assert urgent.number in html and normal.number in html and done.number not in html
    # the most recently changed first
    assert html.index(normal.number) < html.index(urgent.number)
    assert _count(html, "status", "new") == 1 and _count(html, "status", "pending") == 1
    assert _count(html, "status", "open") == 0
    assert _count(html, "priority", "urgent") == 1 and _count(html, "priority", "normal") == 1
    assert f'data-ticket-id="{normal.id}" data-status="pending"' in html
    assert 'data-paused="true"' in html
    assert 'href="/console"' in html  # the navigation links to it


def test_a_mentor_sees_only_their_states_tickets(
    client, login_as, make_user, make_block, make_ticket
):
    kerala = make_block(state="IN-KL", district="Palakkad")
    ours = make_ticket(block=kerala.code, subject="Cafe Kudumbashree accounts")
    theirs = make_ticket(subject="Jharkhand question")
    login_as(make_user("mentor", states=["IN-KL"]))
    html = client.get("/console").get_data(as_text=True)
    assert ours.number in html and theirs.number not in html
    assert _count(html, "status", "new") == 1
    assert "Colleagues online" not in html  # presence.list is for staff only


def test_brc_staff_are_sent_to_their_portal_and_strangers_to_sign_in(client, login_as, make_user):
    assert client.get("/console").status_code == 302
    login_as(make_user("brc"))
    answer = client.get("/console")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/brc")


def test_the_counters_api_matches_what_the_reader_may_see(
    api_as, make_user, make_block, make_ticket
):
    agent = make_user("agent")
    make_ticket(actor=agent, priority="high")
    make_ticket(actor=agent, block=make_block(state="IN-KL", district="Palakkad").code)
    body = api_as(agent).get("/api/v1/console/counters").get_json()
    assert body["status"]["new"] == 2 and body["priority"]["high"] == 1 and body["total"] == 2
    mentor = api_as(make_user("mentor", states=["IN-KL"])).get("/api/v1/console/counters")
    assert mentor.get_json()["total"] == 1
    assert api_as(make_user("brc")).get("/api/v1/console/counters").status_code == 403


def test_the_thread_fragment_follows_the_ticket_pages_rules(
    client, login_as, make_user, make_block, make_ticket
):
    block = make_block()
    agent = make_user("agent")
    ticket = make_ticket(actor=agent, block=block.code)
    add_message(ticket, agent, MessageCreate(body="Bring the bank's letter."), channel="web")
    add_message(
        ticket, agent, MessageCreate(body="Caller sounded upset", internal=True), channel="web"
    )
    url = f"/console/tickets/{ticket.id}/thread"

    login_as(make_user("brc", block=block))
    html = client.get(url).get_data(as_text=True)
    assert "Bring the bank&#39;s letter." in html and "Caller sounded upset" not in html
    client.post("/logout")
    login_as(make_user("brc"))
    assert client.get(url).status_code == 404
    client.post("/logout")
    login_as(agent)
    assert "Caller sounded upset" in client.get(url).get_data(as_text=True)


def test_the_ticket_page_is_ready_for_live_viewers(client, login_as, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket(actor=agent)
    login_as(agent)
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f'data-ticket-viewing="{ticket.id}"' in html
    assert "js/ticket-live.js" in html and "vendor/socket.io.min.js" in html


def test_the_bell_shows_the_unread_count_for_staff_and_mentors_only(client, login_as, make_user):
    agent = make_user("agent")
    with unit_of_work():
        notify([agent.id], "escalated", "one")
        notify([agent.id], "escalated", "two")
    login_as(agent)
    html = client.get("/tickets").get_data(as_text=True)
    assert re.search(r"data-tray-count>2<", html)
    client.post("/logout")
    login_as(make_user("brc"))
    assert "data-tray" not in client.get("/brc").get_data(as_text=True)


def test_the_vendored_socket_io_client_is_served(client):
    with client.get("/static/vendor/socket.io.min.js") as script:
        assert script.status_code == 200 and b"Socket.IO v4.8.1" in script.data
