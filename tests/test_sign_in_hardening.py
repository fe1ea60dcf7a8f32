"""Sign-in hardening: the site's own secret key, sign-in timing that says nothing about
which e-mails have accounts, common passwords refused, client addresses behind the proxy,
and wrong gateway secrets rate-limited."""

import stat
import statistics
import time

import pytest
import sqlalchemy as sa

from config import DEV_SECRET_KEY, DevelopmentConfig
from helpdesk import create_app
from helpdesk.agents.models import User
from helpdesk.agents.services import create_user
from helpdesk.demo.data import DEMO_PASSWORDS
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def other_app(config_class):
    """``other_app(SomeConfig, **settings)`` → an app with those settings on the test
    database; its connections are closed after the test."""
    made = []

    def make(base=None, **settings):
        settings.setdefault("SQLALCHEMY_DATABASE_URI", config_class.SQLALCHEMY_DATABASE_URI)
        settings.setdefault("SEARCH_INDEX_DIR", config_class.SEARCH_INDEX_DIR)
        made.append(create_app(type("Config", (base or config_class,), settings)))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


# --- the secret key ---


def test_a_development_site_signs_with_its_own_random_key_and_keeps_it(
    other_app, tmp_path, make_user
):
    key_file = tmp_path / "instance" / "secret_key"
    site = other_app(DevelopmentConfig, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    key = site.config["SECRET_KEY"]
    assert key != DEV_SECRET_KEY and len(key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == key

    again = other_app(DevelopmentConfig, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    assert again.config["SECRET_KEY"] == key  # sessions survive a restart
    elsewhere = other_app(
        DevelopmentConfig, SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "other" / "key")
    )
    assert elsewhere.config["SECRET_KEY"] != key

    # An admin cookie forged with the public development key opens nothing.
    admin = make_user("admin")
    forger = other_app(DevelopmentConfig, SECRET_KEY=DEV_SECRET_KEY, SECRET_KEY_FILE="/nowhere")
    forged = forger.session_interface.get_signing_serializer(forger).dumps(
        {"_user_id": str(admin.id), "_fresh": True, "sid": "guessed"}
    )
    browser = site.test_client()
    browser.set_cookie("session", forged)
    page = browser.get("/tickets")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


# --- sign-in timing ---


def _median_seconds(send, emails: tuple[str, str], tries: int = 9) -> tuple[float, float]:
    """Median time of ``send(email)`` for each of two e-mails, interleaved so that both
    see the same load on a busy machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(tries):
        for email, got in zip(emails, times):
            started = time.perf_counter()
            send(email)
            got.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def test_sign_in_takes_as_long_for_an_email_without_an_account(app, client, make_user):
    # The production hash: the cheap test hash would hide the difference.
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    agent = make_user("agent")
    ways = {
        "page": lambda email: client.post("/login", data={"email": email, "password": "wrong-1"}),
        "api": lambda email: client.post(
            "/api/v1/auth/tokens", json={"email": email, "password": "wrong-1"}
        ),
    }
    for name, send in ways.items():
        assert send("nobody@example.org").status_code == 401  # warms the dummy hash
        known, unknown = _median_seconds(send, (agent.email, "nobody@example.org"))
        print(f"{name}: known e-mail {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")
        assert known > 0.02, "scrypt should cost tens of milliseconds"
        assert 0.5 * known <= unknown <= 3 * known, (name, known, unknown)


# --- passwords ---

COMMON = [
    "password1",
    "12345678",
    "qwerty123",
    "iloveyou",
    "Welcome@123",
    "P@ssw0rd!",
    "India@2024",
    "kudumbashree2024",
    "Helpdesk#1",
    "aaaaaaaa",
    "abababab",
]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused(app, password):
    with pytest.raises(ValidationFailed) as refused:
        create_user(email="sunita@example.org", name="Sunita", role="agent", password=password)
    assert refused.value.status == 422
    assert refused.value.fields == {
        "password": "too common: choose a password that is harder to guess"
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_email_address_is_not_a_password(app):
    with pytest.raises(ValidationFailed) as refused:
        create_user(email="sunita.devi@example.org", name="S", role="agent", password="sunita.devi")
    assert refused.value.fields == {"password": "must not be your e-mail address"}


@pytest.mark.parametrize(
    "password", [PASSWORD, "vadavucode-1", "mentor-pass-1", *DEMO_PASSWORDS.values()]
)
def test_ordinary_passwords_stay_allowed(app, password):
    create_user(email="sunita@example.org", name="Sunita", role="agent", password=password)


def test_users_create_command_refuses_a_common_password(runner):
    args = ["users", "create", "--email", "a@example.org", "--name", "A", "--role", "agent"]
    result = runner.invoke(args=[*args, "--password", "Password@123"])
    assert result.exit_code == 2
    assert "--password: too common" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


# --- client addresses behind the proxy, and rate limits per client ---


def _wrong_sign_ins(client, email: str, address: str, times: int) -> list[int]:
    return [
        client.post(
            "/api/v1/auth/tokens",
            json={"email": email, "password": "wrong-guess-1"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for _ in range(times)
    ]


def test_behind_the_proxy_sign_in_limits_count_per_client(other_app, make_user):
    agent = make_user("agent")
    limited = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}
    behind_nginx = other_app(PROXY_HOPS=1, **limited).test_client()
    assert _wrong_sign_ins(behind_nginx, agent.email, "203.0.113.7", 4) == [401, 401, 401, 429]
    # Another caller through the same proxy is not locked out by the first one.
    assert _wrong_sign_ins(behind_nginx, agent.email, "198.51.100.9", 1) == [401]


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(other_app, make_user):
    agent = make_user("agent")
    direct = other_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()
    assert _wrong_sign_ins(direct, agent.email, "203.0.113.7", 3) == [401, 401, 401]
    assert _wrong_sign_ins(direct, agent.email, "198.51.100.9", 1) == [429]


# --- the gateways' shared secrets ---

CTI, SMS = "cti-shared-secret", "sms-shared-secret"


def _cti(client, token: str, address: str, call_id: str = "c-1"):
    body = {"event": "newCall", "call_id": call_id, "from": "09876543210", "direction": "in"}
    return client.post(
        "/api/v1/cti/events",
        json=body | {"to": "+91 80 2222 3333"},
        headers={"X-CTI-Token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def _sms(client, token: str, address: str):
    return client.post(
        "/api/v1/sms/inbound",
        json={"from": "09876543210", "text": "Loan nahi mila"},
        headers={"X-SMS-Token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_wrong_gateway_secrets_are_limited_per_address_but_the_gateway_is_not(
    other_app, make_block
):
    site = other_app(
        RATELIMIT_ENABLED=True,
        GATEWAY_TOKEN_FAILURE_LIMIT="3 per minute",
        CTI_TOKEN=CTI,
        SMS_TOKEN=SMS,
    )
    client = site.test_client()
    guesser, gateway = "192.0.2.66", "10.0.0.5"

    # The gateway's own traffic is never counted, however much of it there is.
    for n in range(8):
        assert _cti(client, CTI, gateway, call_id=f"g-{n}").status_code == 200
        assert _sms(client, SMS, gateway).status_code in (200, 201)

    # Wrong secrets on either webhook count together, per address.
    guesses = [_cti(client, "guess-1", guesser), _sms(client, "guess-2", guesser)]
    guesses.append(_cti(client, "guess-3", guesser))
    assert [guess.status_code for guess in guesses] == [401, 401, 401]
    refused = _sms(client, "guess-4", guesser)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert refused.json["error"]["fields"] == {}
    assert "wrong gateway secret" in refused.json["error"]["message"]
    assert "Retry-After" in refused.headers
    # Over the limit, even the right secret is refused, or the answer would confirm a guess.
    assert _cti(client, CTI, guesser, call_id="g-right").status_code == 429

    assert _cti(client, CTI, gateway, call_id="g-after").status_code == 200
