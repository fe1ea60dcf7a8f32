"""Escalating to a mentor from the ticket page, the mentor's "Escalated to me" list, and
the notifications both ways: to the mentor on escalation, back to the call-centre when the
mentor answers."""

from datetime import timedelta

import sqlalchemy as sa

from helpdesk.console.models import Notification
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow

FITS = dict(skills=["business-plan"], languages=["hi"], states=["IN-JH"])


def notifications_of(user):
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def test_the_escalate_form_lists_fitting_mentors_and_picks_one_automatically(
    client, make_user, make_block, make_ticket, login_as
):
    block = make_block(state="IN-JH")
    fitting = make_user("mentor", name="Savita Expert", **FITS)
    make_user(
        "mentor", name="Kerala Mentor", skills=["business-plan"], languages=["hi"], states=["IN-KL"]
    )
    agent = make_user("agent", name="Pooja Agent")
    ticket = make_ticket(block=block.code, language="hi")
    login_as(agent)

    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f'action="/tickets/{ticket.id}/escalate"' in page
    assert "Savita Expert" in page and "Kerala Mentor" not in page
    assert "Pick automatically" in page

    res = client.post(
        f"/tickets/{ticket.id}/escalate",
        data={"mentor": "", "reason": "Bank wants a 3-year projection"},
        follow_redirects=True,
    )
    assert res.status_code == 200 and "Escalated to Savita Expert." in res.get_data(as_text=True)
    db.session.expire_all()
    assert ticket.status == "escalated" and ticket.mentor_id == fitting.id
    [note] = notifications_of(fitting)
    assert note.kind == "escalated" and note.ticket_id == ticket.id
    assert "Pooja Agent" in note.text


def test_the_escalate_form_names_a_mentor_and_reports_bad_input(
    client, make_user, make_block, make_ticket, login_as
):
    block = make_block(state="IN-JH")
    chosen = make_user("mentor", **FITS)
    ticket = make_ticket(block=block.code, category="bookkeeping")  # nobody's skill
    login_as(make_user("agent"))

    res = client.post(f"/tickets/{ticket.id}/escalate", data={"mentor": "", "reason": "help"})
    assert res.status_code == 409
    assert "No mentor covers this category" in res.get_data(as_text=True)
    res = client.post(
        f"/tickets/{ticket.id}/escalate", data={"mentor": str(chosen.id), "reason": " "}
    )
    assert res.status_code == 422 and 'id="reason-error"' in res.get_data(as_text=True)
    res = client.post(f"/tickets/{ticket.id}/escalate", data={"mentor": "abc", "reason": "x"})
    assert res.status_code == 422
    db.session.expire_all()
    assert ticket.status == "new" and notifications_of(chosen) == []

    res = client.post(
        f"/tickets/{ticket.id}/escalate",
        data={"mentor": str(chosen.id), "reason": "Knows the CLF's books"},
    )
    assert res.status_code == 302
    db.session.expire_all()
    assert ticket.mentor_id == chosen.id and len(notifications_of(chosen)) == 1


def test_brc_staff_and_mentors_cannot_escalate_from_the_page(
    client, make_user, make_block, make_ticket, login_as
):
    block = make_block(state="IN-JH")
    mentor = make_user("mentor", **FITS)
    brc = make_user("brc", block=block)
    ticket = make_ticket(block=block.code)
    for user in (brc, mentor):
        login_as(user)
        assert "/escalate" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
        res = client.post(f"/tickets/{ticket.id}/escalate", data={"mentor": "", "reason": "x"})
        assert res.status_code == 403, user.role
        client.post("/logout")
    db.session.expire_all()
    assert ticket.mentor_id is None


