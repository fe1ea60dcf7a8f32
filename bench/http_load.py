"""The load side of the intake benchmarks: gunicorn servers, a lean HTTP/1.1 client, the
timed drive at a fixed concurrency and the lines that report it.

bench/intake.py and the peers it compares with (bench/peers/) share this module, so every
server is started, driven and measured the same way.

The client is a small asyncio HTTP/1.1 client (keep-alive where the server allows it;
gunicorn's sync workers close every connection, so it reconnects then) that sends
pre-built request bytes, so it spends as little of the machine's CPU as it can.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
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


# --------------------------------------------------------------------------- load


@dataclass
class Result:
    name: str
    unit: str
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, of the 201 responses
    statuses: Counter = field(default_factory=Counter)
    error_samples: dict = field(default_factory=dict)
    warmup_done: int = 0
    connects: int = 0
    client_cpu: float = 0.0
    server_cpu: dict = field(default_factory=dict)  # CPU ms per 201 response, per process kind
    machine_busy: float = 0.0
    busy_before: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 201)

    @property
    def rate(self) -> float:
        return self.ok / self.duration

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
        return ordered[index] * 1000


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def server_cpu(pgid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the server's processes (gunicorn's process
    group), PostgreSQL and Redis: what a request costs, whatever else runs on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    spent = {"gunicorn": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[2]) == pgid:
            spent["gunicorn"] += seconds
        elif comm == "postgres":
            spent["postgres"] += seconds
        elif comm.startswith("redis-server"):
            spent["redis"] += seconds
    return spent


def machine_busy_now(seconds: float = 1.0) -> float:
    """How busy the CPUs are with other work (other processes), over ``seconds``."""
    before = cpu_times()
    time.sleep(seconds)
    after = cpu_times()
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


async def drive(name: str, unit: str, server: Server, requests: list[bytes], args) -> Result:
    result = Result(name, unit, args.duration, busy_before=machine_busy_now())
    start = time.perf_counter()
    measure_from = start + args.warmup
    stop_at = measure_from + args.duration
    picks = itertools.count(random.Random(args.seed).randrange(len(requests)))
    conns = [Connection("127.0.0.1", server.port) for _ in range(args.concurrency)]
    marks: dict[str, object] = {}

    async def worker(conn: Connection) -> None:
        latencies, statuses = result.latencies, result.statuses
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            raw = requests[next(picks) % len(requests)]
            try:
                status, body = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                conn.close()
                status, body = f"{type(exc).__name__}", str(exc).encode()
            t1 = time.perf_counter()
            if t0 < measure_from:
                result.warmup_done += 1
                continue
            if t1 > stop_at:
                return
            statuses[status] += 1
            if status == 201:
                latencies.append(t1 - t0)
            elif status not in result.error_samples:
                result.error_samples[status] = body[:300].decode(errors="replace")

    async def progress() -> None:
        tty = sys.stderr.isatty()
        last_print = 0.0
        while True:
            await asyncio.sleep(0.5)
            now = time.perf_counter()
            if "cpu" not in marks and now >= measure_from:
                marks["cpu"] = (
                    resource.getrusage(resource.RUSAGE_SELF),
                    cpu_times(),
                    server_cpu(server.proc.pid),
                )
            if now < measure_from:
                line = f"[{name}] warm-up {now - start:4.1f}/{args.warmup:g}s  {result.warmup_done} requests"
            else:
                done = sum(result.statuses.values())
                elapsed = min(now, stop_at) - measure_from
                line = (
                    f"[{name}] measuring {elapsed:4.1f}/{args.duration:g}s  {done} requests  "
                    f"{result.ok / max(elapsed, 1e-9):7.1f} {unit}/s  errors {result.errors}"
                )
            if tty:
                print(f"\r{line:<90}", end="", file=sys.stderr, flush=True)
            elif now - last_print >= 2:
                print(line, file=sys.stderr, flush=True)
                last_print = now

    ticker = asyncio.create_task(progress())
    await asyncio.gather(*(worker(c) for c in conns))
    ticker.cancel()
    end_usage, end_cpu = resource.getrusage(resource.RUSAGE_SELF), cpu_times()
    end_server = server_cpu(server.proc.pid)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for conn in conns:
        result.connects += conn.connects
        conn.close()
    if "cpu" in marks:
        usage, machine, server_start = marks["cpu"]
        result.server_cpu = {
            kind: (end_server[kind] - server_start[kind]) * 1000 / max(result.ok, 1)
            for kind in end_server
        }
        spent = (end_usage.ru_utime + end_usage.ru_stime) - (usage.ru_utime + usage.ru_stime)
        result.client_cpu = spent / args.duration
        busy, total = end_cpu[0] - machine[0], end_cpu[1] - machine[1]
        result.machine_busy = busy / total if total else 0.0
    return result


# --------------------------------------------------------------------------- report


def line_for(r: Result, label_width: int = 7) -> str:
    return (
        f"{r.name + ':':<{label_width}} {r.rate:8.1f} {r.unit}/s  p50 {r.percentile(50):6.1f} ms  "
        f"p99 {r.percentile(99):6.1f} ms  errors {r.errors}"
    )


def details_for(r: Result) -> str:
    return (
        f"         {r.ok} x 201 in {r.duration:g}s, p90 {r.percentile(90):.1f} ms, "
        f"max {r.percentile(100):.1f} ms, {r.connects} connections, "
        f"client CPU {r.client_cpu * 100:.0f}% of a core, machine busy {r.machine_busy * 100:.0f}% "
        f"(idle server: {r.busy_before * 100:.0f}%)\n"
        f"         server CPU per response: "
        + ", ".join(f"{kind} {ms:.2f} ms" for kind, ms in r.server_cpu.items())
        + f"; {ceiling(r):.0f}/s would fill all {os.cpu_count()} cores (client excluded)"
    )


def ceiling(r: Result) -> float:
    per_request_ms = sum(r.server_cpu.values())
    return (os.cpu_count() or 1) * 1000 / per_request_ms if per_request_ms else float("nan")


def noisy(results: list[Result]) -> str | None:
    busiest = max(results, key=lambda r: r.busy_before)
    if busiest.busy_before < 0.10:
        return None
    return (
        f"note: before the {busiest.name} run the machine was already "
        f"{busiest.busy_before * 100:.0f}% busy with other processes; figures are depressed"
    )


def print_errors(r: Result) -> None:
    if not r.errors:
        return
    print(
        f"  {r.name} errors by status: "
        + ", ".join(f"{status}: {n}" for status, n in r.statuses.items() if status != 201)
    )
    for status, sample in r.error_samples.items():
        print(f"    {status}: {sample}")


def medians(results: list[Result]) -> tuple[float, float, float]:
    """Median over rounds of (rate, p50 ms, p99 ms): each figure's own median."""
    return (
        statistics.median(r.rate for r in results),
        statistics.median(r.percentile(50) for r in results),
        statistics.median(r.percentile(99) for r in results),
    )
