"""Fixtures: an app on a fresh database per test, factories, and API/web sign-in helpers.

With TEST_DATABASE_URL / TEST_REDIS_URL set, the same tests run on PostgreSQL and Redis.
"""

import contextvars
import os
import re
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestingConfig  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.agents.models import User  # noqa: E402
from helpdesk.agents.services import create_user, issue_token  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from helpdesk.geography.services import create_block  # noqa: E402
from helpdesk.jobs.backends import wait_for_background_jobs  # noqa: E402
from helpdesk.reference import reference_rows  # noqa: E402
from helpdesk.tickets import services as ticket_services  # noqa: E402
from helpdesk.tickets.schemas import TicketCreate  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
PASSWORD = "correct-horse-1"


def _compile_translations() -> None:
    """Pages in Hindi need the compiled catalogue; scripts/setup compiles it, and the tests
    compile it again so they always run the messages.po beside them."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


_compile_translations()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpdesk.sqlite3'}"


@pytest.fixture(scope="session")
def config_class(database_url, tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SEARCH_INDEX_DIR = str(tmp_path_factory.mktemp("index") / "kb")

    return Config


@pytest.fixture(scope="session")
def _schema(config_class):
    """Build the schema once per run; each test then starts from empty tables."""
    app = create_app(config_class)
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def reset_tables() -> None:
    """Empty every table and put the reference rows back."""
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.execute(sa.text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(
                conn
            ) else None
        for table_name, rows in reference_rows().items():
            conn.execute(db.metadata.tables[table_name].insert(), rows)


def _has_sqlite_sequence(conn) -> bool:
    return bool(
        conn.execute(sa.text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first()
    )


class RequestIsolatedClient(FlaskClient):
    """Each request gets its own app context (its own g, login and DB session), as in
    production, although the test itself holds an app context open for its factories."""

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)


@pytest.fixture
def app(config_class, _schema, tmp_path):
    app = create_app(config_class)
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "search-index")  # fresh per test
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        reset_tables()
        if REDIS_URL:
            from helpdesk.jobs.backends import queue_for_app

            queue_for_app(app).empty()
            queue_for_app(app, "search").empty()
        yield app
        # In-process search jobs run on a background thread: let them finish with this test.
        wait_for_background_jobs()
        if "kb_index" in app.extensions:
            app.extensions["kb_index"].close()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_block(app):
    counter = iter(range(1, 10_000))

    def make(code=None, name=None, district="West Singhbhum", state="IN-JH"):
        n = next(counter)
        return create_block(
            code=code or f"TEST-{n:03d}", name=name or f"Block {n}", district=district, state=state
        )

    return make


@pytest.fixture
def make_user(app, make_block):
    counter = iter(range(1, 10_000))

    def make(role="agent", block=None, **fields) -> User:
        n = next(counter)
        if role == "brc" and block is None:
            block = make_block().code
        return create_user(
            email=fields.pop("email", f"{role}{n}@example.org"),
            name=fields.pop("name", f"{role.title()} {n}"),
            role=role,
            password=fields.pop("password", PASSWORD),
            block=block.code if hasattr(block, "code") else block,
            **fields,
        )

    return make


@pytest.fixture
def make_ticket(app, make_block, make_user):
    def make(actor=None, **fields):
        actor = actor or make_user("agent")
        if "block" not in fields and actor.role != "brc":
            fields["block"] = make_block().code
        data = {
            "subject": "Bank asks for a business plan",
            "description": "The MEC needs help preparing the business plan for a loan.",
            "category": "business-plan",
            "channel": "phone",
            "language": "hi",
            "requester": {"name": "Sunita Devi", "phone": "9876543210"},
        } | fields
        return ticket_services.create_ticket(TicketCreate.model_validate(data), actor)

    return make


class ApiClient:
    """The Flask test client with a bearer token for one user."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = self.headers | kwargs.pop("headers", {})
            return getattr(self.client, method)(path, headers=headers, **kwargs)

        return call


@pytest.fixture
def api_as(client):
    def as_user(user: User) -> ApiClient:
        return ApiClient(client, issue_token(user))

    return as_user


@pytest.fixture
def login_as(client):
    def login(user: User, password: str = PASSWORD):
        return client.post("/login", data={"email": user.email, "password": password})

    return login


