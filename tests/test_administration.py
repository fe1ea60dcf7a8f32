"""Administration in the browser: each change is in the admin audit with who, when and
old → new; the rules (retired categories, calendars in use, default policies, special
hours) hold; managers look but do not change."""

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from helpdesk.administration.models import AdminAuditEntry
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.configuration import install_defaults
from helpdesk.sla.models import SlaCalendar, SlaPolicy
from helpdesk.tickets.models import Category, Ticket
from helpdesk.timeutil import IST


@pytest.fixture
def defaults(app):
    install_defaults()
    db.session.commit()


def audit_rows() -> list[tuple]:
    return list(
        db.session.execute(
            sa.select(
                AdminAuditEntry.subject,
                AdminAuditEntry.subject_key,
                AdminAuditEntry.action,
                AdminAuditEntry.old_value,
                AdminAuditEntry.new_value,
            ).order_by(AdminAuditEntry.id)
        )
    )


def test_block_rename_and_move_are_audited(client, login_as, make_user, make_block):
    admin = make_user("admin", name="Anita Admin")
    block = make_block(code="JH-KHP", name="Khuntpani")
    login_as(admin)
    answer = client.post(
        f"/admin/blocks/{block.id}",
        data={"name": "Khunti", "district": "Khunti", "state": "IN-JH"},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert block.name == "Khunti" and block.district.name == "Khunti"
    assert audit_rows() == [
        ("block", "JH-KHP", "renamed", "Khuntpani", "Khunti"),
        ("block", "JH-KHP", "moved", "West Singhbhum, IN-JH", "Khunti, IN-JH"),
    ]
    entry = db.session.scalar(sa.select(AdminAuditEntry))
    assert entry.actor_id == admin.id and entry.at is not None
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Anita Admin" in page and "Khuntpani" in page and "West Singhbhum, IN-JH" in page

    added = client.post(
        "/admin/blocks",
        data={"code": "KL-VDC", "name": "Vadavucode", "district": "Ernakulam", "state": "IN-KL"},
    )
    assert added.status_code == 302
    assert audit_rows()[-1] == ("block", "KL-VDC", "created", None, "Vadavucode (Ernakulam, IN-KL)")


def test_a_retired_category_is_not_offered_but_old_tickets_keep_it(
    client, api_as, login_as, make_user, make_ticket
):
    admin = make_user("admin")
    old = make_ticket(category="training")
    login_as(admin)
    training = db.session.scalar(sa.select(Category).where(Category.slug == "training"))
    client.post(f"/admin/categories/{training.id}", data={"action": "retire"})
    client.post(f"/admin/categories/{training.id}", data={"action": "rename", "name": "Courses"})
    assert audit_rows() == [
        ("category", "training", "retired", "in use", "retired"),
        ("category", "training", "renamed", "Training courses (CREAM, TEAM, TED)", "Courses"),
    ]
    agent = api_as(make_user("agent"))
    slugs = [c["slug"] for c in agent.get("/api/v1/categories").json["items"]]
    assert "training" not in slugs
    everything = agent.get("/api/v1/categories?retired=1").json["items"]
    assert {"slug": "training", "retired": True}.items() <= next(
        c for c in everything if c["slug"] == "training"
    ).items()
    assert 'value="training"' not in client.get("/tickets/new").get_data(as_text=True)
    refused = agent.post(
        "/api/v1/tickets",
        json={
            "subject": "TED course dates",
            "description": "When is the next TED course?",
            "category": "training",
            "block": old.block.code,
            "requester": {"name": "Sunita", "phone": "9876543210"},
        },
    )
    assert refused.status_code == 422 and "retired" in refused.json["error"]["fields"]["category"]
    db.session.expire_all()
    assert agent.get(f"/api/v1/tickets/{old.id}").json["category"] == "training"
    # The old ticket can still be changed in other ways.
    assert agent.patch(f"/api/v1/tickets/{old.id}", json={"priority": "high"}).status_code == 200

    api_admin = api_as(admin)
    created = api_admin.post("/api/v1/categories", json={"slug": "haat", "name": "Weekly haats"})
    assert created.status_code == 201
    restored = api_admin.patch("/api/v1/categories/training", json={"retired": False})
    assert restored.status_code == 200 and restored.json["retired"] is False
    assert audit_rows()[-2:] == [
        ("category", "haat", "created", None, "Weekly haats"),
        ("category", "training", "restored", "retired", "in use"),
    ]
    assert (
        api_as(make_user("manager"))
        .post("/api/v1/categories", json={"slug": "x", "name": "X"})
        .status_code
        == 403
    )


def test_a_calendar_name_must_be_1_to_60_characters_however_it_is_set(make_user, defaults):
    """The rule lives in the SLA configuration, so every caller of the service obeys it."""
    from helpdesk.administration import services as admin
    from helpdesk.errors import ValidationFailed

    actor = make_user("admin")
    for name in ("   ", "K" * 61):
        with pytest.raises(ValidationFailed):
            admin.add_calendar(actor, name)
    kerala = admin.add_calendar(actor, "  Kerala  ")
    assert kerala.name == "Kerala"
    with pytest.raises(ValidationFailed):
        admin.rename_calendar(actor, kerala, "K" * 61)
    db.session.rollback()
    names = set(db.session.scalars(sa.select(SlaCalendar.name)))
    assert names == {"default", "Kerala"}
    assert audit_rows() == [("sla_calendar", "Kerala", "created", None, "Kerala")]


def test_calendars_renamed_with_their_policies_and_deleted_only_when_unused(
    client, login_as, make_user, defaults
):
    login_as(make_user("admin"))
    client.post("/admin/sla/calendars", data={"name": "Kerala"})
    kerala = db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == "Kerala"))
    assert kerala.hours == {str(d): [["09:00", "18:00"]] for d in range(6)}
    urgent = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.priority == "urgent"))
    urgent.calendar = "Kerala"
    db.session.commit()

    client.post(f"/admin/sla/calendars/{kerala.id}/rename", data={"name": "Kerala BNS-EP"})
    db.session.expire_all()
    assert kerala.name == "Kerala BNS-EP" and urgent.calendar == "Kerala BNS-EP"
    refused = client.post(f"/admin/sla/calendars/{kerala.id}/delete", follow_redirects=True)
    assert "used by Urgent" in refused.get_data(as_text=True)
    default = db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == "default"))
    client.post(f"/admin/sla/calendars/{default.id}/delete")
    urgent.calendar = "default"
    db.session.commit()
    client.post(f"/admin/sla/calendars/{kerala.id}/delete")
    assert db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.id == kerala.id)) is None
    assert audit_rows() == [
        ("sla_calendar", "Kerala", "created", None, "Kerala"),
        ("sla_calendar", "Kerala", "renamed", "Kerala", "Kerala BNS-EP"),
        ("sla_calendar", "Kerala BNS-EP", "deleted", "Kerala BNS-EP", None),
    ]


