"""Fault: PostgreSQL restarts under load. Requests in flight fail cleanly (503 with the
error shape and Retry-After, never a 500), no acknowledged ticket is lost, and the app
serves again once the database is back, without being restarted itself.

The shared server on 127.0.0.1:5432 is never touched: the test starts a throw-away cluster
of its own (initdb into a temporary folder, on a free port), as the `postgres` user when
run as root (initdb refuses root). PostgreSQL pass only (TEST_DATABASE_URL set).
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from helpdesk import create_app
from helpdesk.agents.services import create_user, issue_token
from helpdesk.extensions import db
from helpdesk.geography.services import create_block
from helpdesk.tickets.models import Ticket
from tests.conftest import PASSWORD, POSTGRES_URL, reset_tables

needs_postgresql = pytest.mark.skipif(
    not POSTGRES_URL, reason="the PostgreSQL pass only (TEST_DATABASE_URL unset)"
)

TICKET = {
    "subject": "Bank asks for a business plan",
    "description": "The MEC needs help preparing the business plan for a loan.",
    "category": "business-plan",
    "channel": "phone",
    "language": "hi",
    "block": "FAULT-001",
    "requester": {"name": "Sunita Devi", "phone": "9876543210"},
}


class PrivateCluster:
    """A PostgreSQL cluster in a temporary folder, on a free port, for this test alone."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        self.bin = Path(binaries[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="helpdesk-fault-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str) -> None:
        # Output to a file, never a pipe: a server started by pg_ctl would hold the pipe open.
        with (self.folder / "commands.log").open("ab") as log:
            subprocess.run(
                [*self.as_user, *args],
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                timeout=60,
                cwd=self.folder,
            )

    def pg_ctl(self, *args: str) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args)

    def init_and_start(self) -> None:
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()

    def start(self, action: str = "start") -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.folder / "server.log"), "-m", "fast", action)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with suppress(subprocess.SubprocessError):
                self.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cluster():
    cluster = PrivateCluster()
    try:
        cluster.init_and_start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def site(cluster, config_class, tmp_path):
    """The app on the private cluster, served by a threaded server on a free port."""

    class Config(config_class):
        SQLALCHEMY_DATABASE_URI = cluster.url
        REDIS_URL = None  # jobs in-process: this test is about the database alone
        SEARCH_INDEX_DIR = str(tmp_path / "index")

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        reset_tables()
        create_block(code="FAULT-001", name="Fault", district="West Singhbhum", state="IN-JH")
        agent = create_user(
            email="agent@example.org", name="Agent", role="agent", password=PASSWORD
        )
        token = issue_token(agent)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


def assert_clean_503(response) -> None:
    """A 503 with Retry-After; from the API, the contract's error shape."""
    served = isinstance(response, requests.Response)  # else Flask's test client
    body = response.text if served else response.get_data(as_text=True)
    assert response.status_code == 503, (response.status_code, body[:300])
    assert int(response.headers["Retry-After"]) > 0
    if response.headers["Content-Type"].startswith("application/json"):
        payload = response.json() if served else response.json
        assert payload["error"]["code"] == "service_unavailable"


def test_a_lost_database_connection_is_a_503_with_retry_after(
    app, client, api_as, make_user, login_as
):
    """The same answer on any database, for a connection lost in the middle of a request."""
    agent = make_user("agent")
    api = api_as(agent)
    login_as(agent)
    lost = sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))

    def broken(*args, **kwargs):
        raise lost

    sa.event.listen(db.engine, "before_cursor_execute", broken)
    try:
        assert_clean_503(api.get("/api/v1/tickets"))
        page = client.get("/tickets")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", broken)
    assert_clean_503(page)
    assert "try again" in page.get_data(as_text=True).lower()
    assert api.get("/api/v1/tickets").status_code == 200  # back: the same app serves again


@needs_postgresql
def test_requests_during_a_postgresql_restart_fail_cleanly_and_the_app_recovers(cluster, site):
    app, base, token = site
    api = {"Authorization": f"Bearer {token}"}
    stop = threading.Event()
    results: list[tuple[str, int, str]] = []  # (kind, status, ticket id or error text)

    def load() -> None:
        with requests.Session() as http:
            while not stop.is_set():
                for kind in ("list", "create"):
                    try:
                        if kind == "list":
                            res = http.get(f"{base}/api/v1/tickets", headers=api, timeout=20)
                        else:
                            res = http.post(
                                f"{base}/api/v1/tickets", json=TICKET, headers=api, timeout=20
                            )
                    except requests.RequestException as exc:  # the server must always answer
                        results.append((kind, 0, repr(exc)))
                        continue
                    if res.status_code == 503:
                        assert_clean_503(res)
                    detail = str(res.json().get("id")) if res.status_code == 201 else res.text
                    results.append((kind, res.status_code, detail[:300]))

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        cluster.start("restart")  # sessions are cut, new ones refused meanwhile
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    statuses = Counter(status for _, status, _ in results)
    print("responses during the restart:", dict(statuses))
    assert set(statuses) <= {200, 201, 503}, [r for r in results if r[1] not in (200, 201, 503)]
    assert statuses[200] and statuses[201]

    # Stopped outright: API and pages answer 503 at once; started again: served, same process.
    web = requests.Session()
    assert web.post(f"{base}/login", data={"email": "agent@example.org", "password": PASSWORD}).ok
    cluster.pg_ctl("-m", "fast", "stop")
    assert_clean_503(requests.get(f"{base}/api/v1/tickets", headers=api, timeout=20))
    assert_clean_503(requests.post(f"{base}/api/v1/tickets", json=TICKET, headers=api, timeout=20))
    page = web.get(f"{base}/tickets", timeout=20)
    assert_clean_503(page)
    assert "try again" in page.text.lower()
    cluster.start()

    assert requests.get(f"{base}/api/v1/tickets", headers=api, timeout=20).status_code == 200
    created = requests.post(f"{base}/api/v1/tickets", json=TICKET, headers=api, timeout=20)
    assert created.status_code == 201
    assert web.get(f"{base}/tickets", timeout=20).status_code == 200

    # Every ticket the client was told was created (201) is there: none lost in the restart.
    acknowledged = {int(detail) for _, status, detail in results if status == 201}
    with app.app_context():
        stored = set(db.session.scalars(sa.select(Ticket.id)))
    assert acknowledged <= stored


@needs_postgresql
def test_a_connection_the_server_dropped_while_idle_is_replaced_without_failing_a_request(
    app, make_user, config_class
):
    """Pooled connections are pinged only after they sat idle (a busy site skips the round
    trip); a connection PostgreSQL ended meanwhile is replaced, and the agent sees nothing."""

    class PingSoon(config_class):
        DATABASE_PING_AFTER_IDLE_S = 0.2

    token = issue_token(make_user("agent"))
    db.session.commit()
    served = create_app(PingSoon)
    client = served.test_client()
    api = {"Authorization": f"Bearer {token}"}
    pings = []
    with served.app_context():
        ping = db.engine.dialect.do_ping

        def counted(dbapi_connection):
            pings.append(dbapi_connection)
            return ping(dbapi_connection)

        db.engine.dialect.do_ping = counted
    for _ in range(3):  # in use: no ping
        assert client.get("/api/v1/tickets", headers=api).status_code == 200
    assert pings == []

    with served.app_context():
        ours = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()
    admin = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": ours})
    time.sleep(0.3)

    assert client.get("/api/v1/tickets", headers=api).status_code == 200
    assert len(pings) == 1
    with served.app_context():
        assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != ours
        db.session.remove()
        db.engine.dispose()
