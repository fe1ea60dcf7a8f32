"""Ticket-intake benchmark: the helpdesk on gunicorn + PostgreSQL (+ Redis) against bare Flask,
and optionally against another helpdesk (a peer) served the same way.

    .venv/bin/python bench/intake.py [--workers 3] [--worker-class sync] [--threads 1]
                                     [--concurrency 32] [--warmup 2] [--duration 10]
                                     [--rounds 1] [--peer django-helpdesk]
                                     [--peer revision --peer-app-dir PATH]
                                     [--no-redis] [--skip-bare] [--redis-url URL]

What it does, every run:

1. Creates the database ``helpdesk_bench`` on 127.0.0.1:5432 if it is missing, drops and
   recreates its ``public`` schema, runs ``flask db upgrade``, adds a few blocks and an
   ``agent`` user (``flask users create``).
2. Serves the app with ``gunicorn wsgi:app`` as production does (HELPDESK_ENV=production,
   PostgreSQL, REDIS_URL=redis://127.0.0.1:6379/14 (--redis-url) with RQ_QUEUE=bench unless
   --no-redis; that Redis db is flushed before and after), takes a bearer token from
   POST /api/v1/auth/tokens and the categories from GET /api/v1/categories.
3. With --peer django-helpdesk, installs that helpdesk into its own virtualenv, prepares
   its database and serves it with the same gunicorn settings (bench/peers/django_helpdesk).
4. Drives POST /api/v1/tickets at a fixed concurrency with varied bodies (English, Hindi and
   Malayalam text, every category, a pool of requester phones written in different ways so
   contacts are created and then reused): a warm-up, then a measured window. With a peer,
   the same bodies (as its API takes them) go to the peer right after, through the same
   client at the same concurrency; --rounds N repeats ours / peer N times, interleaved.
   ``--peer revision --peer-app-dir PATH`` makes the peer another checkout of this helpdesk
   (its own .venv, database and Redis database), to compare two versions in one run.
5. Serves bench/bare_app.py (Flask, one route echoing the JSON with 201) with the same
   gunicorn settings and drives it with the same client, concurrency and bodies.
6. Prints each round's tickets/s, p50, p99 and errors, when the responses slower than the
   p99 finished (bunched in a few half-second windows, or spread over the round), the
   medians over the rounds, the ratios (helpdesk/bare, helpdesk/peer) and whether the
   targets hold.

Servers and client are bench/http_load.py, the timed drive and its figures
bench/load_measure.py, the bodies bench/intake_bodies.py. It needs nothing beyond the app's
own dependencies (psycopg, redis); a peer brings its own virtualenv. Servers are always
stopped. This is a benchmark that prints figures, not a test: it exits 0 whether targets
hold or not (exit 1 only when it could not run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from http_load import (  # noqa: F401 (log, reset_database, run: bench/console_fanout.py)
    Server,
    call,
    log,
    raw_posts,
    reset_database,
    run,
    start_gunicorn,
    table_counts,
    wait_until_answering,
)
from intake_bodies import BLOCKS, phone_pool, ticket_bodies
from load_measure import Result, details_for, drive, line_for, medians, noisy, print_errors
from peers.django_helpdesk.harness import DjangoHelpdeskPeer

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"

TARGET_RATE = 400.0  # tickets/s
TARGET_P99_MS = 100.0
TARGET_RATIO = 0.35  # of bare Flask
TARGET_PEER_RATIO = 3.0  # times the peer's tickets/s


class RevisionPeer:
    """Another checkout of this helpdesk as the peer: two versions side by side in one run,
    each with its own database and Redis database, driven with the same bodies."""

    name = "revision"
    differences = "none: the same helpdesk, another checkout"

    def __init__(self, database: str, args):
        if args.peer_app_dir is None:
            raise SystemExit("--peer revision needs --peer-app-dir")
        self.root = args.peer_app_dir.resolve()
        self.bin = self.root / ".venv" / "bin"
        if not self.bin.is_dir():
            self.bin = VENV_BIN
        self.version = self.root.name
        self.database = database
        self.redis_url = None if args.no_redis else next_redis_database(args.redis_url)
        self.search_dir = tempfile.mkdtemp(prefix="bench-revision-search-")
        self.env = app_environment(database, self.redis_url, self.search_dir)
        self.token = ""

    def prepare(self) -> None:
        if self.redis_url:
            flush_redis(self.redis_url)
        log(f"preparing the revision at {self.root} in database {self.database} ...")
        prepare_database(self.database, self.env, self.root, self.bin)

    def start(self, args) -> Server:
        return start_gunicorn(
            "revision", "wsgi:app", self.root, self.env, args, self.bin / "gunicorn"
        )

    async def check(self, server: Server, first_body: bytes) -> None:
        self.token, _ = await sign_in(server)
        status, data = await call(
            server.port, "POST", "/api/v1/tickets", json.loads(first_body), token=self.token
        )
        if status != 201:
            raise SystemExit(f"revision: a first POST /api/v1/tickets failed: {status} {data}")

    def requests(self, port: int, bodies: list[bytes]) -> list[bytes]:
        return raw_requests(port, self.token, bodies)

    def counts(self) -> str:
        if self.redis_url:
            flush_redis(self.redis_url)
        shutil.rmtree(self.search_dir, ignore_errors=True)
        return table_counts(self.database, ("tickets", "contacts", "outbox_jobs"))


PEERS = {DjangoHelpdeskPeer.name: DjangoHelpdeskPeer, RevisionPeer.name: RevisionPeer}

AGENT_EMAIL = "bench.agent@example.org"
AGENT_PASSWORD = "bench-" + secrets.token_hex(8)


# --------------------------------------------------------------------------- set-up


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def flush_redis(url: str) -> None:
    from redis import Redis

    Redis.from_url(url, socket_connect_timeout=2).flushdb()


def next_redis_database(url: str) -> str:
    """The same Redis server's next database number: the revision peer's own."""
    base, _, number = url.rpartition("/")
    return f"{base}/{int(number or 0) + 1}"


def app_environment(db_name: str, redis_url: str | None, search_dir: str) -> dict[str, str]:
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
    if redis_url:
        env.update(REDIS_URL=redis_url, RQ_QUEUE="bench")
    return env


SEED_BLOCKS = """
import json, sys
from helpdesk import create_app
from helpdesk.geography.services import create_block
app = create_app()
with app.app_context():
    for code, name, district, state in json.loads(sys.argv[1]):
        create_block(code=code, name=name, district=district, state=state)
