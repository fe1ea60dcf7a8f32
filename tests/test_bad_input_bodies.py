"""Hostile bodies: JSON nested 100k deep, chunked bodies over the size limit, 50,000
unknown keys; a mentor opening tickets out of reach; a locked SQLite database."""

import http.client
import io
import sqlite3
import threading
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from config import TestingConfig
from helpdesk import create_app
from helpdesk.agents.services import create_user
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from tests.test_bad_input import GOOD, row_counts

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


@pytest.fixture
def gateways(app):
    app.config.update(CTI_TOKEN="cti", SMS_TOKEN="sms", SMS_DEFAULT_BLOCK=None)
    return {"X-CTI-Token": "cti", "X-SMS-Token": "sms"}


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
@pytest.mark.parametrize(
    "url", ["/api/v1/auth/tokens", "/api/v1/cti/events", "/api/v1/sms/inbound"]
)
def test_deeply_nested_json_is_400_without_signing_in(client, gateways, url, body):
    res = client.post(url, data=body, headers=gateways | {"Content-Type": "application/json"})
    assert res.status_code == 400
    assert res.json["error"]["code"] == "bad_request"


def test_deeply_nested_json_is_400_for_signed_in_callers(api_as, make_user, make_block):
    make_block(code="JH-KHUNTPANI")
    api = api_as(make_user("admin"))
    before = row_counts()
    for url in ("/api/v1/tickets", "/api/v1/tickets/import", "/api/v1/kb/articles"):
        res = api.post(url, data=DEEP, headers={"Content-Type": "application/json"})
        assert res.status_code == 400, url
    # Nested just within what the parser takes: the fields are named, not a 500.
    deep_list: list = []
    for _ in range(500):
        deep_list = [deep_list]
    requester = {"name": "Rekha", "phone": "9876543210", "x": deep_list}
    res = api.post("/api/v1/tickets", json=GOOD | {"requester": requester})
    assert res.status_code == 422 and "requester.x" in res.json["error"]["fields"]
    assert row_counts() == before


