"""Queue work: sorting (SLA due first), saved views, bulk changes audited per ticket, and
"Next ticket" handing each ticket to one agent only."""

import threading

import sqlalchemy as sa

from helpdesk.agents.services import issue_token
from helpdesk.extensions import db
from helpdesk.tickets import services
from helpdesk.tickets.models import SavedView, Ticket, TicketEvent
from helpdesk.tickets.schemas import TicketUpdate


def events(ticket_id: int, kind: str) -> list[tuple]:
    return list(
        db.session.execute(
            sa.select(TicketEvent.old_value, TicketEvent.new_value).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind
            )
        )
    )


def test_sort_by_sla_due_puts_the_next_breach_first(api_as, make_user, make_ticket):
    agent = make_user("agent")
    low = make_ticket(priority="low")
    urgent = make_ticket(priority="urgent")
    normal = make_ticket(priority="normal")
    done = make_ticket(priority="urgent")
    services.update_ticket(done, agent, TicketUpdate(status="resolved"))
    answer = api_as(agent).get("/api/v1/tickets?sort=due")
    assert [t["id"] for t in answer.json["items"]] == [urgent.id, normal.id, low.id, done.id]
    db.session.expire_all()
    assert urgent.next_due < normal.next_due < low.next_due and done.next_due is None
    backwards = api_as(agent).get("/api/v1/tickets?sort=-due").json["items"]
    assert [t["id"] for t in backwards] == [low.id, normal.id, urgent.id, done.id]
    by_priority = api_as(agent).get("/api/v1/tickets?status=open&sort=priority").json["items"]
    assert [t["id"] for t in by_priority] == [urgent.id, normal.id, low.id]
    bad = api_as(agent).get("/api/v1/tickets?sort=colour")
    assert bad.status_code == 422 and "sort" in bad.json["error"]["fields"]


def test_the_queue_page_sorts_by_its_column_links(client, login_as, make_user, make_ticket):
    login_as(make_user("agent"))
    low = make_ticket(priority="low", subject="Low one")
    urgent = make_ticket(priority="urgent", subject="Urgent one")
    html = client.get("/tickets?sort=due").get_data(as_text=True)
    assert html.index(urgent.number) < html.index(low.number)
    assert 'aria-sort="ascending"' in html
    html = client.get("/tickets").get_data(as_text=True)  # newest first
    assert html.index(urgent.number) < html.index(low.number)
    html = client.get("/tickets?sort=number").get_data(as_text=True)
    assert html.index(low.number) < html.index(urgent.number)
    assert client.get("/tickets?sort=bogus").status_code == 422


