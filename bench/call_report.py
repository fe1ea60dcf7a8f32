"""Call-figures report benchmark at a million calls, on PostgreSQL, over HTTP.

    .venv/bin/python bench/call_report.py [--calls 1000000] [--tickets 200000]
                                          [--database calls_bench] [--requests 20] [--keep]
                                          [--reuse]

What it does, every run:

1. Drops and creates the PostgreSQL database ``--database`` (default ``calls_bench``, its
   own; never ``test``) on 127.0.0.1:5432 as user postgres, and builds the schema with the
   migrations (``flask db upgrade``).
2. Generates, with set-based SQL (``INSERT ... SELECT generate_series``, 100k rows per
   statement): 8 states x 10 districts x 4 blocks, 200 agents, 100k callers, ``--tickets``
   tickets (70 % resolved), 300k messages on them (half public replies from the requester's
   side, half staff replies and notes), and ``--calls`` calls over the last 400 days:
   90 % inbound, mostly in office hours (Asia/Kolkata); 82 % of inbound calls answered
   (ringing before the answer drawn from an exponential distribution, mean 14 s; talk
   mean 240 s), the rest abandoned; 75 % of answered calls on a ticket, each followed up by
   the next inbound call on its ticket (``followed_up_at``). Then VACUUM ANALYZE.
3. Serves the app on a local port (werkzeug, threaded) and, for ``group_by`` day, hour and
   agent over the last 30 days and the last 365 days (to today), times ``--requests``
   requests of ``GET /api/v1/reports/calls`` through a real HTTP connection (bearer token)
   and, interleaved in the same run, the bare SQL statement the report rests on
   (``call_queries.call_figures_statement``, sent through psycopg): p50 and p95 of each.
4. Prints the figures, the goal (HTTP p95 <= 1 s) and the ratio of the HTTP p95 to the
   bare SQL p95. It drops the database afterwards unless ``--keep``.

This prints figures; it is not a test and exits 0 whether the goal holds or not.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import click
import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import TestingConfig  # noqa: E402
from helpdesk import create_app  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
CHUNK = 100_000
STATES = ("IN-JH", "IN-BR", "IN-RJ", "IN-KA", "IN-MH", "IN-OD", "IN-AS", "IN-KL")
GROUPS = ("day", "hour", "agent")
RANGES = (30, 365)
DAYS = 400
MESSAGES = 300_000

TICKETS_SQL = """
INSERT INTO tickets (subject, description, status, priority, channel, language, category_id,
  block_id, requester_id, created_by_id, assignee_id, created_at, updated_at, resolved_at,
  sla_breached, first_response_breached, resolution_breached)
SELECT 'Bench ticket ' || g, 'Generated for the call report benchmark.',
  CASE WHEN r_res < 0.7 THEN 'resolved' ELSE 'open' END, 'normal', 'phone', 'hi',
  CAST(:cat_lo AS int) + floor(random() * CAST(:cat_n AS int))::int,
  CAST(:block_lo AS int) + floor(random() * CAST(:block_n AS int))::int,
  CAST(:contact_lo AS int) + floor(random() * CAST(:contact_n AS int))::int,
  CAST(:agent_lo AS int) + floor(random() * CAST(:agent_n AS int))::int,
  CAST(:agent_lo AS int) + floor(random() * CAST(:agent_n AS int))::int,
  created_at, created_at,
  CASE WHEN r_res < 0.7 THEN created_at + random() * interval '5 days' END,
  '[]', false, false
FROM (SELECT g, random() AS r_res,
             now() - random() * interval '400 days' AS created_at
      FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g) AS x
"""

MESSAGES_SQL = """
INSERT INTO messages (ticket_id, author_id, body, internal, channel, automatic, created_at)
SELECT CAST(:ticket_lo AS int) + floor(random() * CAST(:ticket_n AS int))::int,
  CASE WHEN r_side < 0.5 THEN NULL
       ELSE CAST(:agent_lo AS int) + floor(random() * CAST(:agent_n AS int))::int END,
  'Bench message ' || g, r_side >= 0.5 AND r_note < 0.3,
  CASE WHEN r_side < 0.5 THEN 'sms' ELSE 'web' END, false,
  now() - random() * interval '400 days'
FROM (SELECT g, random() AS r_side, random() AS r_note
      FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g) AS x