def _chunked(client, url, payload: bytes, content_type: str, headers=None):
    """A body with no Content-Length, as servers hand chunked requests to the app."""
    return client.post(
        url,
        input_stream=io.BytesIO(payload),
        headers={"Content-Type": content_type} | (headers or {}),
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_bodies_over_the_limit_are_413(app, client, api_as, make_user, gateways):
    big_json = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'", "password": "x"}'
    res = _chunked(client, "/api/v1/auth/tokens", big_json, "application/json")
    assert res.status_code == 413 and res.json["error"]["code"] == "payload_too_large"
    res = _chunked(client, "/api/v1/sms/inbound", big_json, "application/json", gateways)
    assert res.status_code == 413
    token = api_as(make_user("agent")).headers
    res = _chunked(client, "/api/v1/tickets", big_json, "application/json", token)
    assert res.status_code == 413
    big_form = b"email=" + b"a" * (2 * 1024 * 1024) + b"&password=x"
    res = _chunked(client, "/login", big_form, "application/x-www-form-urlencoded")
    assert res.status_code == 413
    # exactly at the limit is still read whole; one byte over is not
    limit = app.config["MAX_CONTENT_LENGTH"]
    pad = b'{"email": "x", "password": "' + b"p" * 10 + b'"}'
    at_limit = pad[:-2] + b" " * (limit - len(pad)) + pad[-2:]
    assert len(at_limit) == limit
    assert _chunked(client, "/api/v1/auth/tokens", at_limit, "application/json").status_code == 422
    over = at_limit[:-1] + b"  }"
    assert _chunked(client, "/api/v1/auth/tokens", over, "application/json").status_code == 413


def test_a_small_chunked_body_is_read_whole(client, make_user):
    user = make_user("agent")
    body = f'{{"email": "{user.email}", "password": "correct-horse-1"}}'.encode()
    res = _chunked(client, "/api/v1/auth/tokens", body, "application/json")
    assert res.status_code == 201


def test_chunked_413_through_a_real_server(live_server):
    """The werkzeug server hands chunked bodies over as gunicorn does (no Content-Length)."""
    address = urlsplit(live_server)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    payload = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    chunks = (payload[i : i + 65536] for i in range(0, len(payload), 65536))
    conn.request(
        "POST",
        "/api/v1/auth/tokens",
        body=chunks,
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert response.status == 413
    conn.close()


def test_a_body_over_the_limit_is_413_on_every_kind_of_route(client, api_as, make_user, gateways):
    big = {"text": "x" * (1024 * 1024 + 10), "from": "9876543210"}
    assert client.post("/api/v1/sms/inbound", json=big, headers=gateways).status_code == 413
    api = api_as(make_user("admin"))
    assert api.post("/api/v1/kb/articles", json={"body": "x" * 1_100_000}).status_code == 413
    res = client.post("/login", data={"email": "x" * 1_100_000, "password": "y"})
    assert res.status_code == 413


def test_fifty_thousand_unknown_keys_get_a_short_answer(api_as, make_user, make_block):
    make_block(code="JH-KHUNTPANI")
    api = api_as(make_user("agent"))
    body = GOOD | {f"k{i}": i for i in range(50_000)}
    before = row_counts()
    res = api.post("/api/v1/tickets", json=body)
    assert res.status_code == 422
    assert len(res.get_data()) < 4000
    error = res.json["error"]
    assert len(error["fields"]) == 20
    assert error["fields"]["k0"] == "unknown field"
    assert error["fields_omitted"] == 50_000 - 20
    assert "50000 problems" in error["message"]
    assert row_counts() == before


def test_a_few_bad_fields_are_all_named(api_as, make_user):
    res = api_as(make_user("agent")).post("/api/v1/tickets", json={"a": 1, "b": 2})
    error = res.json["error"]
    assert set(error["fields"]) >= {"a", "b", "subject", "description", "category"}
    assert "fields_omitted" not in error


@pytest.fixture
def kerala_mentor(make_user, make_block):
    make_block(code="JH-KHUNTPANI", state="IN-JH")
    make_block(code="KL-VADAVUCODE", name="Vadavucode", district="Ernakulam", state="IN-KL")
    return make_user("mentor", states=["IN-KL"], languages=["ml"], skills=["business-plan"])


def test_mentors_open_tickets_only_in_their_states(api_as, kerala_mentor):
    api = api_as(kerala_mentor)
    before = row_counts()
    res = api.post("/api/v1/tickets", json=GOOD | {"block": "JH-KHUNTPANI"})
    assert res.status_code == 403, res.json
    assert res.json["error"]["fields"] == {"block": "outside your states"}
    assert row_counts() == before
    res = api.post("/api/v1/tickets", json=GOOD | {"block": "KL-VADAVUCODE", "language": "ml"})
    assert res.status_code == 201
    # ... and what they opened, they see
    assert api.get(f"/api/v1/tickets/{res.json['id']}").status_code == 200


def test_a_mentors_import_outside_their_states_is_refused(api_as, make_user, kerala_mentor):
    manager = make_user("manager")
    item = GOOD | {
        "block": "JH-KHUNTPANI",
        "created_at": "2026-01-05T10:00:00+05:30",
        "created_by": kerala_mentor.email,
    }
    res = api_as(manager).post("/api/v1/tickets/import", json={"tickets": [item]})
    assert res.status_code == 422 and "tickets[0].block" in res.json["error"]["fields"]


def test_a_locked_sqlite_database_is_a_503_not_a_500(tmp_path):
    """Another writer holds SQLite's lock past the busy timeout: the caller is told to
    retry (503, Retry-After). This runs on its own SQLite file whatever the suite's
    database is."""
    path = tmp_path / "locked.sqlite3"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        SEARCH_INDEX_DIR = str(tmp_path / "index" / "kb")
        SQLITE_BUSY_TIMEOUT_S = 0.3

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() == 300
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        create_user(email="a@example.org", name="A", role="agent", password="pw-123456")
        db.session.remove()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        started = time.monotonic()
        res = app.test_client().post(
            "/api/v1/auth/tokens", json={"email": "a@example.org", "password": "pw-123456"}
        )
        assert res.status_code == 503, res.json
        assert res.json["error"]["code"] == "busy"
        assert res.headers["Retry-After"] == "5"
        assert time.monotonic() - started < 10
    finally:
        other.execute("ROLLBACK")
        other.close()
    res = app.test_client().post(
        "/api/v1/auth/tokens", json={"email": "a@example.org", "password": "pw-123456"}
    )
    assert res.status_code == 201
    with app.app_context():
        db.engine.dispose()


def test_the_default_busy_timeout_is_generous():
    assert TestingConfig.SQLITE_BUSY_TIMEOUT_S >= 30


def test_concurrent_writers_wait_rather_than_fail(app, api_as, make_user, make_block):
    """Eight API clients opening tickets at once all succeed (SQLite: they queue for the
    write lock; PostgreSQL: they write side by side)."""
    make_block(code="JH-KHUNTPANI")
    tokens = [api_as(make_user("agent")) for _ in range(8)]
    results: list[int] = []

    def open_one(api, n):
        requester = {"name": f"Caller {n}", "phone": f"98765432{n:02d}"}
        results.append(
            api.post("/api/v1/tickets", json=GOOD | {"requester": requester}).status_code
        )

    threads = [threading.Thread(target=open_one, args=(api, n)) for n, api in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [201] * 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 8
