"""Ticket-intake benchmark: the helpdesk on gunicorn + PostgreSQL (+ Redis) against bare Flask.

    .venv/bin/python bench/intake.py [--workers 3] [--worker-class sync] [--threads 1]
                                     [--concurrency 32] [--warmup 2] [--duration 10]
                                     [--no-redis] [--skip-bare]

What it does, every run:

1. Creates the database ``helpdesk_bench`` on 127.0.0.1:5432 if it is missing, drops and
   recreates its ``public`` schema, runs ``flask db upgrade``, adds a few blocks and an
   ``agent`` user (``flask users create``).
2. Serves the app with ``gunicorn wsgi:app`` as production does (HELPDESK_ENV=production,
   PostgreSQL, REDIS_URL=redis://127.0.0.1:6379/14 with RQ_QUEUE=bench unless --no-redis;
   that Redis db is flushed before and after), takes a bearer token from
   POST /api/v1/auth/tokens and the categories from GET /api/v1/categories.
3. Drives POST /api/v1/tickets at a fixed concurrency with varied bodies (English, Hindi and
   Malayalam text, every category, a pool of requester phones written in different ways so
   contacts are created and then reused): a warm-up, then a measured window.
4. Serves bench/bare_app.py (Flask, one route echoing the JSON with 201) with the same
   gunicorn settings and drives it with the same client, concurrency and bodies.
5. Prints tickets/s, p50, p99, errors, the ratio helpdesk/bare and whether the targets hold.

The load generator is a small asyncio HTTP/1.1 client (keep-alive where the server allows it;
gunicorn's sync workers close every connection, so it reconnects then) that sends
pre-built request bytes, so it spends as little of the machine's CPU as it can. It needs
nothing beyond the app's own dependencies (psycopg, redis). Servers are always stopped.
This is a benchmark that prints figures, not a test: it exits 0 whether targets hold or not
(exit 1 only when it could not run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"

TARGET_RATE = 400.0  # tickets/s
TARGET_P99_MS = 100.0
TARGET_RATIO = 0.35

AGENT_EMAIL = "bench.agent@example.org"
AGENT_PASSWORD = "bench-" + secrets.token_hex(8)
BLOCKS = [
    # code, name, district, state
    ("JH-KHT-KHUNTI", "Khunti", "Khunti", "IN-JH"),
    ("JH-WSB-KHUNTPANI", "Khuntpani", "West Singhbhum", "IN-JH"),
    ("BR-GAY-BODHGAYA", "Bodh Gaya", "Gaya", "IN-BR"),
    ("KL-PKD-ATTAPPADI", "Attappadi", "Palakkad", "IN-KL"),
    ("OD-KPT-KORAPUT", "Koraput", "Koraput", "IN-OD"),
    ("UP-BRB-BAHRAICH", "Bahraich", "Bahraich", "IN-UP"),
]


# --------------------------------------------------------------------------- set-up


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def reset_database(name: str) -> None:
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


def flush_redis() -> None:
    from redis import Redis

    Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()


def app_environment(db_name: str, use_redis: bool, search_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "RQ_QUEUE", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url(db_name),
        HELPDESK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="0",
        SEARCH_INDEX_DIR=search_dir,
        PYTHONUNBUFFERED="1",
    )
    if use_redis:
        env.update(REDIS_URL=REDIS_URL, RQ_QUEUE="bench")
    return env


def run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


SEED_BLOCKS = """
import json, sys
from helpdesk import create_app
from helpdesk.geography.services import create_block
app = create_app()
with app.app_context():
    for code, name, district, state in json.loads(sys.argv[1]):
        create_block(code=code, name=name, district=district, state=state)