@pytest.fixture
def run_jobs(app):
    """Run queued jobs: a real RQ worker (burst) on both queues when Redis is configured;
    otherwise wait for the in-process background (search) thread."""

    def run() -> None:
        if app.config.get("REDIS_URL"):
            from rq import SimpleWorker

            from helpdesk.jobs.backends import queue_for_app

            queues = [queue_for_app(app), queue_for_app(app, "search")]
            SimpleWorker(queues, connection=queues[0].connection).work(burst=True)
        else:
            wait_for_background_jobs()
        db.session.expire_all()

    return run


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        pytest.skip(
            "needs TEST_REDIS_URL (the embedded run has no Redis; CI's PostgreSQL+Redis run sets it)"
        )
    return REDIS_URL


# --- a real server and a real browser (Debian's Chromium; never a downloaded one) ---

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def live_server(config_class, app):
    """The site on a free localhost port, with CSRF on as in production."""
    site = create_app(type("BrowserConfig", (config_class,), {"WTF_CSRF_ENABLED": True}))
    site.config["SEARCH_INDEX_DIR"] = app.config["SEARCH_INDEX_DIR"]
    site.config["ATTACHMENTS_DIR"] = app.config["ATTACHMENTS_DIR"]
    server = make_server("127.0.0.1", 0, site, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with site.app_context():
        if "kb_index" in site.extensions:
            site.extensions["kb_index"].close()
        db.engine.dispose()


class PolicyWatchedBrowser:
    """The Chromium browser, with every page it opens watched for Content-Security-Policy
    reports: a browser test whose pages break the policy fails even if it never asks."""

    def __init__(self, chromium):
        self._chromium = chromium
        self.csp_reports: list[str] = []

    def new_page(self, **options):
        page = self._chromium.new_page(**options)
        page.on("console", self._record)
        return page

    def new_context(self, **options):
        context = self._chromium.new_context(**options)
        context.on("console", self._record)
        return context

    def _record(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_reports.append(f"{message.location.get('url')}: {message.text}")

    def __getattr__(self, name):
        return getattr(self._chromium, name)


def pytest_collection_modifyitems(items):
    """Tests that drive Chromium carry the ``browser`` mark: the test command runs them on
    the embedded default only (``-m "not browser"`` on PostgreSQL), since what they check is
    the page, not the database under it."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        watched = PolicyWatchedBrowser(chromium)
        yield watched
        chromium.close()
        assert watched.csp_reports == [], "the pages broke the Content-Security-Policy"


class ConsoleClient:
    """A python-socketio client on the live server's /console namespace, recording every
    event it receives."""

    def __init__(self, base: str, token: str | None):
        import socketio

        self.events: list[tuple[str, dict]] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace="/console")
        self.base, self.token = base, token

    def _record(self, name, payload=None):
        self.events.append((name, payload))

    def connect(self) -> "ConsoleClient":
        self.sio.connect(
            self.base,
            namespaces=["/console"],
            transports=["websocket"],
            auth={"token": self.token} if self.token else None,
            wait_timeout=5,
        )
        return self

    def received(self, name: str, *, wait: float = 3.0, until=None) -> list[dict]:
        """Payloads of the ``name`` events received so far, waiting up to ``wait`` seconds
        for one (that ``until`` accepts, if given) to arrive."""
        deadline = time.monotonic() + wait
        while True:
            got = [p for n, p in self.events if n == name]
            if any(until(p) for p in got) if until else got:
                return got
            if time.monotonic() > deadline:
                return got
            time.sleep(0.02)

    def emit(self, name: str, payload=None):
        return self.sio.call(name, payload, namespace="/console", timeout=5)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def console_client(live_server):
    """``console_client(user)`` → a connected ConsoleClient for that user (or ``None``
    for an unauthenticated one, not connected); all are closed after the test."""
    opened: list[ConsoleClient] = []

    def open_for(user: User | None, *, connect: bool = True) -> ConsoleClient:
        client = ConsoleClient(live_server, issue_token(user) if user is not None else None)
        opened.append(client)
        return client.connect() if connect else client

    yield open_for
    # A websocket close waits up to 3 s for the server's reply: close them all at once.
    closing = [threading.Thread(target=client.close) for client in opened]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(timeout=10)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.press("#f-password", "Enter")
    page.wait_for_url(re.compile(r"/(tickets|brc|console|mentor)"))
