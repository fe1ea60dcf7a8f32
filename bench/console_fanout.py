"""Live-console fan-out benchmark: hundreds of consoles on several app processes, tickets
created at a steady rate, and how long each ``ticket.created`` takes to reach every console,
for one or more server setups (variants, ``bench/fanout_servers.py``) measured in turn.

    .venv/bin/python bench/console_fanout.py [--clients 500] [--processes 2] [--rate 2]
        [--duration 60] [--grace 5] [--variants threads+deflate,threads] [--rounds 1]
        [--redis-url redis://127.0.0.1:6379/13] [--database fanout_bench] [--no-deflate]

Needs PostgreSQL (127.0.0.1:5432, user postgres) and Redis, and the test extra (aiohttp).
What it does:

1. Creates the database (default ``fanout_bench``) if missing, drops and recreates its
   ``public`` schema, runs ``flask db upgrade``, adds blocks and one agent per console plus
   a desk agent who logs the tickets (API tokens issued directly). FLUSHES the Redis
   database it is given (default db 13), before each variant too.
2. For each round, for each variant: starts ``scripts/serve N`` as production runs it
   (HELPDESK_ENV=production, one gunicorn worker per process, the RQ workers) with the
   variant's settings; connects the consoles (websockets offering permessage-deflate as
   browsers do, token auth, round-robin over the processes, spread over several client
   processes so that the client does not measure itself); creates tickets through
   ``POST /api/v1/tickets`` at a steady rate for the duration, waits ``--grace`` seconds
   for late events, and stops the servers.
3. Prints per run: consoles connected, events expected vs delivered, the delivery latency
   p50/p95/p99/max since the POST was sent and since the ticket's ``created_at`` (stamped
   just before its commit, same clock), the API's response times, the CPU seconds of the
   app processes, RQ workers, Redis and the clients, and how long the app processes'
   threads waited for a CPU. Then a summary per variant (rounds pooled) and the production
   setup's p95 against the goal and as a ratio to the setup before, from the same sitting.

It exits 0 whether the target (p95 <= 250 ms) holds or not, 1 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "bench"))

from fanout_clients import console_process  # noqa: E402
from fanout_report import print_run, print_summary  # noqa: E402
from fanout_servers import PRODUCTION, REFERENCE, VARIANTS, Servers, group_cpu, redis_cpu  # noqa: E402
from intake import BLOCKS, log, reset_database, run  # noqa: E402

SEED = """
import json, sys
from helpdesk import create_app
from helpdesk.agents.services import create_user, issue_token
from helpdesk.geography.services import create_block
app = create_app()
app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # bench users, never signed in
blocks, consoles = json.loads(sys.argv[1]), int(sys.argv[2])
with app.app_context():
    for code, name, district, state in blocks:
        create_block(code=code, name=name, district=district, state=state)
    tokens = []
    for n in range(consoles + 1):
        user = create_user(email=f"console{n}@bench.example.org", name=f"Console {n}",
                           role="agent", password="bench-password-1")
        tokens.append(issue_token(user))
