"""Soak benchmark: the helpdesk served as in production under a steady mixed load for
minutes, watching for server errors, lost tickets and memory that keeps growing.

    .venv/bin/python bench/soak.py [--minutes 10] [--processes 2] [--agents 10] [--brc 6]
        [--consoles 50] [--cti-rate 0.5] [--sms-rate 0.3] [--database soak]
        [--redis-url redis://127.0.0.1:6379/9]

Needs PostgreSQL (127.0.0.1:5432, user postgres), Redis and the test extra (aiohttp).
What it does, every run:

1. Creates the database (default ``soak``) if missing, drops and recreates its ``public``
   schema, runs ``flask db upgrade`` and adds blocks, agents, BRC staff (each with a phone,
   in a block), console users and 60 open tickets. FLUSHES the Redis database it is given
   (default db 9), before and after.
2. Starts ``scripts/serve N`` as production runs it (HELPDESK_ENV=production, gunicorn
   gthread processes, an RQ worker on each queue) on free ports.
3. Connects ``--consoles`` Socket.IO consoles (bench/fanout_clients.py, websocket) and for
   ``--minutes`` runs, all at once: agents signed in on the web (queue API and page, ticket
   page, public replies), BRC staff (their portal page, new tickets through the API, their
   list), telephony (newCall, answer, hangup) and inbound SMS (new tickets and replies).
   A progress bar on stderr shows the minutes, requests and 5xx so far.
4. Waits for the RQ queues to drain, then prints: requests by kind (count, p50, p95), 5xx
   answers (goal 0), tickets the API answered 201 for versus those in the database and
   those with their acknowledgement (goal 0 lost), the RSS of the app processes after the
   warm-up, at the middle and at the end (goal: flat within 10 %), events the consoles
   received, and each figure against its goal.

Every process it started is stopped at the end. It prints figures, not a verdict: it exits
0 whether the goals hold or not, 1 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import click

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "bench"))

from console_fanout import Servers, percentile, start_consoles  # noqa: E402
from intake import BLOCKS, log, reset_database, run  # noqa: E402
from soak_load import (  # noqa: E402
    CTI_TOKEN,
    PASSWORD,
    SMS_TOKEN,
    Load,
    agent,
    brc_staff,
    inbound_sms,
    phone_calls,
)

RSS_GROWTH_GOAL = 0.10

SEED = """
import json, sys
from helpdesk import create_app
from helpdesk.agents.services import create_user, issue_token
from helpdesk.geography.services import create_block
from helpdesk.tickets.schemas import TicketCreate
from helpdesk.tickets.services import create_ticket
app = create_app()
app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # bench users
blocks, agents, brc, consoles, password = json.loads(sys.argv[1])
with app.app_context():
    for code, name, district, state in blocks:
        create_block(code=code, name=name, district=district, state=state)
    out = {"agents": [], "brc": [], "consoles": []}
    for n in range(agents):
        user = create_user(email=f"agent{n}@soak.example.org", name=f"Agent {n}", role="agent",
                           password=password, languages=["hi", "en", "ml"])
        out["agents"].append({"email": user.email, "token": issue_token(user)})
    for n in range(brc):
        user = create_user(email=f"brc{n}@soak.example.org", name=f"BRC {n}", role="brc",
                           password=password, block=blocks[n % len(blocks)][0],
                           phone=f"+9181{n:08d}")
        out["brc"].append({"email": user.email, "token": issue_token(user),
                           "block": blocks[n % len(blocks)][0]})
    for n in range(consoles):
        user = create_user(email=f"console{n}@soak.example.org", name=f"Console {n}",
                           role="agent", password=password)
        out["consoles"].append(issue_token(user))
    desk = create_user(email="desk@soak.example.org", name="Desk", role="agent",
                       password=password)
    for n in range(60):
        create_ticket(TicketCreate.model_validate({
            "subject": f"Open question {n}: the bank asks for a business plan",
            "description": "The MEC needs help with the loan papers.", "category": "business-plan",
            "channel": "phone", "language": "hi", "block": blocks[n % len(blocks)][0],
            "requester": {"name": "Sunita Devi", "phone": f"9876{n:06d}"}}), desk, live=False)
