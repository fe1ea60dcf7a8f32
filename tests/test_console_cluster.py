"""Two real app processes with Redis between them, started by ``scripts/serve``: a ticket
created through one process reaches the consoles connected to the other, and so does what
an RQ worker process does to it. Needs Redis (skipped in the embedded SQLite run)."""

import base64
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from helpdesk.agents.services import issue_token
from tests.conftest import ROOT, ConsoleClient

START_TIMEOUT = 90.0  # two app processes and two RQ workers booting on a busy 2-core machine


def _free_port_pair() -> int:
    """A port P such that P and P + 1 are both free (scripts/serve takes consecutive ports)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports")


class Cluster:
    """``scripts/serve 2`` as its own process group, with its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = _free_port_pair()
        self.bases = [f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.port + 1}"]
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve"), "2"],
            cwd=ROOT,
            env=env | {"SERVE_PORT": str(self.port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        waiting = list(self.bases)
        while waiting:
            if self.process.poll() is not None:
                raise AssertionError(f"scripts/serve exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer from {waiting} after {START_TIMEOUT:.0f}s")
            try:
                if requests.get(f"{waiting[0]}/api/v1/openapi.json", timeout=2).ok:
                    waiting.pop(0)
                    continue
            except requests.RequestException:
                pass
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop every process of the group: politely, then for sure."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever a child left behind in the group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def _serve_env(app, redis_url: str, database_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "VENV_BIN": str(Path(sys.executable).parent),
        "HELPDESK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SESSION_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RQ_QUEUE": app.config["RQ_QUEUE"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "SERVE_NO_UPGRADE": "1",  # the test schema is already there
        "SERVE_THREADS": "40",
        "SERVE_CONNECTIONS": "80",
    }


@contextlib.contextmanager
def _running(env: dict[str, str], log_path: Path):
    """``scripts/serve 2`` answering on both ports; its log printed at the end (pytest shows
    it when the test fails)."""
    running = Cluster(env, log_path)
    try:
        running.wait_until_answering()
        yield running
    finally:
        running.stop()
        print(f"---- scripts/serve output ----\n{running.output()}")


@pytest.fixture
def cluster(app, redis_url, database_url, tmp_path):
    """Two app processes (ports P and P + 1) and the RQ workers, on the test database and
    the test Redis, with the test run's queue name."""
    with _running(_serve_env(app, redis_url, database_url), tmp_path / "serve.log") as running:
        yield running


@pytest.fixture
def consoles():
    opened: list[ConsoleClient] = []

    def connect(base: str, user) -> ConsoleClient:
        client = ConsoleClient(base, issue_token(user))
        opened.append(client)
        return client.connect()

    yield connect
    for client in opened:
        client.close()


def test_a_ticket_created_on_one_process_reaches_consoles_on_the_other(
    cluster, consoles, make_user, make_block
):
    process_a, process_b = cluster.bases
    block, other_block = make_block(), make_block()
    agent = make_user("agent")
    brc_here = make_user("brc", block=block)
    brc_elsewhere = make_user("brc", block=other_block)
    agent_console = consoles(process_b, agent)
    block_console = consoles(process_b, brc_here)
    elsewhere_console = consoles(process_b, brc_elsewhere)
    assert agent_console.sio.transport() == "websocket"

    response = requests.post(
        f"{process_a}/api/v1/tickets",
        timeout=15,
        headers={"Authorization": f"Bearer {issue_token(agent)}"},
        json={
            "subject": "PTS app does not sync the day book",
            "description": "Since Monday.",
            "category": "business-plan",
            "channel": "phone",
            "language": "hi",
            "block": block.code,
            "requester": {"name": "Sunita Devi", "phone": "9876543210"},
        },
    )
    assert response.status_code == 201, response.text
    ticket_id = response.json()["id"]

    def about_it(payload):
        return payload["id"] == ticket_id

    created = agent_console.received("ticket.created", wait=10, until=about_it)
    assert [p["number"] for p in created if about_it(p)] == [response.json()["number"]]
    assert block_console.received("ticket.created", wait=5, until=about_it)

    # The acknowledgement job runs in an RQ worker process (not in A, not in B): its
    # automatic reply is announced through Redis to the consoles on B.
    updated = agent_console.received("ticket.updated", wait=30, until=about_it)
    assert any(about_it(p) for p in updated), "no ticket.updated from the RQ worker reached B"
    ticket = requests.get(
        f"{process_b}/api/v1/tickets/{ticket_id}",
        timeout=15,
        headers={"Authorization": f"Bearer {issue_token(agent)}"},
    ).json()
    assert any(m.get("automatic") for m in ticket["messages"]), ticket["messages"]
    assert block_console.received("ticket.updated", wait=5, until=about_it)

    # Another block's BRC staff, on the same process, heard nothing about it.
    assert [name for name, _ in elsewhere_console.events if name.startswith("ticket.")] == []


@pytest.mark.parametrize(
    ("missing", "processes", "says"),
    [
        ("SECRET_KEY", "1", "SECRET_KEY is required"),
        ("DATABASE_URL", "1", "DATABASE_URL is required"),
        ("REDIS_URL", "2", "REDIS_URL is required with more than one process"),
    ],
)
def test_serve_refuses_to_start_without_what_production_needs(missing, processes, says):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "VENV_BIN": str(Path(sys.executable).parent),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    del env[missing]
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "serve"), processes],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert says in result.stderr