"""


def prepare_database(
    db_name: str, env: dict[str, str], root: Path | None = None, venv_bin: Path | None = None
) -> None:
    """Schema reset, upgrade, blocks and the agent, with the checkout ``root`` (default: the
    one served) and its virtualenv."""
    root, venv_bin = root or ROOT, venv_bin or VENV_BIN
    reset_database(db_name)
    flask = str(venv_bin / "flask")
    run([flask, "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade", root)
    seed = [str(venv_bin / "python"), "-c", SEED_BLOCKS, json.dumps(BLOCKS)]
    run(seed, env, "adding blocks", root)
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
        root,
    )


def raw_requests(port: int, token: str, bodies: list[bytes]) -> list[bytes]:
    return raw_posts(port, "/api/v1/tickets", f"Bearer {token}", bodies)


def queue_length(redis_url: str) -> int:
    """Jobs waiting on the bench's RQ queues ("bench" and any "bench-<queue>")."""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    return sum(redis.llen(key) for key in redis.scan_iter("rq:queue:bench*"))


async def sign_in(app: Server) -> tuple[str, list[str]]:
    """The agent's bearer token and the category slugs, from the running app."""
    await wait_until_answering(app, "/api/v1/categories")
    status, data = await call(
        app.port, "POST", "/api/v1/auth/tokens", {"email": AGENT_EMAIL, "password": AGENT_PASSWORD}
    )
    if status != 201:
        raise SystemExit(f"POST /api/v1/auth/tokens: {status} {data}")
    token = data["token"]
    status, data = await call(app.port, "GET", "/api/v1/categories", token=token)
    if status != 200:
        raise SystemExit(f"GET /api/v1/categories: {status} {data}")
    return token, [c["slug"] for c in data["items"]]


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None):
    global ROOT, VENV_BIN  # --app-dir sets them for the whole run
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
    parser.add_argument("--rounds", type=int, default=1, help="ours/peer rounds, interleaved")
    parser.add_argument(
        "--peer", choices=sorted(PEERS), help="also drive this helpdesk (own virtualenv)"
    )
    parser.add_argument("--peer-database", default=None, help="default: one per peer")
    parser.add_argument(
        "--peer-app-dir", type=Path, default=None, help="the checkout --peer revision serves"
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="no REDIS_URL: jobs run in-process after each request",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="flushed")
    parser.add_argument("--skip-bare", action="store_true", help="no bare Flask reference")
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--phones", type=int, default=1500, help="distinct requester phones")
    parser.add_argument("--bodies", type=int, default=4000, help="distinct request bodies")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=None,
        help="serve the helpdesk of another checkout (with its .venv), e.g. to compare revisions",
    )
    args = parser.parse_args(argv)
    if args.app_dir is not None:
        ROOT = args.app_dir.resolve()
        VENV_BIN = ROOT / ".venv" / "bin"
    if args.threads > 1 and args.worker_class == "sync":
        args.worker_class = "gthread"
    args.rounds = max(1, args.rounds)
    return args


