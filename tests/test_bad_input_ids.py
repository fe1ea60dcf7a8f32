"""Ids and whole numbers from outside: out of range (≥ 2^63, or past the 32-bit keys) or
written in other scripts' digits (``²``, ``١``, ``१``) get a 404 or a 422, never a 500."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from helpdesk.validation import MAX_ID, IdConverter

HUGE = [str(2**63), "99999999999999999999", str(MAX_ID + 1), "0"]
UNICODE_DIGITS = ["²", "١", "१", "1²", "٣٤"]


def id_routes(app):
    """(method, path with the id placeholder filled by {}) for every route taking an id."""
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IdConverter) for c in rule._converters.values()):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_no_route_takes_a_bare_int(app):
    """Every id in a path goes through the bounded <id:...> converter."""
    bare = [
        r.rule
        for r in app.url_map.iter_rules()
        if any(type(c) is IntegerConverter for c in r._converters.values())
    ]
    assert bare == []
    assert len(list(id_routes(app))) >= 25


def test_out_of_range_path_ids_are_404_on_every_route(app, client, api_as, make_user, login_as):
    admin = make_user("admin")
    api = api_as(admin)
    login_as(admin)
    seen = 0
    for method, path in id_routes(app):
        for value in HUGE:
            url = path.replace("{}", value)
            caller = api if url.startswith("/api/") else client
            kwargs = {"json": {}} if url.startswith("/api/") and method != "GET" else {}
            res = getattr(caller, method.lower())(url, **kwargs)
            assert res.status_code == 404, (method, url, res.status_code)
            if url.startswith("/api/"):
                assert res.json["error"]["code"] == "not_found"
            seen += 1
    assert seen >= 100


def test_the_largest_id_is_an_ordinary_404(api_as, make_user):
    api = api_as(make_user("agent"))
    assert api.get(f"/api/v1/tickets/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("value", [2**63, 10**20, MAX_ID + 1, 0, -1])
def test_out_of_range_body_ids_are_422(api_as, make_user, make_ticket, value):
    agent = make_user("agent")
    api = api_as(agent)
    ticket = make_ticket(actor=agent)
    for url, body, field in (
        (f"/api/v1/tickets/{ticket.id}", {"assignee": value}, "assignee"),
        (f"/api/v1/tickets/{ticket.id}/escalate", {"mentor": value, "reason": "x"}, "mentor"),
        (f"/api/v1/tickets/{ticket.id}/articles", {"article": value}, "article"),
        ("/api/v1/notifications/read", {"ids": [1, value]}, "ids[1]"),
    ):
        method = api.patch if url.endswith(str(ticket.id)) else api.post
        res = method(url, json=body)
        assert res.status_code == 422, (url, res.json)
        assert field in res.json["error"]["fields"], (url, res.json)


def test_out_of_range_ids_in_query_strings(api_as, make_user, make_ticket, client, login_as):
    agent = make_user("agent")
    api = api_as(agent)
    make_ticket(actor=agent)
    res = api.get("/api/v1/tickets", query_string={"q": "KS-99999999999999999999"})
    assert res.status_code == 200 and res.json["total"] == 0
    res = api.get("/api/v1/tickets", query_string={"assignee": str(2**63)})
    assert res.status_code == 422 and "assignee" in res.json["error"]["fields"]
    for name in ("page", "per_page"):
        res = api.get("/api/v1/tickets", query_string={name: "9" * 20})
        assert res.status_code == 422 and name in res.json["error"]["fields"]
    login_as(agent)
    assert client.get("/tickets", query_string={"q": "ks-99999999999999999999"}).status_code == 200
    assert client.get("/tickets", query_string={"page": "9" * 20}).status_code == 422
    res = client.get("/calls", query_string={"agent": "9" * 20})
    assert res.status_code == 422 and "must be a user id" in res.get_data(as_text=True)


API_NUMBERS = [
    ("/api/v1/tickets", "page"),
    ("/api/v1/tickets", "per_page"),
    ("/api/v1/tickets", "assignee"),
    ("/api/v1/notifications", "page"),
    ("/api/v1/notifications", "per_page"),
    ("/api/v1/kb/search", "limit"),
    ("/api/v1/kb/suggest", "limit"),
    ("/api/v1/reports/trend", "weeks"),
]


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
@pytest.mark.parametrize(("url", "name"), API_NUMBERS)
def test_other_scripts_digits_in_api_numbers_are_422(api_as, make_user, url, name, digits):
    api = api_as(make_user("admin"))
    res = api.get(url, query_string={name: digits})
    assert res.status_code == 422, res.json
    assert name in res.json["error"]["fields"]


@pytest.mark.parametrize("digits", ["²", "١", "+1", "1_0"])
def test_other_scripts_digits_on_pages(client, login_as, make_user, make_ticket, digits):
    agent = make_user("agent")
    ticket = make_ticket(actor=agent)
    login_as(agent)
    assert client.get("/tickets", query_string={"page": digits}).status_code == 422
    assert client.get("/calls", query_string={"page": digits}).status_code == 422
    assert client.get("/calls", query_string={"agent": digits}).status_code == 422
    assert client.get("/kb", query_string={"page": digits}).status_code == 200  # first page
    res = client.post(f"/tickets/{ticket.id}/update", data={"assignee": digits})
    assert res.status_code == 422
    res = client.post(f"/tickets/{ticket.id}/escalate", data={"mentor": digits, "reason": "x"})
    assert res.status_code == 422
    res = client.post(f"/tickets/{ticket.id}/use-article", data={"article": digits})
    assert res.status_code == 422


def test_other_scripts_digits_in_the_sla_policy_form(client, login_as, make_user):
    login_as(make_user("admin"))
    form = {
        "name": "Kerala urgent",
        "priority": "urgent",
        "calendar": "default",
        "first_response_minutes": "²",
        "next_response_minutes": "६०",
        "resolution_minutes": "9" * 20,
        "mentor_response_minutes": "60",
    }
    res = client.post("/admin/sla/policies/new", data=form)
    assert res.status_code == 422
    text = res.get_data(as_text=True)
    assert text.count("a whole number of minutes") == 2
    assert "must be at most 527040" in text


def test_out_of_range_ticket_ids_on_the_console_socket(console_client, make_user):
    socket = console_client(make_user("agent"))
    for value in (2**63, MAX_ID + 1, 0):
        for event in ("ticket.view", "ticket.leave"):
            ack = socket.emit(event, {"ticket_id": value})
            assert ack == {"error": "invalid", "fields": {"ticket_id": "must be a ticket id"}}
    ack = socket.emit("ticket.view", {"ticket_id": MAX_ID})
    assert ack["error"] != "invalid"
