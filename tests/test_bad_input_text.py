"""Text from outside: NUL characters (PostgreSQL refuses them), texts that are only
invisible characters, CR/LF in redirect targets and spreadsheet formulas in CSV cells."""

import pytest
import sqlalchemy as sa

from helpdesk.calls.models import SmsMessage
from helpdesk.extensions import db
from helpdesk.reports.csv_export import safe_cell
from helpdesk.tickets.models import Message, Ticket
from tests.test_bad_input import GOOD, row_counts

NUL = "\x00"
INVISIBLE = ["\u200b", "\u200b \ufeff", " \u2060\u200c\u200d ", "\u00ad\t\u200b"]


@pytest.fixture
def agent_api(api_as, make_user, make_block):
    make_block(code="JH-KHUNTPANI", name="Khuntpani")
    return api_as(make_user("agent"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "Loan\x00 papers"}, "subject"),
        ({"description": "\x00"}, "description"),
        ({"category": "business-plan\x00"}, "category"),
        ({"block": "JH-KHUNTPANI\x00"}, "block"),
        ({"requester": {"name": "Re\x00kha", "phone": "9876543210"}}, "requester.name"),
        ({"requester": {"name": "Rekha", "phone": "98765\x0043210"}}, "requester.phone"),
    ],
)
def test_nul_in_a_body_field_is_422_naming_it(agent_api, change, field):
    before = row_counts()
    res = agent_api.post("/api/v1/tickets", json=GOOD | change)
    assert res.status_code == 422, res.json
    assert res.json["error"]["fields"][field] == "must not contain NUL characters"
    assert row_counts() == before


def test_nul_anywhere_in_the_api_is_refused(app, api_as, make_user, make_ticket, client):
    app.config.update(SMS_TOKEN="sms", CTI_TOKEN="cti")
    admin = make_user("admin")
    api = api_as(admin)
    ticket = make_ticket(actor=admin)
    before = row_counts()
    cases = [
        (api.post, f"/api/v1/tickets/{ticket.id}/messages", {"body": "ok\x00"}, "body"),
        (
            api.post,
            "/api/v1/kb/articles",
            {"title": "T\x00x", "body": "b", "category": "x"},
            "title",
        ),
        (
            api.post,
            "/api/v1/kb/articles",
            {"title": "Tax", "body": "b", "category": "x", "tags": ["a", "b\x00"]},
            "tags",
        ),
        (
            api.post,
            "/api/v1/blocks",
            {"code": "X\x00", "name": "n", "district": "d", "state": "IN-JH"},
            "code",
        ),
        (
            api.put,
            "/api/v1/sla/calendars/default",
            {"hours": {"0": [["09:00", "18:00\x00"]]}},
            "hours",
        ),
        (client.post, "/api/v1/auth/tokens", {"email": "a\x00@b.c", "password": "x"}, "email"),
    ]
    for method, url, body, field in cases:
        res = method(url, json=body)
        assert res.status_code == 422, (url, res.json)
        assert field in res.json["error"]["fields"], (url, res.json)
    res = client.post(
        "/api/v1/sms/inbound",
        json={"from": "9876543210", "text": "hi\x00"},
        headers={"X-SMS-Token": "sms"},
    )
    assert res.status_code == 422 and "text" in res.json["error"]["fields"]
    res = client.post(
        "/api/v1/cti/events",
        json={"event": "newCall", "call_id": "c\x001", "from": "9876543210"},
        headers={"X-CTI-Token": "cti"},
    )
    assert res.status_code == 422 and "call_id" in res.json["error"]["fields"]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/api/v1/tickets", {"block": "JH\x00"}, "block"),
        ("/api/v1/tickets", {"q": "loan\x00"}, "q"),
        ("/api/v1/tickets", {"state": "IN-JH", "category": "\x00"}, "category"),
        ("/api/v1/kb/search", {"q": "\x00"}, "q"),
        ("/api/v1/contacts/lookup", {"phone": "98765\x0043210"}, "phone"),
        ("/api/v1/reports/sla", {"group_by": "state\x00"}, "group_by"),
    ],
)
def test_nul_in_a_query_parameter_is_422(api_as, make_user, url, query, field):
    res = api_as(make_user("admin")).get(url, query_string=query)
    assert res.status_code == 422, res.json
    assert res.json["error"]["fields"][field] == "must not contain NUL characters"


def test_nul_in_a_path_segment_is_422(api_as, make_user):
    res = api_as(make_user("admin")).put(
        "/api/v1/sla/calendars/def%00ault", json={"hours": {"0": [["09:00", "18:00"]]}}
    )
    assert res.status_code == 422 and "name" in res.json["error"]["fields"]