print(json.dumps(out))
"""
# --------------------------------------------------------------------------- watching


def app_rss(pgid: int) -> dict[int, int]:
    """RSS (KiB) of each gunicorn process of the serve process group."""
    out = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid and b"gunicorn" in cmdline:
            out[int(entry)] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return out


def queues_drained(redis_url: str, queue: str, timeout: float = 120.0) -> bool:
    from redis import Redis

    redis = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    names = [queue, f"{queue}-search"]
    while time.monotonic() < deadline:
        if not any(redis.llen(f"rq:queue:{n}") or redis.zcard(f"rq:wip:{n}") for n in names):
            return True
        time.sleep(1)
    return False


def stored_and_acknowledged(database: str, ids: set[int]) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={database}") as conn:
        stored = conn.execute("SELECT count(*) FROM tickets WHERE id = ANY(%s)", (list(ids),))
        acked = conn.execute(
            "SELECT count(DISTINCT ticket_id) FROM messages WHERE automatic AND NOT internal"
            " AND ticket_id = ANY(%s)",
            (list(ids),),
        )
        return stored.fetchone()[0], acked.fetchone()[0]


async def soak(args, servers: Servers, seed: dict) -> dict:
    import aiohttp

    duration = args.minutes * 60
    connector = aiohttp.TCPConnector(force_close=True)  # gunicorn may close a kept-alive one
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        await servers.wait_until_answering(session)
        consoles = SimpleNamespace(client_processes=1, client="raw", connect_concurrency=10)
        stop, results, processes, connected = start_consoles(
            consoles, servers.bases, seed["consoles"]
        )
        load = Load(servers.bases, session)
        until = time.monotonic() + duration
        workers = [
            *(
                agent(load, who, servers.bases[i % len(servers.bases)], until)
                for i, who in enumerate(seed["agents"])
            ),
            *(
                brc_staff(load, who, servers.bases[i % len(servers.bases)], until)
                for i, who in enumerate(seed["brc"])
            ),
            phone_calls(load, seed["agents"], args.cti_rate, until),
            inbound_sms(load, args.sms_rate, until),
        ]
        running = asyncio.gather(*workers)
        rss, warmup = {}, min(60.0, max(10.0, duration / 10))
        started = time.monotonic()
        with click.progressbar(
            length=int(duration),
            label="soak",
            file=sys.stderr,
            item_show_func=lambda _: f"{load.total} requests, {load.server_errors} 5xx",
        ) as bar:
            while not running.done():
                await asyncio.wait([running], timeout=1.0)
                elapsed = time.monotonic() - started
                for name, at in (("start", warmup), ("middle", duration / 2)):
                    if name not in rss and elapsed >= at:
                        rss[name] = app_rss(servers.proc.pid)
                bar.update(min(int(elapsed), int(duration)) - bar.pos, current_item=True)
        running.result()
        rss["end"] = app_rss(servers.proc.pid)
    drained = queues_drained(args.redis_url, "soak")
    stop.set()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    stored, acked = stored_and_acknowledged(args.database, load.written)
    return {
        "load": load,
        "rss": rss,
        "drained": drained,
        "consoles": connected,
        "events": sum(len(r["created"]) + r["updated"] for r in reports),
        "stored": stored,
        "acked": acked,
    }


def report(args, figures: dict) -> None:
    load: Load = figures["load"]
    minutes = args.minutes
    print(
        f"soak: {minutes:g} min, {args.processes} app processes (scripts/serve), PostgreSQL "
        f"{args.database}, Redis {args.redis_url}; {len(load.bases)} ports; "
        f"load average now {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs, shared)"
    )
    print(
        f"{'requests by kind':<22} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}  statuses (599: no answer)"
    )
    for kind in sorted(load.statuses):
        counts, times = load.statuses[kind], load.times[kind]
        print(
            f"{kind:<22} {sum(counts.values()):>7} {percentile(times, 50):>8.1f}"
            f" {percentile(times, 95):>8.1f}  {dict(sorted(counts.items()))}"
        )
    print(f"{'all':<22} {load.total:>7}   ({load.total / (minutes * 60):.1f} requests/s)")
    for failure in load.failures[:5]:
        print(f"  failure: {failure}")
    written, stored, acked = len(load.written), figures["stored"], figures["acked"]
    print(
        f"tickets written (201): {written}; in the database: {stored} (lost {written - stored});"
        f" with their acknowledgement: {acked} (missing {written - acked});"
        f" RQ queues drained: {'yes' if figures['drained'] else 'NO'}"
    )
    rss = figures["rss"]
    totals = {
        name: sum(rss[name].values()) / 1024 for name in ("start", "middle", "end") if name in rss
    }
    print(
        "RSS of the app processes (gunicorn, MiB): "
        + ", ".join(f"{name} {mib:.1f}" for name, mib in totals.items())
        + f"  [{len(rss.get('end', {}))} processes]"
    )
    print(
        f"consoles connected: {figures['consoles']} of {args.consoles}; events received: {figures['events']}"
    )
    growth = totals["end"] / totals["start"] - 1 if totals.get("start") else float("nan")
    lost = written - stored
    print("against the goals:")
    print(
        f"  5xx answers      {load.server_errors:>6}  goal 0        {'met' if load.server_errors == 0 else 'NOT met'}"
    )
    print(f"  tickets lost     {lost:>6}  goal 0        {'met' if lost == 0 else 'NOT met'}")
    print(
        f"  RSS start->end {growth:>+7.1%}  goal within {RSS_GROWTH_GOAL:.0%}  "
        f"(ratio {abs(growth) / RSS_GROWTH_GOAL:.2f})  "
        f"{'met' if abs(growth) <= RSS_GROWTH_GOAL else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--brc", type=int, default=6)
    parser.add_argument("--consoles", type=int, default=50)
    parser.add_argument("--cti-rate", type=float, default=0.5, help="calls started per second")
    parser.add_argument("--sms-rate", type=float, default=0.3, help="texts per second")
    parser.add_argument("--database", default="soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # servers still stopped in finally

    from redis import Redis

    Redis.from_url(args.redis_url, socket_connect_timeout=2).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "RQ_"))}
    env.update(
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL=args.redis_url,
        RQ_QUEUE="soak",
        HELPDESK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="0",
        SEARCH_INDEX_DIR=tempfile.mkdtemp(prefix="bench-soak-index-"),
        CTI_TOKEN=CTI_TOKEN,
        SMS_TOKEN=SMS_TOKEN,
        SMS_DEFAULT_BLOCK=BLOCKS[0][0],
        PYTHONUNBUFFERED="1",
        VENV_BIN=str(VENV_BIN),
    )
    log(f"preparing database {args.database}: users, {args.consoles} consoles, 60 tickets")
    reset_database(args.database)
    run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")
    counts = [BLOCKS, args.agents, args.brc, args.consoles, PASSWORD]
    seeded = subprocess.run(
        [str(VENV_BIN / "python"), "-c", SEED, json.dumps(counts)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode != 0:
        raise SystemExit(f"seeding failed:\n{seeded.stderr}")
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])

    servers = Servers(SimpleNamespace(processes=args.processes, clients=args.consoles), env)
    try:
        figures = asyncio.run(soak(args, servers, seed))
    finally:
        servers.stop()
        Redis.from_url(args.redis_url, socket_connect_timeout=2).flushdb()
    report(args, figures)


if __name__ == "__main__":
    main()
