"""Claiming a ticket: one conditional UPDATE, so of two agents claiming at once exactly one
wins and the other is told who did."""

import threading

import sqlalchemy as sa

from helpdesk.agents.services import issue_token
from helpdesk.extensions import db
from helpdesk.tickets.models import TicketEvent


def assignee_events(ticket):
    return db.session.scalars(
        sa.select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "assignee"
        )
    ).all()


def test_an_agent_claims_an_unassigned_ticket_and_a_second_claim_is_refused(
    api_as, make_user, make_ticket
):
    first = make_user("agent", name="Anita Kumari")
    second = make_user("agent")
    ticket = make_ticket()

    res = api_as(first).post(f"/api/v1/tickets/{ticket.id}/claim")
    assert res.status_code == 200, res.json
    assert res.json["assignee"]["id"] == first.id and res.json["status"] == "open"
    again = api_as(first).post(f"/api/v1/tickets/{ticket.id}/claim")
    assert again.status_code == 200 and again.json["assignee"]["id"] == first.id

    res = api_as(second).post(f"/api/v1/tickets/{ticket.id}/claim")
    assert res.status_code == 409
    assert res.json["error"]["code"] == "conflict"
    assert res.json["error"]["message"] == "Already claimed by Anita Kumari."
    db.session.expire_all()
    assert ticket.assignee_id == first.id
    [event] = assignee_events(ticket)  # claiming twice is audited once
    assert event.actor_id == first.id and event.new_value == first.email


def test_managers_and_admins_claim_too_but_not_brc_staff_or_mentors(
    api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    brc = make_user("brc", block=block)
    mentor = make_user("mentor", states=["IN-JH"])  # sees the ticket, may not take it
    ticket = make_ticket(block=block.code)
    for refused in (brc, mentor):
        res = api_as(refused).post(f"/api/v1/tickets/{ticket.id}/claim")
        assert res.status_code == 403, refused.role
    db.session.expire_all()
    assert ticket.assignee_id is None and assignee_events(ticket) == []
    for staff in ("manager", "admin"):
        other = make_ticket()
        user = make_user(staff)
        res = api_as(user).post(f"/api/v1/tickets/{other.id}/claim")
        assert res.status_code == 200 and res.json["assignee"]["id"] == user.id


def test_a_solved_or_unknown_ticket_cannot_be_claimed(api_as, make_user, make_ticket):
    agent = api_as(make_user("agent"))
    ticket = make_ticket()
    agent.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "closed"})
    res = agent.post(f"/api/v1/tickets/{ticket.id}/claim")
    assert res.status_code == 409 and "closed" in res.json["error"]["message"]
    assert agent.post("/api/v1/tickets/999999/claim").status_code == 404
    db.session.expire_all()
    assert ticket.assignee_id is None


def test_two_agents_claiming_at_once_exactly_one_wins(app, make_user, make_ticket):
    """Both requests are released together by a barrier, on separate connections; run on
    PostgreSQL the loser's UPDATE waits for the winner's row lock and then matches nothing."""
    agents = [make_user("agent", name=f"Agent {n}") for n in (1, 2)]
    tokens = [issue_token(a) for a in agents]
    for _round in range(5):
        ticket = make_ticket()
        barrier = threading.Barrier(2)
        results: list = [None, None]

        threads = [
            threading.Thread(
                target=_claim_in_thread, args=(app, ticket.id, tokens[i], barrier, results, i)
            )
            for i in (0, 1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [(r.status_code, r.json) for r in results]
        winner = next(i for i, r in enumerate(results) if r.status_code == 200)
        loser = results[1 - winner]
        assert loser.json["error"]["message"] == f"Already claimed by {agents[winner].name}."
        db.session.expire_all()
        assert ticket.assignee_id == agents[winner].id
        assert len(assignee_events(ticket)) == 1


def _claim_in_thread(app, ticket_id, token, barrier, results, i) -> None:
    client = app.test_client()  # its own requests, app contexts and database connections
    barrier.wait(timeout=10)
    results[i] = client.post(
        f"/api/v1/tickets/{ticket_id}/claim", headers={"Authorization": f"Bearer {token}"}
    )


def test_the_claim_button_on_queue_rows_and_the_ticket_page(
    client, make_user, make_ticket, login_as
):
    holder = make_user("agent", name="Meena Oraon")
    me = make_user("agent")
    free, held = make_ticket(subject="Free ticket"), make_ticket(subject="Held ticket")
    login_as(holder)
    client.post(f"/tickets/{held.id}/claim")
    client.post("/logout")

    login_as(me)
    queue = client.get("/tickets").get_data(as_text=True)
    assert f'action="/tickets/{free.id}/claim"' in queue
    assert f'action="/tickets/{held.id}/claim"' not in queue  # held rows show the owner
    assert "Meena Oraon" in queue
    page = client.get(f"/tickets/{free.id}").get_data(as_text=True)
    assert f'action="/tickets/{free.id}/claim"' in page

    res = client.post(f"/tickets/{free.id}/claim", follow_redirects=True)
    assert res.status_code == 200 and f"You hold {free.number} now." in res.get_data(as_text=True)
    assert f'action="/tickets/{free.id}/claim"' not in res.get_data(as_text=True)
    res = client.post(f"/tickets/{held.id}/claim", follow_redirects=True)
    assert "Already claimed by Meena Oraon." in res.get_data(as_text=True)
    db.session.expire_all()
    assert free.assignee_id == me.id and held.assignee_id == holder.id


def test_brc_staff_get_no_claim_button_and_cannot_post_one(
    client, make_user, make_ticket, login_as
):
    brc = make_user("brc")
    ticket = make_ticket(actor=brc)
    login_as(brc)
    assert 'claim"' not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert client.post(f"/tickets/{ticket.id}/claim").status_code == 403
    db.session.expire_all()
    assert ticket.assignee_id is None


def test_the_other_agents_console_sees_the_new_owner_live(
    console_client, api_as, make_user, make_ticket
):
    winner, loser = make_user("agent", name="Rekha Devi"), make_user("agent")
    ticket = make_ticket()
    watching = console_client(loser)
    assert api_as(winner).post(f"/api/v1/tickets/{ticket.id}/claim").status_code == 200
    [update] = watching.received(
        "ticket.updated", wait=5, until=lambda p: p["id"] == ticket.id and p["assignee"]
    )
    assert update["assignee"]["name"] == "Rekha Devi"
