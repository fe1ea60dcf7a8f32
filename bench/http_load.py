"""The serving side of the intake benchmarks: preparing a database, gunicorn servers and a
lean HTTP/1.1 client.

bench/intake.py and the peers it compares with (bench/peers/) share this module, so every
server is prepared, started and called the same way.

The client is a small asyncio HTTP/1.1 client (keep-alive where the server allows it;
gunicorn's sync workers close every connection, so it reconnects then) that sends
pre-built request bytes, so it spends as little of the machine's CPU as it can. The timed
drive that uses it is bench/load_measure.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


# --------------------------------------------------------------------------- set-up


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(cmd: list[str], env: dict[str, str], what: str, cwd: Path = ROOT) -> str:
    """Run ``cmd`` to completion and return its stdout; SystemExit with its output if it fails."""
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def reset_database(name: str) -> None:
    """Create PostgreSQL database ``name`` if missing and empty its ``public`` schema."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={name}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def table_counts(db_name: str, tables: tuple[str, ...]) -> str:
    """ "tickets 812, contacts 640, ...": rows in each table, to show what a run wrote."""
    import psycopg

    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={db_name}"
    with psycopg.connect(dsn) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    return ", ".join(f"{table} {n}" for table, n in counts.items())


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log_path: str

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the gunicorn master's process group (master and workers), then SIGKILL."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)


def start_gunicorn(
    name: str, app_spec: str, chdir: Path, env: dict[str, str], args, gunicorn: Path
) -> Server:
    """Serve ``app_spec`` with the ``gunicorn`` executable given (each app brings its own
    virtualenv) and the worker settings in ``args``, so every server is configured alike."""
    port = free_port()
    fd, log_path = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")
    cmd = [
        str(gunicorn),
        "--chdir",
        str(chdir),
        "-w",
        str(args.workers),
        "-k",
        args.worker_class,
        "--threads",
        str(args.threads),
        "-b",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        app_spec,
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=chdir,
        env=env,
        stdout=fd,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stop() reaches every worker
    )
    os.close(fd)
    return Server(name, port, proc, log_path)


async def wait_until_answering(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(f"gunicorn ({server.name}) exited:\n{server.log_tail()}")
        conn = Connection("127.0.0.1", server.port)
        try:
            await conn.request(request)
            return
        except (OSError, asyncio.IncompleteReadError):
            await asyncio.sleep(0.2)
        finally:
            conn.close()
    raise SystemExit(
        f"gunicorn ({server.name}) did not answer in {timeout:.0f}s:\n{server.log_tail()}"
    )


# --------------------------------------------------------------------------- HTTP client


class Connection:
    """One HTTP/1.1 connection; reconnects when the server closed it (sync workers do)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        try:
            return await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
            return await self._exchange(raw)  # the server had closed an idle keep-alive

    async def _exchange(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.find(b"\r\n", at + 2)
            body = await self.reader.readexactly(int(lower[at + 17 : end]))
        else:
            body = await self.reader.read()  # no length: the body runs to the close
            self.close()
            return status, body
        if b"\r\nconnection: close" in lower or head.startswith(b"HTTP/1.0"):
            self.close()
        return status, body


async def call(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    token: str | None = None,
    scheme: str = "Bearer",
) -> tuple[int, object]:
    """One request on a fresh connection; the JSON answer decoded when it is JSON."""
    payload = b"" if body is None else json.dumps(body).encode()
    headers = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(payload)}",
        "Connection: close",
    ]
    if body is not None:
        headers.append("Content-Type: application/json")
    if token:
        headers.append(f"Authorization: {scheme} {token}")
    conn = Connection("127.0.0.1", port)
    try:
        status, data = await conn.request(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
    finally:
        conn.close()
    try:
        return status, json.loads(data)
    except ValueError:
        return status, data.decode(errors="replace")


def raw_posts(port: int, path: str, authorization: str, bodies: list[bytes]) -> list[bytes]:
    """Ready-to-send JSON POSTs of ``bodies`` to ``path``, each with the Authorization given."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: {authorization}\r\nContent-Type: application/json\r\n"
    )
    return [f"{head}Content-Length: {len(b)}\r\n\r\n".encode() + b for b in bodies]
