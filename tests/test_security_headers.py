"""Protective headers on every kind of answer, and `Allow` on every 405."""

import pytest

from helpdesk.security_headers import SecurityHeaders

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_protected(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ") if d}
    assert directives.get("frame-ancestors") == ["'none'"], policy
    assert directives.get("script-src") == ["'self'"], policy  # no inline script, no eval
    assert directives.get("object-src") == ["'none'"], policy


def test_pages_carry_the_headers(client, login_as, make_user, make_ticket):
    assert_protected(client.get("/login"))
    agent = make_user("agent")
    ticket = make_ticket(actor=agent)
    login_as(agent)
    for path in ("/tickets", f"/tickets/{ticket.id}", "/console", "/kb"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_protected(response)
    assert_protected(client.get("/no-such-page"))  # the error page too


def test_api_answers_carry_the_headers(client, api_as, make_user):
    answer = api_as(make_user("agent")).get("/api/v1/tickets")
    assert answer.status_code == 200
    assert_protected(answer)
    refused = client.get("/api/v1/tickets")
    assert refused.status_code == 401
    assert_protected(refused)


def test_static_files_and_socketio_answers_carry_the_headers(client):
    with client.get("/static/js/app.js") as script:
        assert script.status_code == 200
        assert_protected(script)
    handshake = client.get("/socket.io/?EIO=4&transport=polling")
    assert handshake.status_code == 200
    assert_protected(handshake)


def test_api_405_says_which_methods_are_allowed(client):
    answer = client.put("/api/v1/tickets", json={})
    assert answer.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in answer.headers["Allow"].split(",")}
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert answer.mimetype == "application/json"
    assert_protected(answer)


def test_page_405_says_which_methods_are_allowed(client):
    answer = client.delete("/login")
    assert answer.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in answer.headers["Allow"].split(",")}
    assert answer.mimetype == "text/html"
    assert "Not allowed here" in answer.get_data(as_text=True)


@pytest.mark.parametrize("own", ["Content-Security-Policy", "content-security-policy"])
def test_a_response_keeps_its_own_stricter_value(own):
    """A route that sends its own policy (e.g. for a downloaded file) is not overruled."""

    def inner(environ, start_response):
        start_response("200 OK", [(own, "sandbox"), ("Content-Type", "text/plain")])
        return [b"ok"]

    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["headers"] = headers

    SecurityHeaders(inner)({}, start_response)
    names = [name.lower() for name, _ in seen["headers"]]
    assert names.count("content-security-policy") == 1
    assert (own, "sandbox") in seen["headers"]
    assert ("X-Content-Type-Options", "nosniff") in seen["headers"]