"""


def prepare_database(db_name: str, env: dict[str, str]) -> None:
    reset_database(db_name)
    flask = str(VENV_BIN / "flask")
    run([flask, "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")
    run([str(VENV_BIN / "python"), "-c", SEED_BLOCKS, json.dumps(BLOCKS)], env, "adding blocks")
    run(
        [
            flask,
            "--app",
            "wsgi",
            "users",
            "create",
            "--email",
            AGENT_EMAIL,
            "--name",
            "Bench Agent",
            "--role",
            "agent",
            "--password",
            AGENT_PASSWORD,
            "--languages",
            "hi,en,ml",
        ],
        env,
        "flask users create",
    )


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


def start_gunicorn(name: str, app_spec: str, chdir: Path, env: dict[str, str], args) -> Server:
    port = free_port()
    fd, log_path = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")
    cmd = [
        str(VENV_BIN / "gunicorn"),
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
    port: int, method: str, path: str, body: dict | None = None, token: str | None = None
) -> tuple[int, object]:
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
        headers.append(f"Authorization: Bearer {token}")
    conn = Connection("127.0.0.1", port)
    try:
        status, data = await conn.request(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
    finally:
        conn.close()
    try:
        return status, json.loads(data)
    except ValueError:
        return status, data.decode(errors="replace")


# --------------------------------------------------------------------------- bodies

SUBJECTS = {
    "en": [
        "Loan from the bank not sanctioned after three months",
        "How to prepare the business plan for a tailoring unit",
        "CREAM training dates for new MEC members",
        "PTS app does not sync the monthly data",
        "Buyer for millet products at the weekly haat",
        "Fees for the MEC service and the MoU with the CLF",
        "Book-keeping register for a goat rearing enterprise",
        "Café Kudumbashree model: how to start in our block",
    ],
    "hi": [
        "बैंक से ऋण तीन महीने बाद भी स्वीकृत नहीं हुआ",
        "सिलाई इकाई के लिए व्यवसाय योजना कैसे बनाएं",
        "नए एमईसी सदस्यों के लिए प्रशिक्षण की तारीख़ें",
        "पीटीएस ऐप मासिक आँकड़े सिंक नहीं कर रहा है",
        "साप्ताहिक हाट में मोटे अनाज के उत्पादों के लिए ख़रीदार",
        "बकरी पालन उद्यम के लिए बही-खाता रजिस्टर",
        "ग्राम सभा की बैठक में स्वयं सहायता समूह की भागीदारी",
        "सामुदायिक निधि से ऋण की किस्त कैसे चुकाएं",
    ],
    "ml": [
        "ബാങ്ക് വായ്പ മൂന്ന് മാസമായിട്ടും അനുവദിച്ചില്ല",
        "തയ്യൽ യൂണിറ്റിനുള്ള ബിസിനസ് പ്ലാൻ എങ്ങനെ തയ്യാറാക്കാം",
        "കഫേ കുടുംബശ്രീ മാതൃക ഞങ്ങളുടെ ബ്ലോക്കിൽ തുടങ്ങാൻ",
        "ആഴ്ചച്ചന്തയിൽ ഉൽപ്പന്നങ്ങൾക്ക് വാങ്ങുന്നവരെ കണ്ടെത്താൻ",
    ],
}
SENTENCES = {
    "en": [
        "The caller runs a small enterprise with four members of her self-help group.",
        "She has already submitted the documents to the branch manager twice.",
        "The community resource person asked us to contact the call-centre.",
        "They need the information before the next meeting of the cluster federation.",
        "The enterprise has been running for two years and the profit is falling.",
        "Please call back in the afternoon, the phone is shared with the family.",
        "The mentor visited last month but the problem is still not solved.",
    ],
    "hi": [
        "कॉल करने वाली दीदी अपने स्वयं सहायता समूह की चार सदस्यों के साथ छोटा उद्यम चलाती हैं।",
        "उन्होंने शाखा प्रबंधक को दो बार सभी दस्तावेज़ जमा कर दिए हैं।",
        "सामुदायिक संसाधन व्यक्ति ने उन्हें कॉल-सेंटर से संपर्क करने को कहा।",
        "अगली संकुल संघ बैठक से पहले उन्हें यह जानकारी चाहिए।",
        "उद्यम दो साल से चल रहा है पर मुनाफ़ा घट रहा है।",
        "कृपया दोपहर में वापस कॉल करें, फ़ोन परिवार के साथ साझा है।",
        "मेंटर पिछले महीने आए थे लेकिन समस्या अभी भी हल नहीं हुई है।",
    ],
    "ml": [
        "വിളിച്ചയാൾ അയൽക്കൂട്ടത്തിലെ നാല് അംഗങ്ങളോടൊപ്പം ഒരു ചെറിയ സംരംഭം നടത്തുന്നു.",
        "ബ്രാഞ്ച് മാനേജർക്ക് രണ്ടുതവണ രേഖകൾ സമർപ്പിച്ചു.",
        "അടുത്ത സിഡിഎസ് യോഗത്തിന് മുമ്പ് വിവരം ആവശ്യമാണ്.",
        "ദയവായി ഉച്ചയ്ക്ക് ശേഷം തിരികെ വിളിക്കുക.",
    ],
}
NAMES = [
    "Sunita Devi",
    "Rekha Kumari",
    "Anita Oraon",
    "Pushpa Munda",
    "Lakshmi Bai",
    "Sarita Mahto",
    "Geeta Soren",
    "Bindu K.",
    "Shyamala P.",
    "Meena Toppo",
    "सुनीता देवी",
    "रेखा कुमारी",
    "पुष्पा मुंडा",
    "ബിന്ദു കെ.",
]


def phone_pool(size: int, rng: random.Random) -> list[str]:
    """Distinct valid Indian mobile numbers, each written one of the ways callers give it."""
    numbers = rng.sample(range(10**8), size)
    pool = []
    for i, n in enumerate(numbers):
        digits = f"{rng.choice('6789')}{rng.choice('0123456789')}{n:08d}"
        form = i % 4
        pool.append(
            [
                f"+91{digits}",
                f"0{digits[:5]} {digits[5:]}",
                digits,
                f"+91 {digits[:5]} {digits[5:]}",
            ][form]
        )
    return pool


def ticket_bodies(count: int, categories: list[str], phones: list[str], seed: int) -> list[bytes]:
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        language = rng.choices(["hi", "en", "ml"], weights=[5, 3, 2])[0]
        sentences = SENTENCES[language]
        description = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 8)))
        body = {
            "subject": rng.choice(SUBJECTS[language]),
            "description": description,
            "category": rng.choice(categories),
            "priority": rng.choices(["low", "normal", "high", "urgent"], weights=[2, 6, 2, 1])[0],
            "channel": rng.choices(["phone", "api", "web", "sms"], weights=[6, 2, 1, 1])[0],
            "language": language,
            "block": rng.choice(BLOCKS)[0],
        }
        if rng.random() < 0.9:
            # a skewed pick: some callers ring often, most once or twice
            phone = phones[
                min(int(rng.paretovariate(1.2)) - 1, len(phones) - 1)
                if rng.random() < 0.3
                else rng.randrange(len(phones))
            ]
            body["requester"] = {"name": rng.choice(NAMES), "phone": phone}
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def raw_requests(port: int, token: str, bodies: list[bytes]) -> list[bytes]:
    head = (
        f"POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
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


def database_counts(db_name: str) -> str:
    import psycopg

    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={db_name}"
    with psycopg.connect(dsn) as conn:
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("tickets", "contacts", "ticket_events", "messages", "outbox_jobs")
        }
    return ", ".join(f"{table} {n}" for table, n in counts.items())


def queue_length() -> int:
    """Jobs waiting on the bench's RQ queues ("bench" and any "bench-<queue>")."""
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    return sum(redis.llen(key) for key in redis.scan_iter("rq:queue:bench*"))


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None):
    global REDIS_URL, ROOT, VENV_BIN  # --redis-url and --app-dir set them for the whole run
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers",
        "-w",
        type=int,
        default=3,
        help="gunicorn workers (default 3 for 2 cores: the intake is CPU-bound, "
        "more processes only add switching; sync 4 and gthread 2x4/3x4 "
        "measured no better)",
    )
    parser.add_argument(
        "--worker-class",
        "-k",
        default="sync",
        choices=["sync", "gthread"],
        help="gunicorn worker class (default sync)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker; >1 implies gthread (default 1)"
    )
    parser.add_argument("--concurrency", "-c", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds, not measured")
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="measured seconds")
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="no REDIS_URL: jobs run in-process after each request",
    )
    parser.add_argument("--skip-bare", action="store_true", help="only the helpdesk")
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--phones", type=int, default=1500, help="distinct requester phones")
    parser.add_argument("--bodies", type=int, default=4000, help="distinct request bodies")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--redis-url",
        default=REDIS_URL,
        help=f"the Redis db to use and flush (default {REDIS_URL})",
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=None,
        help="serve the helpdesk of another checkout (with its .venv), e.g. to compare revisions",
    )
    args = parser.parse_args(argv)
    REDIS_URL = args.redis_url
    if args.app_dir is not None:
        ROOT = args.app_dir.resolve()
        VENV_BIN = ROOT / ".venv" / "bin"
    if args.threads > 1 and args.worker_class == "sync":
        args.worker_class = "gthread"
    return args


