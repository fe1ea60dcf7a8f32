"""Escalation to a mentor who knows the subject, the language and the state."""

import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.tickets.models import TicketEvent


def test_routing_picks_a_fitting_mentor_least_loaded_first(
    api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-KA", district="Tumkur", code="KA-GUBBI")
    agent = api_as(make_user("agent"))
    fits = dict(skills=["business-plan"], languages=["kn", "en"], states=["IN-KA"])
    make_user(
        "mentor", skills=["business-plan"], languages=["hi"], states=["IN-KA"]
    )  # wrong language
    make_user("mentor", skills=["bookkeeping"], languages=["kn"], states=["IN-KA"])  # wrong skill
    make_user("mentor", skills=["business-plan"], languages=["kn"], states=["IN-KL"])  # wrong state
    first, second = make_user("mentor", **fits), make_user("mentor", **fits)
    picked = []
    for _ in range(3):
        ticket = make_ticket(block=block.code, language="kn")
        res = agent.post(
            f"/api/v1/tickets/{ticket.id}/escalate", json={"reason": "Bank wants projections"}
        )
        assert res.status_code == 200, res.json
        assert res.json["status"] == "escalated"
        picked.append(res.json["mentor"]["id"])
    assert picked == [first.id, second.id, first.id]


def test_escalation_is_audited_and_visible_to_the_mentor(
    api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    agent_user = make_user("agent")
    mentor = make_user("mentor", states=["IN-KL"])  # not their state: sees it only once escalated
    ticket = make_ticket(block=block.code)
    assert api_as(mentor).get(f"/api/v1/tickets/{ticket.id}").status_code == 404
    res = api_as(agent_user).post(
        f"/api/v1/tickets/{ticket.id}/escalate",
        json={"mentor": mentor.id, "reason": "Needs MoU expertise"},
    )
    assert res.status_code == 200
    seen = api_as(mentor).get(f"/api/v1/tickets/{ticket.id}").json
    assert seen["mentor"]["id"] == mentor.id
    assert any("Needs MoU expertise" in m["body"] and m["internal"] for m in seen["messages"])
    kinds = {
        (e.kind, e.new_value)
        for e in db.session.scalars(
            sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        )
    }
    assert {("mentor", mentor.email), ("status", "escalated")} <= kinds


def test_escalation_refusals(api_as, make_user, make_ticket):
    agent, brc = make_user("agent"), make_user("brc")
    ticket = make_ticket()
    api = api_as(agent)
    res = api.post(f"/api/v1/tickets/{ticket.id}/escalate", json={"reason": "help"})
    assert res.status_code == 409 and "mentor" in res.json["error"]["fields"]
    res = api.post(
        f"/api/v1/tickets/{ticket.id}/escalate", json={"mentor": agent.id, "reason": "x"}
    )
    assert res.status_code == 422
    assert api.post(f"/api/v1/tickets/{ticket.id}/escalate", json={}).status_code == 422
    assert (
        api_as(brc).post(f"/api/v1/tickets/{ticket.id}/escalate", json={"reason": "x"}).status_code
        == 403
    )
    db.session.refresh(ticket)
    assert ticket.status == "new" and ticket.mentor_id is None