def test_escalated_to_me_lists_the_mentors_tickets_open_first(
    client, api_as, make_user, make_block, make_ticket, login_as
):
    block = make_block(state="IN-JH")
    me, colleague = make_user("mentor", **FITS), make_user("mentor", **FITS)
    agent = api_as(make_user("agent"))
    mine_solved = make_ticket(block=block.code, subject="Solved loan question")
    mine_open = make_ticket(block=block.code, subject="Open MoU question")
    theirs = make_ticket(block=block.code, subject="Colleague's question")
    never = make_ticket(block=block.code, subject="Never escalated")
    for ticket, mentor in ((mine_solved, me), (mine_open, me), (theirs, colleague)):
        res = agent.post(
            f"/api/v1/tickets/{ticket.id}/escalate",
            json={"mentor": mentor.id, "reason": "expertise"},
        )
        assert res.status_code == 200
    agent.patch(f"/api/v1/tickets/{mine_solved.id}", json={"status": "resolved"})

    login_as(me)
    assert 'href="/mentor"' in client.get("/tickets").get_data(as_text=True)  # nav link
    page = client.get("/mentor").get_data(as_text=True)
    assert "Open MoU question" in page and "Solved loan question" in page
    assert "Colleague" not in page and never.subject not in page
    assert page.index("Open MoU question") < page.index("Solved loan question")
    assert page.count('data-sla="mentor_response"') == 1  # the open one waits on my answer
    assert "Overdue" not in page

    mine_open.mentor_response_due = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert "Overdue · " in client.get("/mentor").get_data(as_text=True)
    client.post("/logout")

    login_as(make_user("agent"))
    assert client.get("/mentor").status_code == 403


def test_the_mentors_public_answer_notifies_the_assignee(
    api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    mentor, state_mentor = make_user("mentor", **FITS), make_user("mentor", states=["IN-JH"])
    escalator, holder = make_user("agent"), make_user("agent")
    ticket = make_ticket(block=block.code)
    api_as(holder).post(f"/api/v1/tickets/{ticket.id}/claim")
    api_as(escalator).post(
        f"/api/v1/tickets/{ticket.id}/escalate", json={"mentor": mentor.id, "reason": "expertise"}
    )

    api_as(mentor).post(
        f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Draft thoughts", "internal": True}
    )
    api_as(state_mentor).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Not escalated to me but I can see it"},
    )
    assert notifications_of(holder) == notifications_of(escalator) == []

    res = api_as(mentor).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Use the SVEP business-plan template."},
    )
    assert res.status_code == 201
    [note] = notifications_of(holder)
    assert note.kind == "mentor.answered" and note.ticket_id == ticket.id
    assert mentor.name in note.text
    assert notifications_of(escalator) == []


def test_without_an_assignee_the_agent_who_escalated_hears_the_answer(
    api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    mentor, escalator = make_user("mentor", **FITS), make_user("agent")
    ticket = make_ticket(block=block.code)
    api_as(escalator).post(f"/api/v1/tickets/{ticket.id}/escalate", json={"reason": "expertise"})
    api_as(mentor).post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Answered."})
    [note] = notifications_of(escalator)
    assert note.kind == "mentor.answered"


def test_notifications_reach_the_mentor_and_the_agent_live_and_no_one_else(
    console_client, api_as, make_user, make_block, make_ticket
):
    block = make_block(state="IN-JH")
    mentor, other_mentor = make_user("mentor", **FITS), make_user("mentor", **FITS)
    agent, other_agent = make_user("agent"), make_user("agent")
    ticket = make_ticket(block=block.code)
    consoles = {u.id: console_client(u) for u in (mentor, other_mentor, agent, other_agent)}

    api_as(agent).post(f"/api/v1/tickets/{ticket.id}/claim")
    res = api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/escalate", json={"mentor": mentor.id, "reason": "expertise"}
    )
    assert res.status_code == 200
    [escalated] = consoles[mentor.id].received("notification", wait=5)
    assert escalated["kind"] == "escalated" and escalated["ticket"] == ticket.id

    api_as(mentor).post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "Here is how."})
    [answered] = consoles[agent.id].received("notification", wait=5)
    assert answered["kind"] == "mentor.answered" and answered["ticket"] == ticket.id

    for bystander in (other_mentor, other_agent):
        assert consoles[bystander.id].received("notification", wait=0.7) == []
    assert [p["kind"] for p in consoles[mentor.id].received("notification")] == ["escalated"]