"""

# Office hours mostly: 85 % between 09:00 and 18:00 IST, the rest spread over the day.
CALLS_SQL = """
WITH x AS MATERIALIZED (
  SELECT g, random() AS r_dir, random() AS r_ans, random() AS r_ticket,
         date_trunc('day', now() AT TIME ZONE 'Asia/Kolkata') - floor(random() * 400) * interval '1 day'
           + CASE WHEN random() < 0.85 THEN interval '9 hours' + random() * interval '9 hours'
                  ELSE random() * interval '24 hours' END AS local_start,
         floor(-ln(1 - random()) * 14)::int AS wait_s,
         floor(-ln(1 - random()) * 240)::int + 10 AS talk_s,
         floor(random() * 100000)::int AS caller
  FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g
), y AS (
  SELECT x.*, (local_start AT TIME ZONE 'Asia/Kolkata') AS started_at,
         CASE WHEN r_dir < 0.9 THEN 'in' ELSE 'out' END AS direction,
         (r_ans < 0.82) AS answered
  FROM x
)
INSERT INTO calls (call_id, from_number, to_number, direction, contact_id, answered_by_id,
  ticket_id, started_at, answered_at, ended_at, duration_seconds, cause, status, events_seen)
SELECT 'bench-' || g,
  CASE WHEN direction = 'in' THEN '+9170' || lpad(caller::text, 8, '0') ELSE '+918022223333' END,
  CASE WHEN direction = 'in' THEN '+918022223333' ELSE '+9170' || lpad(caller::text, 8, '0') END,
  direction, CAST(:contact_lo AS int) + caller,
  CASE WHEN answered THEN CAST(:agent_lo AS int) + floor(random() * CAST(:agent_n AS int))::int END,
  CASE WHEN answered AND r_ticket < 0.75
       THEN CAST(:ticket_lo AS int) + floor(random() * CAST(:ticket_n AS int))::int END,
  started_at,
  CASE WHEN answered THEN started_at + wait_s * interval '1 second' END,
  started_at + CASE WHEN answered THEN (wait_s + talk_s) ELSE wait_s + 5 END * interval '1 second',
  CASE WHEN answered THEN talk_s ELSE 0 END,
  CASE WHEN answered THEN 'normal_clearing' ELSE 'no_answer' END,
  CASE WHEN answered THEN 'ended' ELSE 'missed' END,
  '["newCall", "hangup"]'
FROM y
"""

FOLLOWED_UP_SQL = """
UPDATE calls SET followed_up_at = x.next_at
FROM (SELECT id, lead(started_at) OVER (PARTITION BY ticket_id ORDER BY started_at) AS next_at
      FROM calls WHERE direction = 'in' AND ticket_id IS NOT NULL) AS x
WHERE x.id = calls.id AND x.next_at IS NOT NULL
"""


def admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def bench_config(url: str):
    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None
        TESTING = False

    return BenchConfig


def chunks(run, label: str, total: int, sql: str, params: dict) -> None:
    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        for lo in range(1, total + 1, CHUNK):
            hi = min(total, lo + CHUNK - 1)
            run(sql, params | {"lo": lo, "hi": hi})
            bar.update(hi - lo + 1)


def build(url: str, database: str, calls: int, tickets: int) -> None:
    admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{database}"')
    app = create_app(bench_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        from helpdesk.extensions import db

        upgrade()
        started = time.perf_counter()

        def run(sql: str, params: dict | None = None):
            with db.engine.begin() as conn:
                return conn.execute(sa.text(sql), params or {})

        run("SELECT setseed(0.42)")
        run(
            "INSERT INTO districts (state_id, name) SELECT s.id, s.name || ' district ' || g "
            "FROM states s, generate_series(1, 10) g WHERE s.code = ANY(:codes)",
            {"codes": list(STATES)},
        )
        run(
            "INSERT INTO blocks (code, name, district_id) SELECT 'BLK-' || d.id || '-' || g, "
            "'Block ' || d.id || '-' || g, d.id FROM districts d, generate_series(1, 4) g"
        )
        run(
            "INSERT INTO users (email, name, role, password_hash, languages, skills, states, "
            "active, created_at) SELECT 'agent' || g || '@bench.example', 'Agent ' || g, "
            "'agent', 'x', '[\"hi\"]', '[]', '[]', true, now() FROM generate_series(1, 200) g"
        )
        run(
            "INSERT INTO contacts (name, phone, block_id, language, phone_confirmed, created_at) "
            "SELECT 'Caller ' || g, '+9170' || lpad(g::text, 8, '0'), "
            "(SELECT min(id) FROM blocks) + g % (SELECT count(*) FROM blocks), 'hi', true, now() "
            "FROM generate_series(0, 99999) g"
        )
        params: dict = {}
        for name, sql in (
            ("cat", "SELECT min(id), max(id) FROM categories"),
            ("block", "SELECT min(id), max(id) FROM blocks"),
            ("contact", "SELECT min(id), max(id) FROM contacts"),
            ("agent", "SELECT min(id), max(id) FROM users WHERE role = 'agent'"),
        ):
            lo, hi = run(sql).one()
            params[f"{name}_lo"], params[f"{name}_n"] = lo, hi - lo + 1
        chunks(run, "tickets ", tickets, TICKETS_SQL, params)
        lo, hi = run("SELECT min(id), max(id) FROM tickets").one()
        params["ticket_lo"], params["ticket_n"] = lo, hi - lo + 1
        chunks(run, "messages", MESSAGES, MESSAGES_SQL, params)
        chunks(run, "calls   ", calls, CALLS_SQL, params)
        # What the hangups record: a later inbound call on a ticket follows up the earlier.
        run(FOLLOWED_UP_SQL)
        db.engine.dispose()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"generated in {time.perf_counter() - started:.1f} s (VACUUM ANALYZE included)")


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Server:
    """The whole app on a free localhost port, as ``flask run`` would serve it."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.server.server_port

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


