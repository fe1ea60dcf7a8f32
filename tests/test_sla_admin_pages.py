"""/admin/sla: admins change policies, calendars and holidays; managers look; others may not.

October 2026 (IST): Wed 7, Thu 8, Fri 9. Normal priority: first response 240 business min.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.sla.configuration import install_defaults
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy
from helpdesk.tickets import services
from helpdesk.tickets.schemas import TicketCreate

IST = ZoneInfo("Asia/Kolkata")


def at(day, hour, minute=0):
    return datetime(2026, 10, day, hour, minute, tzinfo=IST)


@pytest.fixture
def defaults(app):
    install_defaults()
    db.session.commit()


def policy(name):
    return db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == name))


def open_ticket(make_user, make_block, when):
    data = TicketCreate.model_validate(
        {
            "subject": "Loan papers",
            "description": "Which documents?",
            "category": "business-plan",
            "priority": "normal",
            "language": "hi",
            "block": make_block().code,
        }
    )
    return services.create_ticket(data, make_user("agent"), now=when)


def test_who_may_open_the_pages(client, defaults, make_user, login_as):
    assert client.get("/admin/sla").location.startswith("/login")
    login_as(make_user("agent"))
    assert client.get("/admin/sla").status_code == 403
    login_as(make_user("manager"))
    page = client.get("/admin/sla")
    assert page.status_code == 200 and "Normal" in page.text and "Edit" not in page.text
    assert 'href="/admin/sla"' in page.text  # in the navigation
    assert client.get(f"/admin/sla/policies/{policy('Normal').id}").status_code == 403
    assert client.post("/admin/sla/policies/new", data={"name": "x"}).status_code == 403


def test_admin_edits_a_policy_and_open_tickets_are_recomputed(
    client, defaults, make_user, make_block, login_as
):
    ticket = open_ticket(make_user, make_block, at(7, 17))  # 60 Wed + 180 Thu
    assert ticket.first_response_due == at(8, 12)
    login_as(make_user("admin"))
    normal = policy("Normal")
    page = client.get(f"/admin/sla/policies/{normal.id}")
    assert page.status_code == 200 and 'value="240"' in page.text

    form = {
        "first_response_minutes": "abc",
        "next_response_minutes": "480",
        "resolution_minutes": "0",
        "mentor_response_minutes": "240",
        "calendar": "default",
    }
    bad = client.post(f"/admin/sla/policies/{normal.id}", data=form)
    assert bad.status_code == 422
    assert (
        'id="first_response_minutes-error">First response must be a whole number of minutes'
        in bad.text
    )
    assert 'id="resolution_minutes-error">Resolution must be more than 0.' in bad.text
    db.session.expire_all()
    assert policy("Normal").first_response_minutes == 240

    form |= {
        "first_response_minutes": "120",
        "resolution_minutes": "2700",
        "escalate_on_breach": "on",
    }
    saved = client.post(f"/admin/sla/policies/{normal.id}", data=form)
    assert saved.status_code == 302
    db.session.expire_all()
    assert policy("Normal").escalate_on_breach and not policy("Normal").raise_priority_on_breach
    assert ticket.first_response_due == at(8, 10)  # 60 Wed + 60 Thu
    assert "1 open ticket recomputed" in client.get("/admin/sla").text


def test_admin_adds_a_category_and_state_policy(client, defaults, make_user, login_as):
    login_as(make_user("admin"))
    form = {
        "name": "Kerala bank linkage",
        "priority": "high",
        "category": "bank-linkage",
        "state": "IN-KL",
        "first_response_minutes": "30",
        "next_response_minutes": "60",
        "resolution_minutes": "600",
        "mentor_response_minutes": "120",
        "calendar": "default",
        "raise_priority_on_breach": "on",
    }
    assert client.post("/admin/sla/policies/new", data=form).status_code == 302
    added = policy("Kerala bank linkage")
    assert (added.priority, added.category.slug, added.state_code) == (
        "high",
        "bank-linkage",
        "IN-KL",
    )
    assert added.raise_priority_on_breach and not added.escalate_on_breach
    assert "Kerala bank linkage" in client.get("/admin/sla").text

    again = client.post("/admin/sla/policies/new", data=form | {"name": "Another"})
    assert (
        again.status_code == 422
        and "a policy for this priority, category and state exists" in again.text
    )
    nameless = client.post("/admin/sla/policies/new", data=form | {"name": "", "state": "IN-XX"})
    assert nameless.status_code == 422 and 'id="name-error"' in nameless.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlaPolicy)) == 5


def test_holidays_added_and_removed_move_the_due_dates(
    client, defaults, make_user, make_block, login_as
):
    ticket = open_ticket(make_user, make_block, at(7, 17))
    login_as(make_user("admin"))
    calendar = db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == "default"))
    added = client.post(
        f"/admin/sla/calendars/{calendar.id}/holidays",
        data={"day": "2026-10-08", "name": "District election"},
    )
    assert added.status_code == 302
    db.session.expire_all()
    assert ticket.first_response_due == at(9, 12)  # Thursday closed: Friday 12:00
    page = client.get("/admin/sla").text
    assert "Thu 08 Oct 2026 — District election" in page

    twice = client.post(f"/admin/sla/calendars/{calendar.id}/holidays", data={"day": "2026-10-08"})
    assert twice.status_code == 422 and "already a holiday" in twice.text
    empty = client.post(f"/admin/sla/calendars/{calendar.id}/holidays", data={"day": ""})
    assert empty.status_code == 422 and 'id="day-error">Date is required.' in empty.text

    holiday = db.session.scalar(sa.select(SlaHoliday))
    assert client.post(f"/admin/sla/holidays/{holiday.id}/delete").status_code == 302
    db.session.expire_all()
    assert ticket.first_response_due == at(8, 12)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlaHoliday)) == 0


def test_weekly_hours_with_a_lunch_break(client, defaults, make_user, make_block, login_as):
    ticket = open_ticket(make_user, make_block, at(7, 17))
    # resolution 2700: Wed 60, Thu-Sat and Mon 4 x 540, Tue 13 480
    assert ticket.resolution_due == at(13, 17)
    login_as(make_user("admin"))
    calendar = db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == "default"))
    lunch = {f"hours_{d}": "09:00-13:00, 14:00-18:00" for d in range(6)}
    bad = client.post(f"/admin/sla/calendars/{calendar.id}", data=lunch | {"hours_2": "9 to 5"})
    assert bad.status_code == 422 and "write slots as 09:00-13:00, 14:00-18:00" in bad.text
    backwards = client.post(
        f"/admin/sla/calendars/{calendar.id}", data=lunch | {"hours_2": "13:00-09:00"}
    )
    assert backwards.status_code == 422 and "must end after it starts" in backwards.text

    assert (
        client.post(
            f"/admin/sla/calendars/{calendar.id}", data=lunch | {"india_holidays": "on"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert (
        calendar.hours["0"] == [["09:00", "13:00"], ["14:00", "18:00"]]
        and "6" not in calendar.hours
    )
    assert calendar.india_holidays and not calendar.state_holidays
    # eight hours a day now: Wed 60, Thu-Sat and Mon-Tue 5 x 480, Wed 14 the morning's 240
    assert ticket.resolution_due == at(14, 13)
    assert 'value="09:00-13:00, 14:00-18:00"' in client.get("/admin/sla").text


def test_sla_api_creates_policies_and_manages_holidays(api_as, defaults, make_user, make_block):
    ticket = open_ticket(make_user, make_block, at(7, 17))
    admin = api_as(make_user("admin"))
    created = admin.post(
        "/api/v1/sla/policies",
        json={
            "name": "Odisha",
            "priority": "normal",
            "state": "IN-OD",
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 900,
            "mentor_response_minutes": 120,
        },
    )
    assert created.status_code == 201 and created.json["state"] == "IN-OD"
    assert api_as(make_user("manager")).post("/api/v1/sla/policies", json={}).status_code == 403

    holiday = admin.post("/api/v1/sla/calendars/default/holidays", json={"day": "2026-10-08"})
    assert holiday.status_code == 201
    db.session.expire_all()
    assert ticket.first_response_due == at(9, 12)
    [calendar] = admin.get("/api/v1/sla/calendars").json["items"]
    assert calendar["holidays"] == [{"id": holiday.json["id"], "day": "2026-10-08", "name": ""}]
    assert admin.delete(f"/api/v1/sla/holidays/{holiday.json['id']}").status_code == 204
    db.session.expire_all()
    assert ticket.first_response_due == at(8, 12)

    put = admin.put("/api/v1/sla/calendars/default", json={"hours": {"0": [["09:00"]]}})
    assert put.status_code == 422 and "hours" in put.json["error"]["fields"]
    agent = api_as(make_user("agent"))
    assert (
        agent.put(
            "/api/v1/sla/calendars/default", json={"hours": {"0": [["09:00", "18:00"]]}}
        ).status_code
        == 403
    )