def test_deactivating_on_one_process_closes_the_console_held_by_the_other(
    cluster, consoles, make_user, make_block
):
    """The disconnect travels through the Redis message queue to the process holding the
    socket: an admin deactivates on A, the user's console on B closes within 5 seconds."""
    process_a, process_b = cluster.bases
    leaving = make_user("agent")
    colleague = make_user("agent")
    leaving_console = consoles(process_b, leaving)
    colleague_console = consoles(process_b, colleague)

    started = time.monotonic()
    response = requests.patch(
        f"{process_a}/api/v1/users/{leaving.id}",
        timeout=15,
        headers={"Authorization": f"Bearer {issue_token(make_user('admin'))}"},
        json={"active": False},
    )
    assert response.status_code == 200, response.text
    while leaving_console.sio.connected and time.monotonic() - started < 5:
        time.sleep(0.02)
    assert not leaving_console.sio.connected, "the console on process B is still open"
    print(f"console on B closed {time.monotonic() - started:.2f}s after the PATCH to A")

    block = make_block()
    created = requests.post(
        f"{process_a}/api/v1/tickets",
        timeout=15,
        headers={"Authorization": f"Bearer {issue_token(colleague)}"},
        json={
            "subject": "Loan papers for the goat unit",
            "description": "Which documents?",
            "category": "business-plan",
            "language": "hi",
            "block": block.code,
        },
    )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    assert colleague_console.received(
        "ticket.created", wait=10, until=lambda p: p["id"] == ticket_id
    )
    assert [p for n, p in leaving_console.events if n == "ticket.created"] == []


def _websocket_handshake(base: str, offer: str) -> dict[str, str]:
    """Open a Socket.IO websocket on ``base`` by hand, offering ``offer`` as a browser offers
    permessage-deflate; return the 101 answer's headers (lower-case names)."""
    host, port = base.removeprefix("http://").split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Extensions: {offer}\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            assert chunk, f"connection closed during the handshake: {answer!r}"
            answer += chunk
    status, *lines = answer.split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert status.startswith("HTTP/1.1 101"), status
    return {name.strip().lower(): value.strip() for name, value in (h.split(":", 1) for h in lines)}


@pytest.mark.parametrize("worker", ["gthread", "gevent"])
def test_served_consoles_get_events_over_uncompressed_websockets(
    worker, app, redis_url, database_url, tmp_path, consoles, make_user, make_block
):
    """Either gunicorn worker scripts/serve offers (threads by default, gevent on request)
    serves the consoles, and a browser's permessage-deflate offer is declined: each event
    goes to each console uncompressed (docs/deploy.md)."""
    env = _serve_env(app, redis_url, database_url)
    if worker == "gevent":
        env["SERVE_WORKER"] = "gevent"
    with _running(env, tmp_path / "serve.log") as running:
        assert f"gunicorn {worker} worker" in running.output()
        for base in running.bases:
            headers = _websocket_handshake(base, "permessage-deflate; client_max_window_bits")
            assert "sec-websocket-extensions" not in headers, headers
        agent = make_user("agent")
        console = consoles(running.bases[1], agent)
        assert console.sio.transport() == "websocket"
        response = requests.post(
            f"{running.bases[0]}/api/v1/tickets",
            timeout=15,
            headers={"Authorization": f"Bearer {issue_token(agent)}"},
            json={
                "subject": "Bank wants the project report",
                "description": "For the tailoring unit.",
                "category": "business-plan",
                "language": "hi",
                "block": make_block().code,
            },
        )
        assert response.status_code == 201, response.text
        ticket_id = response.json()["id"]
        assert console.received("ticket.created", wait=10, until=lambda p: p["id"] == ticket_id)
        console.close()  # before its servers stop