def test_policies_delete_except_the_defaults_and_tickets_move_on(
    client, login_as, make_user, make_ticket, defaults
):
    admin = make_user("admin")
    login_as(admin)
    narrow = SlaPolicy(
        name="Urgent Jharkhand",
        priority="urgent",
        state_code="IN-JH",
        first_response_minutes=10,
        next_response_minutes=20,
        resolution_minutes=100,
        mentor_response_minutes=30,
        calendar="default",
    )
    db.session.add(narrow)
    db.session.commit()
    ticket = make_ticket(priority="urgent")
    assert ticket.sla_policy == "Urgent Jharkhand"
    default = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == "Urgent"))
    kept = client.post(f"/admin/sla/policies/{default.id}/delete", follow_redirects=True)
    assert "default policy of a priority cannot be deleted" in kept.get_data(as_text=True)
    client.post(f"/admin/sla/policies/{narrow.id}/delete")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).sla_policy == "Urgent"
    assert audit_rows() == [("sla_policy", "Urgent Jharkhand", "deleted", "Urgent Jharkhand", None)]


def test_a_date_with_special_hours_or_closed(client, login_as, make_user, defaults):
    login_as(make_user("admin"))
    default = db.session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == "default"))
    client.post(
        f"/admin/sla/calendars/{default.id}/holidays",
        data={"day": "2026-10-10", "name": "Half day", "hours": "10:00-13:00"},
    )
    client.post(f"/admin/sla/calendars/{default.id}/holidays", data={"day": "2026-10-12"})
    bad = client.post(
        f"/admin/sla/calendars/{default.id}/holidays", data={"day": "2026-10-13", "hours": "late"}
    )
    assert bad.status_code == 422
    assert audit_rows() == [
        ("hours_exception", "default 2026-10-10", "created", None, "10:00-13:00 (Half day)"),
        ("hours_exception", "default 2026-10-12", "created", None, "closed"),
    ]
    page = client.get("/admin/sla").get_data(as_text=True)
    assert "Sat 10 Oct 2026: open 10:00-13:00 — Half day" in page