def measure(url: str, requests: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    from helpdesk.agents.services import create_user, issue_token
    from helpdesk.extensions import db
    from helpdesk.reports import call_queries, call_report, services

    app = create_app(bench_config(url))
    with app.app_context():
        from helpdesk.agents.models import User

        manager = db.session.scalar(
            sa.select(User).where(User.email == "manager@bench.example")
        ) or create_user(
            email="manager@bench.example", name="Manager", role="manager", password="bench-1-pass"
        )
        token = issue_token(manager)
        counts = db.session.execute(
            sa.text(
                "SELECT count(*), count(*) FILTER (WHERE direction = 'in'), min(started_at), "
                "(SELECT count(*) FROM tickets), (SELECT count(*) FROM messages) FROM calls"
            )
        ).one()
        print(
            f"calls: {counts[0]} ({counts[1]} inbound) since {counts[2]:%Y-%m-%d}; "
            f"tickets: {counts[3]}; messages: {counts[4]}"
        )
        threshold = call_report.DEFAULT_THRESHOLD_S
        last_day = services.today_ist()
        db.session.rollback()
    server = Server(app)
    raw = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    # As the service does (call_queries.call_figures).
    raw.execute("SET plan_cache_mode = force_custom_plan")
    raw.execute(f"SET work_mem = '{call_queries.REPORT_WORK_MEM}'")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    results = []
    try:
        for days in RANGES:
            first_day = last_day - timedelta(days=days - 1)
            for group_by in GROUPS:
                report_range = services.ReportRange(first_day, last_day, group_by)
                with app.app_context():
                    compiled = call_queries.call_figures_statement(
                        group_by, report_range.start, report_range.end, threshold
                    ).compile(dialect=postgresql.psycopg.dialect())
                path = f"/api/v1/reports/calls?from={first_day}&to={last_day}&group_by={group_by}"

                def bare(compiled=compiled):
                    with raw.cursor() as cur:
                        cur.execute(str(compiled), compiled.params)
                        return len(cur.fetchall())

                def over_http(path=path):
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    assert response.status == 200, body[:300]
                    return body

                bare(), over_http()  # warm caches once
                times: dict[str, list[float]] = {"bare": [], "http": []}
                for _ in range(requests):  # interleaved: a busy moment hits both alike
                    for name, fn in (("bare", bare), ("http", over_http)):
                        started = time.perf_counter()
                        fn()
                        times[name].append((time.perf_counter() - started) * 1000)
                figures = {
                    "days": days,
                    "group_by": group_by,
                    "rows": bare(),
                    "bare_p50": p(times["bare"], 0.5),
                    "bare_p95": p(times["bare"], 0.95),
                    "http_p50": p(times["http"], 0.5),
                    "http_p95": p(times["http"], 0.95),
                }
                results.append(figures)
                print(
                    f"{days:>3} days group_by={group_by:<5} groups {figures['rows']:>4}   "
                    f"bare SQL p50 {figures['bare_p50']:7.1f} p95 {figures['bare_p95']:7.1f} ms   "
                    f"HTTP p50 {figures['http_p50']:7.1f} p95 {figures['http_p95']:7.1f} ms   "
                    f"HTTP/bare p95 {figures['http_p95'] / figures['bare_p95']:.2f}x"
                )
    finally:
        conn.close()
        raw.close()
        server.close()
        with app.app_context():
            db.engine.dispose()
    worst = max(results, key=lambda r: r["http_p95"])
    worst_ratio = max(r["http_p95"] / r["bare_p95"] for r in results)
    yes = {True: "yes", False: "NO"}
    print(
        f"goal: GET /api/v1/reports/calls p95 <= 1 s: {yes[worst['http_p95'] <= 1000]} "
        f"(worst {worst['http_p95']:.0f} ms: {worst['days']} days by {worst['group_by']}); "
        f"HTTP p95 / bare SQL p95 at most {worst_ratio:.2f}x ({requests} requests each)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--database", default="calls_bench")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="skip generation (after --keep)")
    args = parser.parse_args()
    if args.database in ("test", "postgres", "template0", "template1") or args.database.startswith(
        "test_"
    ):
        parser.error(f"refusing to use the database {args.database!r}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}"
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"PostgreSQL {args.database}; load average at start: {' '.join(load)}")
    try:
        if not args.reuse:
            build(url, args.database, args.calls, args.tickets)
        measure(url, args.requests)
    finally:
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