def test_personal_and_shared_views(client, login_as, make_user):
    agent, other, manager = make_user("agent"), make_user("agent"), make_user("manager")
    login_as(agent)
    saved = client.post(
        "/tickets/views",
        data={"name": "My urgent", "priority": "urgent", "status": "open", "sort": "due"},
    )
    assert saved.status_code == 302 and "priority=urgent" in saved.location
    assert "sort=due" in saved.location
    refused = client.post("/tickets/views", data={"name": "For all", "shared": "on"})
    assert refused.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SavedView.id))) == 1
    assert "My urgent" in client.get("/tickets").get_data(as_text=True)

    login_as(manager)
    client.post("/tickets/views", data={"name": "Triage", "triage": "1", "shared": "on"})
    login_as(other)
    html = client.get("/tickets").get_data(as_text=True)
    assert "Triage" in html and "My urgent" not in html
    shared = db.session.scalar(sa.select(SavedView).where(SavedView.name == "Triage"))
    # Someone else's view cannot be deleted (it does not exist for them).
    assert client.post(f"/tickets/views/{shared.id}/delete").status_code == 404
    login_as(manager)
    assert client.post(f"/tickets/views/{shared.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SavedView.id))) == 1


def test_bulk_close_writes_one_event_per_ticket_and_nothing_for_the_rest(
    client, login_as, make_user, make_ticket, make_block
):
    agent = make_user("agent")
    tickets = [make_ticket() for _ in range(3)]
    closed = make_ticket()
    services.update_ticket(closed, agent, TicketUpdate(status="closed"))
    login_as(agent)
    answer = client.post(
        "/tickets/bulk",
        data={
            "ticket": [str(t.id) for t in [*tickets, closed]] + ["999999"],
            "action": "status:closed",
            "next": "/tickets?status=any",
        },
    )
    assert answer.status_code == 302 and answer.location.endswith("/tickets?status=any")
    db.session.expire_all()
    for ticket in tickets:
        assert ticket.status == "closed"
        assert events(ticket.id, "status") == [("new", "closed")]
    assert events(closed.id, "status") == [("new", "closed")]  # the earlier close only
    page = client.get("/tickets?status=any").get_data(as_text=True)
    assert "3 tickets changed." in page and "1 already as asked." in page
    assert "KS-999999 not changed: no such ticket" in page


def test_bulk_by_a_mentor_changes_only_tickets_they_may_change(
    client, login_as, make_user, make_ticket, make_block
):
    mentor = make_user("mentor", states=["IN-KL"])
    theirs = make_ticket(block=make_block(state="IN-KL", district="Ernakulam").code)
    elsewhere = make_ticket(block=make_block(state="IN-JH").code)
    login_as(mentor)
    client.post(
        "/tickets/bulk",
        data={"ticket": [str(theirs.id), str(elsewhere.id)], "action": "status:pending"},
    )
    db.session.expire_all()
    assert theirs.status == "pending" and events(theirs.id, "status") == [("new", "pending")]
    assert elsewhere.status == "new" and events(elsewhere.id, "status") == []
    # Assigning is not a mentor's change: refused whole, nothing written.
    refused = client.post("/tickets/bulk", data={"ticket": [str(theirs.id)], "action": "assign:me"})
    assert refused.status_code == 403
    assert events(theirs.id, "assignee") == []


def test_bulk_assign_audits_each_ticket(client, login_as, make_user, make_ticket):
    agent, helper = make_user("agent"), make_user("agent", name="Helper")
    tickets = [make_ticket() for _ in range(2)]
    for t in tickets:
        services.update_ticket(t, agent, TicketUpdate(status="open"))
    login_as(agent)
    client.post(
        "/tickets/bulk",
        data={"ticket": [str(t.id) for t in tickets], "action": f"assign:{helper.id}"},
    )
    db.session.expire_all()
    for t in tickets:
        assert t.assignee_id == helper.id
        assert events(t.id, "assignee") == [(None, helper.email)]


def test_next_ticket_is_the_most_urgent_in_the_agents_languages(
    api_as, client, login_as, make_user, make_ticket
):
    malayalam = make_user("agent", languages=["ml", "en"])
    normal_ml = make_ticket(priority="normal", language="ml")
    make_ticket(priority="urgent", language="hi")
    urgent_ml = make_ticket(priority="urgent", language="ml")
    taken = make_ticket(priority="urgent", language="ml")
    services.update_ticket(taken, make_user("agent"), TicketUpdate(assignee=malayalam.id))

    first = api_as(malayalam).post("/api/v1/tickets/next")
    assert first.status_code == 200 and first.json["id"] == urgent_ml.id
    assert first.json["assignee"]["id"] == malayalam.id
    assert events(urgent_ml.id, "assignee") == [(None, malayalam.email)]
    login_as(malayalam)
    answer = client.post("/tickets/next")
    assert answer.location.endswith(f"/tickets/{normal_ml.id}")
    assert api_as(malayalam).post("/api/v1/tickets/next").status_code == 204
    assert api_as(make_user("mentor")).post("/api/v1/tickets/next").status_code == 403


def test_two_agents_asking_at_once_never_get_the_same_ticket(app, make_user, make_ticket):
    agents = [make_user("agent", name=f"Agent {n}") for n in range(4)]
    tokens = [issue_token(a) for a in agents]
    tickets = [make_ticket(priority="urgent") for _ in range(3)]
    for _round in range(3):
        barrier = threading.Barrier(len(agents))
        results: list = [None] * len(agents)

        def ask(i: int, barrier=barrier, results=results) -> None:
            client = app.test_client()
            barrier.wait(timeout=10)
            results[i] = client.post(
                "/api/v1/tickets/next", headers={"Authorization": f"Bearer {tokens[i]}"}
            )

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(agents))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        got = [r.json["id"] for r in results if r.status_code == 200]
        assert len(got) == len(set(got)), got
        if _round == 0:
            # Three tickets, four agents: three get one each, one gets nothing.
            assert sorted(got) == sorted(t.id for t in tickets)
            assert sorted(r.status_code for r in results) == [200, 200, 200, 204]
        db.session.expire_all()
        for ticket in tickets:
            assert len(events(ticket.id, "assignee")) == 1
        # Free them again for the next round.
        for ticket in tickets:
            ticket.assignee_id = None
            ticket.status = "open"
            db.session.execute(
                sa.delete(TicketEvent).where(
                    TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "assignee"
                )
            )
        db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 3