def test_special_hours_replace_the_weekday_in_business_time():
    saturday, monday = date(2026, 10, 10), date(2026, 10, 12)
    calendar = BusinessCalendar(special_hours={saturday: [("10:00", "13:00")]}, holidays={monday})
    start = datetime(2026, 10, 10, 9, 0, tzinfo=IST)
    assert calendar.add_minutes(start, 60) == datetime(2026, 10, 10, 11, 0, tzinfo=IST)
    # 2 h left on Saturday, Sunday and Monday closed: Tuesday 10:00.
    assert calendar.add_minutes(start, 240) == datetime(2026, 10, 13, 10, 0, tzinfo=IST)
    # Whole weeks counted arithmetically agree with stepping day by day.
    a, b = datetime(2026, 9, 1, tzinfo=IST), datetime(2026, 11, 30, tzinfo=IST)
    plain = BusinessCalendar()
    assert calendar.minutes_between(a, b) == plain.minutes_between(a, b) - 6 * 60 - 9 * 60
    # A special day on a public holiday opens it.
    republic_day = date(2027, 1, 26)
    opened = BusinessCalendar(
        india_holidays=True, special_hours={republic_day: [("09:00", "10:00")]}
    )
    assert opened.working_intervals(republic_day)


def test_managers_look_but_do_not_change(client, login_as, make_user, make_block):
    block = make_block()
    login_as(make_user("manager"))
    assert client.get("/admin/blocks").status_code == 200
    assert client.get("/admin/categories").status_code == 200
    assert client.get("/admin/audit").status_code == 200
    assert client.post(f"/admin/blocks/{block.id}", data={"name": "X"}).status_code == 403
    login_as(make_user("agent"))
    assert client.get("/admin/audit").status_code == 403
    assert audit_rows() == []
    db.session.expire_all()
    assert db.session.get(Block, block.id).name != "X"


def input_tag(page: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page).group(0)


def test_a_block_form_with_a_missing_field_says_which_and_keeps_what_was_typed(
    client, login_as, make_user
):
    login_as(make_user("admin"))
    refused = client.post(
        "/admin/blocks", data={"code": "KL-VDC", "name": "", "district": "Ernakulam"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in input_tag(page, "f-name")
    assert 'id="name-error"' in page and 'id="state-error"' in page
    code = input_tag(page, "f-code")
    assert 'value="KL-VDC"' in code and "aria-invalid" not in code
    assert db.session.scalar(sa.select(Block).filter_by(code="KL-VDC")) is None


@pytest.mark.parametrize(
    ("language", "message"), [("en", "enterprise or convergence"), ("hi", "उद्यम या कन्वर्जेंस")]
)
def test_a_category_form_with_an_unknown_domain_says_so_at_the_domain_field(
    client, login_as, make_user, language, message
):
    admin = make_user("admin")
    admin.ui_language = language
    db.session.commit()
    login_as(admin)
    refused = client.post(
        "/admin/categories", data={"slug": "haat", "name": "Weekly haats", "domain": "farming"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    select = re.search(r'<select id="f-domain"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in select and 'aria-describedby="domain-error"' in select
    assert f'<p class="field-error" id="domain-error">{message}</p>' in page
    assert 'value="haat"' in input_tag(page, "f-slug")  # what was typed stays
    assert db.session.scalar(sa.select(Category).filter_by(slug="haat")) is None
    assert audit_rows() == []