def test_nul_in_web_forms_and_page_queries(client, login_as, make_user, make_block):
    make_block(code="JH-KHUNTPANI")
    agent = make_user("agent")
    res = client.post("/login", data={"email": agent.email + "\x00", "password": "x"})
    assert res.status_code == 422
    login_as(agent)
    form = {
        "subject": "Loan\x00 papers",
        "description": "Which documents?",
        "category": "business-plan",
        "block": "JH-KHUNTPANI",
        "priority": "normal",
        "channel": "phone",
        "language": "hi",
    }
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
    assert client.post("/tickets/new", data=form).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == before
    assert client.get("/tickets", query_string={"block": "\x00"}).status_code == 422
    assert client.get("/kb/search", query_string={"q": "\x00"}).status_code == 422


@pytest.mark.parametrize("text", ["", " ", *INVISIBLE])
def test_an_sms_of_nothing_visible_opens_no_ticket(app, client, text):
    app.config.update(SMS_TOKEN="sms", SMS_DEFAULT_BLOCK=None)
    res = client.post(
        "/api/v1/sms/inbound",
        json={"from": "9876543210", "text": text},
        headers={"X-SMS-Token": "sms"},
    )
    assert res.status_code == 422, res.json
    assert "text" in res.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsMessage)) == 0


def test_an_invisible_sms_reply_adds_nothing(app, client, make_ticket):
    app.config["SMS_TOKEN"] = "sms"
    ticket = make_ticket(requester={"name": "Sunita Devi", "phone": "9876543210"})
    before = len(ticket.messages)
    res = client.post(
        "/api/v1/sms/inbound",
        json={"from": "9876543210", "text": "\u200b\u200b"},
        headers={"X-SMS-Token": "sms"},
    )
    assert res.status_code == 422
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Message).where(Message.ticket_id == ticket.id)
        )
        == before
    )
    # Zero-width joiners inside a word are part of it and stay.
    res = client.post(
        "/api/v1/sms/inbound",
        json={"from": "9876543210", "text": "\u200bक्\u200dष ऋण\u200b"},
        headers={"X-SMS-Token": "sms"},
    )
    assert res.status_code == 201
    assert db.session.get(Message, res.json["message"]).body == "क्\u200dष ऋण"


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_subjects_and_replies_are_empty(agent_api, make_ticket, text):
    res = agent_api.post("/api/v1/tickets", json=GOOD | {"subject": text + "ab" + text})
    assert res.status_code == 422 and "subject" in res.json["error"]["fields"]
    ticket = make_ticket(block="JH-KHUNTPANI")
    res = agent_api.post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": text})
    assert res.status_code == 422 and "body" in res.json["error"]["fields"]


@pytest.mark.parametrize(
    "target",
    [
        "/tickets\r\nSet-Cookie: evil=1",
        "/tickets\nLocation: https://evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "//evil.example",
        "https://evil.example/",
        "/tickets%0d%0aSet-Cookie:%20evil=1\r",
    ],
)
def test_unsafe_next_targets_are_ignored(client, make_user, target):
    agent = make_user("agent")
    res = client.post(
        "/login",
        query_string={"next": target},
        data={"email": agent.email, "password": "correct-horse-1"},
    )
    assert res.status_code == 302
    assert res.headers["Location"] == "/tickets"
    assert "evil" not in str(res.headers)


def test_a_safe_next_target_is_followed(client, make_user):
    agent = make_user("agent")
    res = client.post(
        "/login",
        query_string={"next": "/kb?q=loan"},
        data={"email": agent.email, "password": "correct-horse-1"},
    )
    assert res.status_code == 302 and res.headers["Location"] == "/kb?q=loan"


def test_csv_cells_starting_with_full_width_signs_are_escaped(
    api_as, make_user, make_block, make_ticket
):
    for text in ("＝1+1", "＋91", "－2", "＠SUM(A1)", "﹦HYPERLINK(1)", "﹢1", "﹣1", "﹫x"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("ｋｈｕｎｔｐａｎｉ") == "ｋｈｕｎｔｐａｎｉ"
    evil = make_block(code="JH-FW", name='＝HYPERLINK("http://evil.example")')
    make_ticket(block=evil.code)
    res = api_as(make_user("manager")).get("/api/v1/reports/sla?group_by=block&format=csv")
    line = next(row for row in res.get_data(as_text=True).splitlines() if row.startswith("JH-FW"))
    assert line.startswith("JH-FW,\"'＝HYPERLINK(")
