"""Bearer tokens expire, can be revoked by the client holding them, and note their last
use without a write on every request."""

from datetime import UTC, datetime, timedelta

import pytest
import socketio
import sqlalchemy as sa

from helpdesk.agents.models import ApiToken
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow
from tests.conftest import PASSWORD, ConsoleClient


def new_token(client, user) -> dict:
    res = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert res.status_code == 201, res.json
    return res.json


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def token_row(token: str) -> ApiToken:
    db.session.expire_all()
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))


def test_a_new_token_says_when_it_expires(app, client, make_user):
    agent = make_user("agent")
    body = new_token(client, agent)
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"] == {
        "id": agent.id,
        "email": agent.email,
        "name": agent.name,
        "role": "agent",
    }
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)

    app.config["API_TOKEN_DAYS"] = 2
    expires = datetime.fromisoformat(new_token(client, agent)["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=2))) < timedelta(minutes=1)


def test_an_expired_token_is_refused(client, make_user):
    token = new_token(client, make_user("agent"))["token"]
    assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
    row = token_row(token)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    res = client.get("/api/v1/tickets", headers=bearer(token))
    assert res.status_code == 401
    assert res.json["error"]["code"] == "unauthorized" and res.json["error"]["fields"] == {}


def test_delete_current_revokes_only_the_token_it_is_sent_with(client, login_as, make_user):
    agent = make_user("agent")
    first, second = new_token(client, agent)["token"], new_token(client, agent)["token"]

    res = client.delete("/api/v1/auth/tokens/current", headers=bearer(first))
    assert res.status_code == 204 and res.data == b""
    assert token_row(first).revoked_at is not None
    assert client.get("/api/v1/tickets", headers=bearer(first)).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/tickets", headers=bearer(second)).status_code == 200

    # A browser session has no token to revoke; without any credentials it is a 401.
    assert client.delete("/api/v1/auth/tokens/current").status_code == 401
    login_as(agent)
    res = client.delete("/api/v1/auth/tokens/current")
    assert res.status_code == 400 and res.json["error"]["code"] == "bad_request"


def test_last_use_is_written_at_most_once_a_minute(client, make_user):
    token = new_token(client, make_user("agent"))["token"]
    assert token_row(token).last_used_at is None
    writes = []

    def count_token_writes(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count_token_writes)
    try:
        for _ in range(5):
            assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
        assert len(writes) == 1
        first_use = token_row(token).last_used_at
        assert utcnow() - first_use < timedelta(minutes=1)

        row = token_row(token)
        row.last_used_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
        writes.clear()
        for _ in range(3):
            assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
        assert len(writes) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count_token_writes)
    assert token_row(token).last_used_at >= first_use


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_the_console_socket_refuses_a_dead_token(live_server, client, make_user, how):
    token = new_token(client, make_user("agent"))["token"]
    live = ConsoleClient(live_server, token).connect()
    assert live.sio.connected
    live.close()
    row = token_row(token)
    if how == "revoked":
        row.revoked_at = utcnow()
    else:
        row.expires_at = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.commit()
    with pytest.raises(socketio.exceptions.ConnectionError):
        ConsoleClient(live_server, token).connect()


def test_the_openapi_describes_expiry_and_revocation(client):
    spec = client.get("/api/v1/openapi.json").json
    create = spec["paths"]["/api/v1/auth/tokens"]["post"]
    schema_ref = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    answer = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert {"token", "expires_at", "user"} <= set(answer["properties"])
    assert "API_TOKEN_DAYS" in create["description"]
    revoke = spec["paths"]["/api/v1/auth/tokens/current"]["delete"]
    assert "204" in revoke["responses"] and "401" in revoke["responses"]
    assert revoke["security"] == [{"bearer": []}, {"session": []}]


def token_reads(statements: list[str]) -> int:
    return sum("FROM api_tokens" in s for s in statements if s.lstrip().upper().startswith("SEL"))


@pytest.mark.parametrize("how", ["revoked", "user deactivated", "all sessions ended"])
def test_a_token_kept_by_another_process_stops_working_at_its_next_request(
    app, config_class, redis_url, make_user, how
):
    """Each app process keeps live tokens (no SELECT per request); a revocation made in
    another process reaches it through Redis before its next request is served."""
    from helpdesk import create_app
    from helpdesk.agents.services import deactivate_user, revoke_sessions, revoke_token

    app.config["REDIS_URL"] = redis_url
    other = create_app(config_class)  # another gunicorn worker: its own cache
    other.config["REDIS_URL"] = redis_url
    other.test_client_class = type(app.test_client())
    agent = make_user("agent")
    client = app.test_client()
    token = new_token(client, agent)["token"]
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
        statements.clear()
        assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
        assert token_reads(statements) == 0  # kept by this process
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)

    with other.app_context():
        try:
            if how == "revoked":
                revoke_token(db.session.scalar(sa.select(ApiToken)))
            elif how == "user deactivated":
                deactivate_user(db.session.get(type(agent), agent.id))
            else:  # a password change or an admin's "sign out everywhere": one UPDATE
                revoke_sessions(agent.id)
        finally:
            db.session.remove()
            db.engine.dispose()
    res = client.get("/api/v1/tickets", headers=bearer(token))
    assert res.status_code == 401
