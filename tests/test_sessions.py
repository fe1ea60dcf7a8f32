"""Sign-in sessions live on the server: signing out, signing in again, revoking a user's
sessions or deactivating the user ends them for every copy of the cookie, in pages, in the
API and on the console socket."""

import re
from datetime import timedelta

import pytest
import requests
import socketio
import sqlalchemy as sa

from helpdesk.agents.services import issue_token
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow
from tests.conftest import PASSWORD


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def signed_in(client, cookie: str) -> tuple[bool, bool]:
    """With ``cookie`` as the session: (the queue page opens, the API answers)."""
    client.set_cookie("session", cookie)
    page = client.get("/tickets")
    api = client.get("/api/v1/tickets")
    return page.status_code == 200, api.status_code == 200


def test_a_cookie_copied_before_sign_out_is_refused_after_it(client, login_as, make_user):
    agent = make_user("agent")
    assert login_as(agent).status_code == 302
    copied = session_cookie(client)
    assert signed_in(client, copied) == (True, True)

    assert client.post("/logout").status_code == 302
    client.set_cookie("session", copied)
    page = client.get("/tickets")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    api = client.get("/api/v1/tickets")
    assert api.status_code == 401
    assert api.json["error"]["code"] == "unauthorized"


def test_signing_in_starts_a_new_session_and_ends_the_one_before(app, client, login_as, make_user):
    agent, other = make_user("agent"), make_user("agent")
    # A session the browser had before sign-in (planted by someone who kept a copy).
    with client.session_transaction() as planted:
        planted["sid"] = "chosen-by-an-attacker"
    before = session_cookie(client)
    login_as(agent)
    first = session_cookie(client)
    assert first != before
    with client.session_transaction() as current:
        assert current["sid"] != "chosen-by-an-attacker"
    assert signed_in(client, before) == (False, False)

    # Signing in again in the same browser (as someone else) ends the first session.
    client.set_cookie("session", first)
    login_as(other)
    second = session_cookie(client)
    assert second != first
    assert signed_in(client, first) == (False, False)
    assert signed_in(client, second) == (True, True)


def test_revoke_sessions_ends_every_session_and_token_of_that_user_only(app, make_user, login_as):
    agent, colleague = make_user("agent"), make_user("agent")
    browsers = [app.test_client() for _ in range(3)]
    for browser, user in zip(browsers, (agent, agent, colleague)):
        browser.post("/login", data={"email": user.email, "password": PASSWORD})
    token = issue_token(agent)
    from helpdesk.agents.services import revoke_sessions

    assert revoke_sessions(agent.id) == 3  # two browsers and one token

    for browser in browsers[:2]:
        page = browser.get("/tickets")
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        assert browser.get("/api/v1/tickets").status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert browsers[2].get("/api/v1/tickets", headers=bearer).status_code == 401
    assert browsers[2].get("/tickets").status_code == 200  # the colleague works on


def test_a_deactivated_users_session_goes_back_to_sign_in(client, login_as, make_user):
    agent = make_user("agent")
    login_as(agent)
    agent.active = False
    db.session.commit()
    page = client.get("/tickets")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get("/api/v1/tickets").status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(app, client, login_as, make_user):
    from helpdesk.agents.models import UserSession

    agent = make_user("agent")
    login_as(agent)
    writes = []

    def count_session_writes(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            writes.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count_session_writes)
    try:
        for _ in range(5):
            assert client.get("/api/v1/tickets").status_code == 200
        assert writes == []  # seen at sign-in, a moment ago

        row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == agent.id))
        row.last_seen_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        writes.clear()
        for _ in range(5):
            assert client.get("/tickets").status_code == 200
        assert len(writes) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count_session_writes)
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_a_session_unused_for_the_idle_limit_signs_out_and_is_pruned_at_the_next_sign_in(
    app, client, login_as, make_user
):
    from helpdesk.agents.models import UserSession

    agent, colleague = make_user("agent"), make_user("agent")
    login_as(agent)
    idle_cookie = session_cookie(client)
    idle_days = app.config["SESSION_IDLE_DAYS"]
    long_ago = utcnow() - timedelta(days=idle_days, minutes=1)
    db.session.execute(
        sa.update(UserSession).where(UserSession.user_id == agent.id).values(last_seen_at=long_ago)
    )
    # A session signed out long ago, and one signed out yesterday (kept: it is recent).
    db.session.add_all(
        [
            UserSession(user_id=agent.id, session_hash="a" * 64, revoked_at=long_ago),
            UserSession(
                user_id=agent.id, session_hash="b" * 64, revoked_at=utcnow() - timedelta(days=1)
            ),
        ]
    )
    db.session.commit()
    assert signed_in(client, idle_cookie) == (False, False)

    other_browser = app.test_client()
    other_browser.post("/login", data={"email": colleague.email, "password": PASSWORD})
    left = db.session.scalars(sa.select(UserSession.session_hash)).all()
    assert "a" * 64 not in left
    assert "b" * 64 in left
    assert len(left) == 2  # yesterday's sign-out and the colleague's new session


def _sign_in_over_http(base: str, user) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    res = browser.post(
        f"{base}/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert res.status_code == 302, res.text
    return browser


def _console_with_cookie(base: str, cookie: str) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(
        base,
        namespaces=["/console"],
        transports=["websocket"],
        headers={"Cookie": f"session={cookie}"},
        wait_timeout=5,
    )
    return sio


def test_the_console_socket_refuses_a_signed_out_session(live_server, make_user):
    browser = _sign_in_over_http(live_server, make_user("agent"))
    copied = browser.cookies["session"]
    console = _console_with_cookie(live_server, copied)
    assert console.connected
    console.disconnect()

    page = browser.get(f"{live_server}/tickets", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    res = browser.post(
        f"{live_server}/logout", data={"csrf_token": csrf}, allow_redirects=False, timeout=10
    )
    assert res.status_code == 302

    with pytest.raises(socketio.exceptions.ConnectionError):
        _console_with_cookie(live_server, copied)