print(json.dumps(tokens))
"""


def start_consoles(args, bases: list[str], tokens: list[str]):
    """Start the client processes and wait (progress bar) until every console has tried to
    connect; returns (stop event, results queue, processes, consoles connected)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    progress, results, stop = context.Queue(), context.Queue(), context.Event()
    share = -(-len(tokens) // args.client_processes)
    processes = []
    for n in range(args.client_processes):
        part = tokens[n * share : (n + 1) * share]
        if part:
            process = context.Process(
                target=console_process,
                daemon=True,
                args=(
                    args.client,
                    not args.no_deflate,
                    bases,
                    part,
                    n * share,
                    args.connect_concurrency,
                    progress,
                    stop,
                    results,
                ),
            )
            process.start()
            processes.append(process)
    done = connected = 0
    width = 40
    while done < len(tokens):
        try:
            connected += progress.get(timeout=120)
        except queue.Empty:
            raise SystemExit(f"\nconnecting stalled at {done}/{len(tokens)} consoles") from None
        done += 1
        filled = width * done // len(tokens)
        print(
            f"\rconnecting [{'#' * filled}{'.' * (width - filled)}] {done}/{len(tokens)}",
            end="",
            file=sys.stderr,
            flush=True,
        )
    print(file=sys.stderr)
    return stop, results, processes, connected


async def create_tickets(session, bases: list[str], token: str, rate: float, duration: float):
    """POST tickets at ``rate`` per second for ``duration`` seconds; returns
    {ticket id: time the POST was sent} and the API response times (s)."""
    sent: dict[int, float] = {}
    response_times: list[float] = []
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def one(n: int) -> None:
        body = {
            "subject": f"Bench ticket {n}: the bank asks for a business plan",
            "description": "The MEC needs help preparing the business plan for a loan.",
            "category": "business-plan",
            "channel": "phone",
            "language": "hi",
            "block": BLOCKS[n % len(BLOCKS)][0],
            "requester": {"name": "Sunita Devi", "phone": f"98765{n % 100000:05d}"},
        }
        started = time.time()
        try:
            async with session.post(
                f"{bases[n % len(bases)]}/api/v1/tickets", json=body, headers=headers
            ) as response:
                answer = await response.json(content_type=None)
                if response.status != 201:
                    errors.append(f"{response.status} {answer}")
                    return
        except Exception as exc:
            errors.append(repr(exc))
            return
        response_times.append(time.time() - started)
        sent[answer["id"]] = started

    tasks = []
    t0 = time.monotonic()
    for n in range(int(rate * duration)):
        await asyncio.sleep(max(0.0, t0 + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return sent, response_times, errors


# --------------------------------------------------------------------------- the run


async def measure(args, servers: Servers, tokens: list[str]) -> dict:
    """One run against ``servers``: connect the consoles, create the tickets, and return
    what was measured (latencies in ms)."""
    import aiohttp

    desk_token, console_tokens = tokens[0], tokens[1:]
    # A new connection per POST: reusing one that gunicorn's keep-alive just closed fails.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        await servers.wait_until_answering(session)
        started = time.monotonic()
        stop, results, processes, connected = start_consoles(args, servers.bases, console_tokens)
        log(
            f"{connected} consoles connected in {time.monotonic() - started:.1f}s"
            f" by {len(processes)} client processes"
        )
        await asyncio.sleep(2)  # let the connect storm settle before measuring
        load_before = os.getloadavg()
        cpu0 = (group_cpu(servers.proc.pid), redis_cpu(args.redis_url), time.time())
        sent, response_times, errors = await create_tickets(
            session, servers.bases, desk_token, args.rate, args.duration
        )
        await asyncio.sleep(args.grace)
        cpu1 = (group_cpu(servers.proc.pid), redis_cpu(args.redis_url), time.time())
        load_after = os.getloadavg()
    stop.set()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    for report in reports:
        for error in report["errors"]:
            log(f"connect failed: {error}")

    since_sent, since_created = [], []
    first_arrival: dict[int, float] = {}
    last_arrival: dict[int, float] = {}
    for report in reports:
        for ticket_id, arrived, created_at in report["created"]:
            if ticket_id not in sent:
                continue
            since_sent.append((arrived - sent[ticket_id]) * 1000)
            since_created.append((arrived - datetime.fromisoformat(created_at).timestamp()) * 1000)
            first_arrival[ticket_id] = min(arrived, first_arrival.get(ticket_id, arrived))
            last_arrival[ticket_id] = max(arrived, last_arrival.get(ticket_id, arrived))
    return {
        "consoles": len(console_tokens),
        "connected": connected,
        "client_processes": len(processes),
        "alive": sum(r["alive"] for r in reports),
        "tickets": len(sent),
        "errors": errors,
        "expected": len(sent) * connected,
        "delivered": len(since_sent),
        "updated": sum(r["updated"] for r in reports),
        "since_sent": since_sent,
        "since_created": since_created,
        "api": [t * 1000 for t in response_times],
        # Where the time goes: until the first console has it (the request, the commit,
        # Redis) versus from the first console to the last (the servers' sends, the clients).
        "to_first": [(first_arrival[t] - sent[t]) * 1000 for t in first_arrival],
        "spread": [(last_arrival[t] - first_arrival[t]) * 1000 for t in first_arrival],
        "load": (load_before[0], load_after[0]),
        "wall": cpu1[2] - cpu0[2],
        "app_cpu": cpu1[0]["app"] - cpu0[0]["app"],
        "rq_cpu": cpu1[0]["rq"] - cpu0[0]["rq"],
        "app_wait": cpu1[0]["app_wait"] - cpu0[0]["app_wait"],
        "redis_cpu": cpu1[1] - cpu0[1],
        "client_cpu": sum(r["cpu"] for r in reports),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rate", type=float, default=2.0, help="tickets per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of ticket creation")
    parser.add_argument("--grace", type=float, default=5.0, help="seconds to wait for late events")
    parser.add_argument(
        "--variants",
        default=f"{REFERENCE},{PRODUCTION}",
        help=f"server setups to compare, in this order each round (of: {', '.join(VARIANTS)})",
    )
    parser.add_argument("--rounds", type=int, default=1, help="times through the variants")
    parser.add_argument(
        "--connect-concurrency", type=int, default=10, help="connects in flight per client process"
    )
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument(
        "--client",
        choices=["raw", "socketio"],
        default="raw",
        help="hand-written Engine.IO client, or python-socketio's AsyncClient",
    )
    parser.add_argument(
        "--no-deflate",
        action="store_true",
        help="the raw client offers no permessage-deflate (browsers always offer it)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--database", default="fanout_bench")
    args = parser.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        parser.error(f"unknown variant(s) {unknown}; choose from {', '.join(VARIANTS)}")
    # A TERM (timeout, Ctrl-C from a supervisor) still stops the servers in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    from redis import Redis

    redis = Redis.from_url(args.redis_url, socket_connect_timeout=2)
    redis.flushdb()
    search_dir = tempfile.mkdtemp(prefix="bench-fanout-index-")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TEST_DATABASE_URL", "TEST_REDIS_URL", "RQ_QUEUE")
    }
    env.update(
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL=args.redis_url,
        RQ_QUEUE="bench-fanout",
        HELPDESK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="0",
        SEARCH_INDEX_DIR=search_dir,
        PYTHONUNBUFFERED="1",
        VENV_BIN=str(VENV_BIN),
    )
    log(f"preparing database {args.database} and {args.clients} console users")
    reset_database(args.database)
    run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")
    seeded = subprocess.run(
        [str(VENV_BIN / "python"), "-c", SEED, json.dumps(BLOCKS), str(args.clients)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode != 0:
        raise SystemExit(f"seeding failed:\n{seeded.stderr}")
    tokens = json.loads(seeded.stdout.strip().splitlines()[-1])

    print(
        f"{args.processes} app processes (scripts/serve), Redis {args.redis_url},"
        f" PostgreSQL {args.database}; {args.rate:g} tickets/s for {args.duration:g}s"
        f" + {args.grace:g}s grace; variants {', '.join(variants)} x {args.rounds} round(s)"
    )
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    try:
        for round_no in range(1, args.rounds + 1):
            for variant in variants:
                log(f"round {round_no}: {variant}")
                redis.flushdb()  # nothing queued or registered by the previous variant
                servers = Servers(args, env, variant)
                try:
                    result = asyncio.run(measure(args, servers, tokens))
                finally:
                    servers.stop()
                runs[variant].append(result)
                print_run(args, variant, result)
                sys.stdout.flush()
    finally:
        redis.flushdb()
    print_summary(args, runs)


if __name__ == "__main__":
    main()