async def main_async(args) -> int:
    search_dir = tempfile.mkdtemp(prefix="bench-search-")
    env = app_environment(args.database, not args.no_redis, os.path.join(search_dir, "index"))
    servers: list[Server] = []
    try:
        if not args.no_redis:
            flush_redis()
        log(f"preparing database {args.database} (schema reset, db upgrade, blocks, agent) ...")
        prepare_database(args.database, env)

        app = start_gunicorn("intake", "wsgi:app", ROOT, env, args)
        servers.append(app)
        await wait_until_answering(app, "/api/v1/categories")
        status, data = await call(
            app.port,
            "POST",
            "/api/v1/auth/tokens",
            {"email": AGENT_EMAIL, "password": AGENT_PASSWORD},
        )
        if status != 201:
            raise SystemExit(f"POST /api/v1/auth/tokens: {status} {data}")
        token = data["token"]
        status, data = await call(app.port, "GET", "/api/v1/categories", token=token)
        if status != 200:
            raise SystemExit(f"GET /api/v1/categories: {status} {data}")
        categories = [c["slug"] for c in data["items"]]

        rng = random.Random(args.seed)
        bodies = ticket_bodies(args.bodies, categories, phone_pool(args.phones, rng), args.seed)
        status, data = await call(
            app.port, "POST", "/api/v1/tickets", json.loads(bodies[0]), token=token
        )
        if status != 201:
            raise SystemExit(f"a first POST /api/v1/tickets failed: {status} {data}")

        log(
            f"helpdesk on :{app.port}; {len(bodies)} bodies, {args.phones} phones, "
            f"{len(categories)} categories, {len(BLOCKS)} blocks"
        )
        intake = await drive("intake", "tickets", app, raw_requests(app.port, token, bodies), args)
        app.stop()
        counts = database_counts(args.database)
        queued = None if args.no_redis else queue_length()

        bare = None
        if not args.skip_bare:
            bare_server = start_gunicorn("bare", "bare_app:app", BENCH_DIR, env, args)
            servers.append(bare_server)
            await wait_until_answering(bare_server, "/ping")
            bare = await drive(
                "bare", "req", bare_server, raw_requests(bare_server.port, token, bodies), args
            )
            bare_server.stop()
    finally:
        for server in servers:
            server.stop()
            with contextlib.suppress(OSError):
                os.unlink(server.log_path)
        shutil.rmtree(search_dir, ignore_errors=True)
        if not args.no_redis:
            from redis.exceptions import RedisError

            try:
                flush_redis()
            except (OSError, RedisError) as exc:  # the figures matter more than the cleanup
                log(f"could not flush {REDIS_URL}: {exc}")

    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    print()
    print(
        f"gunicorn {args.workers} {args.worker_class} workers{threads}; concurrency "
        f"{args.concurrency}; warm-up {args.warmup:g}s, measured {args.duration:g}s; "
        f"PostgreSQL; "
        + ("no Redis (jobs in-process)" if args.no_redis else f"Redis {REDIS_URL} queue 'bench'")
    )
    print(line_for(intake))
    print(details_for(intake))
    print(
        f"         database after the run: {counts}"
        + ("" if queued is None else f"; RQ queues 'bench*' held {queued} jobs")
    )
    print_errors(intake)
    if bare is not None:
        print(line_for(bare))
        print(details_for(bare))
        print_errors(bare)
        ratio = intake.rate / bare.rate if bare.rate else 0.0
        print(f"ratio:  {ratio * 100:.1f}% of bare")
    p99 = intake.percentile(99)
    checks = [
        (f">= {TARGET_RATE:g} tickets/s", intake.rate >= TARGET_RATE),
        (f"p99 <= {TARGET_P99_MS:g} ms", p99 <= TARGET_P99_MS),
        ("no errors", intake.errors == 0),
    ]
    if bare is not None:
        checks.append(
            (f">= {TARGET_RATIO * 100:g}% of bare", intake.rate >= TARGET_RATIO * bare.rate)
        )
    warning = noisy([intake] + ([bare] if bare is not None else []))
    if warning:
        print(warning)
    print("targets: " + "  ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in checks))
    print(f"targets met: {'yes' if all(ok for _, ok in checks) else 'no'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
