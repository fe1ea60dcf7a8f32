"""Times read as hours and days ("2 d 4 h", "45 min"), never raw minutes, and 24-hour
clock times: in the SLA report, the SLA admin and the ticket page's SLA chips."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from helpdesk.extensions import db
from helpdesk.sla.configuration import install_defaults
from helpdesk.templating import due_in, duration, working_duration
from helpdesk.tickets import services
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.timeutil import utcnow

IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    "minutes, shown",
    [
        (None, "—"),
        (0, "0 min"),
        (45, "45 min"),
        (60, "1 h"),
        (200, "3 h 20 min"),
        (24 * 60, "1 d"),
        (2 * 24 * 60 + 4 * 60 + 30, "2 d 4 h"),
    ],
)
def test_duration_reads_as_hours_and_days(minutes, shown):
    assert duration(minutes) == shown


def test_business_minutes_read_as_working_days_of_nine_hours():
    assert working_duration(2700) == "5 d" and working_duration(660) == "1 d 2 h"
    assert working_duration(240) == "4 h"


def test_due_in_says_how_long_is_left_or_overdue():
    now = utcnow()
    assert due_in(now + timedelta(minutes=130), now) == "in 2 h 10 min"
    assert due_in(now - timedelta(minutes=45), now) == "45 min overdue"


def test_durations_read_naturally_in_hindi(app):
    now = utcnow()
    with app.test_request_context(), force_locale("hi"):
        assert duration(2 * 24 * 60 + 4 * 60 + 30) == "2 दिन 4 घंटे"
        assert duration(60) == "1 घंटा" and duration(200) == "3 घंटे 20 मिनट"
        assert duration(1) == "1 मिनट" and duration(24 * 60) == "1 दिन"
        assert working_duration(2700) == "5 दिन"
        assert due_in(now + timedelta(minutes=130), now) == "2 घंटे 10 मिनट बाकी"
        assert due_in(now - timedelta(minutes=45), now) == "45 मिनट देर"


def test_sla_admin_shows_targets_in_hours_and_days(client, login_as, make_user, app):
    install_defaults()
    db.session.commit()
    login_as(make_user("manager"))
    page = client.get("/admin/sla").get_data(as_text=True)
    row = page[page.index("<td>Normal</td>") :][:600]
    # Normal: first response 240, next 480, resolution 2700, mentor 540 business minutes.
    for shown in ("<td", ">4 h</td>", ">8 h</td>", ">5 d</td>", ">1 d</td>"):
        assert shown in row, (shown, row)
    assert ">2700<" not in row


def test_the_sla_report_shows_median_times_in_hours(client, login_as, make_user, make_block, app):
    agent = make_user("agent")
    block = make_block()
    created = datetime(2026, 11, 18, 10, 0, tzinfo=IST)  # a Wednesday, working hours
    data = TicketCreate.model_validate(
        {
            "subject": "Loan papers",
            "description": "Which documents?",
            "category": "business-plan",
            "block": block.code,
        }
    )
    ticket = services.create_ticket(data, agent, now=created)
    services.add_message(
        ticket, agent, MessageCreate(body="Bring the MoU."), now=created + timedelta(minutes=150)
    )
    services.update_ticket(
        ticket, agent, TicketUpdate(status="resolved"), now=created + timedelta(hours=26)
    )
    login_as(make_user("manager"))
    page = client.get("/reports/sla?from=2026-11-18&to=2026-11-18&group_by=priority")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    # first response 150 business minutes; resolution 8 h that day + 3 h the next = 11 h
    assert "2 h 30 min / 2 h 30 min" in text and "1 d 2 h / 1 d 2 h" in text


def test_the_ticket_page_says_how_long_is_left(client, login_as, make_user, make_ticket):
    agent = make_user("agent")
    ticket = make_ticket(actor=agent, priority="urgent")
    ticket.first_response_due = utcnow() + timedelta(minutes=25, seconds=30)
    db.session.commit()
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "in 25 min" in page


def test_the_mentor_sees_how_long_is_left_to_answer(client, login_as, make_user, make_ticket):
    mentor = make_user("mentor", skills=["business-plan"], languages=["hi"], states=["IN-JH"])
    ticket = make_ticket()
    ticket.mentor, ticket.status = mentor, "escalated"
    ticket.mentor_response_due = utcnow() - timedelta(minutes=75, seconds=10)
    db.session.commit()
    login_as(mentor)
    assert "1 h 15 min overdue" in client.get("/mentor").get_data(as_text=True)