async def main_async(args) -> int:
    redis_url = None if args.no_redis else args.redis_url
    search_dir = tempfile.mkdtemp(prefix="bench-search-")
    env = app_environment(args.database, redis_url, os.path.join(search_dir, "index"))
    peer = None
    if args.peer == RevisionPeer.name:
        peer = RevisionPeer(args.peer_database or "peer_revision_bench", args)
    elif args.peer:  # installs it if need be
        peer = PEERS[args.peer](args.peer_database or "peer_dh_bench")
    servers: list[Server] = []
    ours: list[Result] = []
    theirs: list[Result] = []
    bare = None
    load_before = os.getloadavg()
    try:
        if redis_url:
            flush_redis(redis_url)
        log(f"preparing database {args.database} (schema reset, db upgrade, blocks, agent) ...")
        prepare_database(args.database, env)
        if peer is not None:
            peer.prepare()

        app = start_gunicorn("intake", "wsgi:app", ROOT, env, args, VENV_BIN / "gunicorn")
        servers.append(app)
        token, categories = await sign_in(app)
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
        if peer is not None:
            peer_server = peer.start(args)
            servers.append(peer_server)
            await peer.check(peer_server, bodies[0])
            peer_requests = peer.requests(peer_server.port, bodies)
            log(f"{peer.name} {peer.version} on :{peer_server.port}")

        our_requests = raw_requests(app.port, token, bodies)
        for _ in range(args.rounds):
            ours.append(await drive("intake", "tickets", app, our_requests, args))
            if peer is not None:
                theirs.append(await drive(peer.name, "tickets", peer_server, peer_requests, args))
        for server in servers:
            server.stop()
        counts = table_counts(
            args.database, ("tickets", "contacts", "ticket_events", "messages", "outbox_jobs")
        )
        queued = None if redis_url is None else queue_length(redis_url)

        if not args.skip_bare:
            bare_server = start_gunicorn(
                "bare", "bare_app:app", BENCH_DIR, env, args, VENV_BIN / "gunicorn"
            )
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
        if redis_url:
            from redis.exceptions import RedisError

            try:
                flush_redis(redis_url)
            except (OSError, RedisError) as exc:  # the figures matter more than the cleanup
                log(f"could not flush {redis_url}: {exc}")

    report(args, ours, theirs, peer, bare, counts, queued, (load_before, os.getloadavg()))
    return 0


def report(args, ours, theirs, peer, bare, counts, queued, loads) -> None:
    """Print every round, the medians, the ratios and whether each target holds."""
    width = 16 if peer is not None else 7
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    print()
    print(
        f"gunicorn {args.workers} {args.worker_class} workers{threads}; concurrency "
        f"{args.concurrency}; warm-up {args.warmup:g}s, measured {args.duration:g}s; PostgreSQL; "
        + (
            f"Redis {args.redis_url} queue 'bench'"
            if not args.no_redis
            else "no Redis (jobs in-process)"
        )
    )
    print(
        "machine load average (1/5/15 min) before: "
        + " ".join(f"{v:.2f}" for v in loads[0])
        + ", after: "
        + " ".join(f"{v:.2f}" for v in loads[1])
        + f" ({os.cpu_count()} CPUs)"
    )
    for n, result in enumerate(ours):
        if len(ours) > 1:
            print(f"round {n + 1}:")
        for r in [result] + ([theirs[n]] if theirs else []):
            print(line_for(r, width))
            print(details_for(r))
            print_errors(r)
    print(
        f"         database after the run: {counts}"
        + ("" if queued is None else f"; RQ queues 'bench*' held {queued} jobs")
    )
    rate, p50, p99 = medians(ours)
    if len(ours) > 1 or peer is not None:
        print(f"medians over {len(ours)} round(s):")
        print(f"{'intake:':<{width}} {rate:8.1f} tickets/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    peer_ratio = None
    if peer is not None:
        peer_rate, peer_p50, peer_p99 = medians(theirs)
        print(
            f"{peer.name + ':':<{width}} {peer_rate:8.1f} tickets/s  p50 {peer_p50:6.1f} ms  "
            f"p99 {peer_p99:6.1f} ms   ({peer.name} {peer.version}; database after the run: "
            f"{peer.counts()})"
        )
        peer_ratio = rate / peer_rate if peer_rate else float("nan")
        print(f"ratio:  intake / {peer.name} = {peer_ratio:.2f}x  (goal >= {TARGET_PEER_RATIO:g}x)")
        print(f"differences: {peer.differences}")
    if bare is not None:
        print(line_for(bare, width))
        print(details_for(bare))
        print_errors(bare)
        print(f"ratio:  {rate / bare.rate * 100 if bare.rate else 0.0:.1f}% of bare")
    checks = [
        (f">= {TARGET_RATE:g} tickets/s", rate >= TARGET_RATE),
        (f"p99 <= {TARGET_P99_MS:g} ms", p99 <= TARGET_P99_MS),
        ("no errors", all(r.errors == 0 for r in ours)),
    ]
    if peer_ratio is not None and peer.name != RevisionPeer.name:
        checks.append((f">= {TARGET_PEER_RATIO:g}x {peer.name}", peer_ratio >= TARGET_PEER_RATIO))
    if bare is not None:
        checks.append((f">= {TARGET_RATIO * 100:g}% of bare", rate >= TARGET_RATIO * bare.rate))
    warning = noisy(ours + theirs + ([bare] if bare is not None else []))
    if warning:
        print(warning)
    print("targets: " + "  ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in checks))
    print(f"targets met: {'yes' if all(ok for _, ok in checks) else 'no'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
