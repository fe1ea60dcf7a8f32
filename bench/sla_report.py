"""SLA report and open-queue benchmark at a million tickets, on PostgreSQL.

    .venv/bin/python bench/sla_report.py [--tickets 1000000] [--open-share 0.1]
                                         [--database sla_bench] [--repeat 5] [--requests 60]
                                         [--keep]

What it does, every run:

1. Drops and creates the PostgreSQL database ``--database`` (default ``sla_bench``, its
   own; never ``test``) on 127.0.0.1:5432 as user postgres, and builds the schema with the
   migrations (``flask db upgrade``: reference states and categories included).
2. Generates, with set-based SQL (``INSERT ... SELECT generate_series``, 100k rows per
   statement, progress bars): 8 states x 10 districts x 8 blocks, 200 agents, 60 mentors,
   100k callers, and ``--tickets`` tickets over two years: priorities 8 % urgent, 22 %
   high, 55 % normal, 15 % low; every category, channel and 7 languages; ``--open-share``
   of them open (new/open/pending/escalated, created in the last 120 days), the rest
   resolved or closed. Business minutes to first response and to resolution are drawn
   from exponential distributions per priority (so 15-25 % breach), with the breach flags,
   ``sla_breached``, due dates, ``first_response_at`` and ``resolved_at`` consistent with
   them; 90 % are assigned to an agent, 10 % escalated to a mentor. No messages or audit
   events are generated (neither report nor queue reads them). Then VACUUM ANALYZE.
3. Times, over every ticket (``from`` the oldest day to today), for several ``group_by``
   keys, in the same run and interleaved: "before", the direct SQL as the report ran it
   before ``queries.REPORT_SETTINGS`` (work_mem 64 MB, the block-to-state map
   materialised); the bare SQL statement the report rests on now (the same SELECT sent
   through psycopg with REPORT_SETTINGS), the report service
   (``reports.services.sla_report``) and one HTTP request through the Flask test client
   (``GET /api/v1/reports/sla``, bearer token); median of ``--repeat`` runs each. It checks
   that the service's figures (every count and percentile, per group and in total) are
   exactly those of the direct SQL.
4. Times the open-queue page (``GET /tickets``, signed in as an agent: the default view of
   open tickets with its counts) and ``GET /api/v1/tickets?status=open``, plain and with a
   search ``q`` (subject words, a requester's name, a phone, a block's name), over
   ``--requests`` requests each through the test client: p50 and p95.
5. Prints the figures and whether the targets hold (report <= 1 s, equal to the direct SQL
   and <= 1.5x the bare SQL; open queue p95 <= 100 ms). It drops the database afterwards
   unless ``--keep``.

This prints figures; it is not a test and exits 0 whether the targets hold or not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
import psycopg
import sqlalchemy as sa
from psycopg.rows import dict_row
from sqlalchemy.dialects import postgresql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import TestingConfig  # noqa: E402
from helpdesk import create_app  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
CHUNK = 100_000
STATES = ("IN-JH", "IN-BR", "IN-RJ", "IN-KA", "IN-MH", "IN-OD", "IN-AS", "IN-KL")
GROUPS = ("state", "category", "agent", "block", "priority")

TICKETS_SQL = """
WITH x AS MATERIALIZED (
  SELECT g,
         (random() < CAST(:open_share AS float8)) AS is_open,
         random() AS pr, random() AS r_status, random() AS r_resp, random() AS r_fr,
         random() AS r_res, random() AS r_breach, random() AS r_age, random() AS r_mentor
  FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g
), y AS MATERIALIZED (
  SELECT x.*,
         CASE WHEN pr < 0.08 THEN 'urgent' WHEN pr < 0.30 THEN 'high'
              WHEN pr < 0.85 THEN 'normal' ELSE 'low' END AS priority,
         now() - (CASE WHEN is_open THEN r_age * 120 ELSE r_age * 730 END) * interval '1 day'
           AS created_at,
         (r_resp < CASE WHEN is_open THEN 0.6 ELSE 0.97 END) AS responded
  FROM x
), z AS MATERIALIZED (
  SELECT y.*,
         CASE priority WHEN 'urgent' THEN 30 WHEN 'high' THEN 60 WHEN 'normal' THEN 240 ELSE 540 END AS fr_target,
         CASE priority WHEN 'urgent' THEN 540 WHEN 'high' THEN 1080 WHEN 'normal' THEN 2700 ELSE 5400 END AS res_target,
         CASE WHEN responded THEN floor(-ln(1 - r_fr) * CASE priority WHEN 'urgent' THEN 20
              WHEN 'high' THEN 45 WHEN 'normal' THEN 150 ELSE 300 END)::int END AS frm,
         CASE WHEN NOT is_open THEN floor(-ln(1 - r_res) * CASE priority WHEN 'urgent' THEN 300
              WHEN 'high' THEN 700 WHEN 'normal' THEN 1800 ELSE 3600 END)::int END AS resm
  FROM y
), t AS (
  SELECT z.*,
         COALESCE(frm > fr_target, r_breach < 0.5) AS frb,
         COALESCE(resm > res_target, r_breach < 0.2) AS resb,
         CASE WHEN is_open THEN (ARRAY['new', 'open', 'pending', 'escalated'])[1 + floor(r_status * 4)::int]
              WHEN r_status < 0.3 THEN 'resolved' ELSE 'closed' END AS status
  FROM z
)
INSERT INTO tickets (subject, description, status, priority, channel, language, category_id,
  block_id, requester_id, created_by_id, assignee_id, mentor_id, created_at, updated_at,
  sla_policy, first_response_due, resolution_due, first_response_at, resolved_at, sla_breached,
  first_response_minutes, resolution_minutes, first_response_breached, resolution_breached)
SELECT 'Bench ticket ' || g, 'Generated for the SLA report benchmark.', status, priority,
  (ARRAY['phone', 'phone', 'phone', 'web', 'sms', 'email', 'api'])[1 + floor(random() * 7)::int],
  (ARRAY['hi', 'hi', 'hi', 'en', 'ml', 'kn', 'mr', 'or', 'as'])[1 + floor(random() * 9)::int],
  CAST(:cat_lo AS int) + floor(random() * CAST(:cat_n AS int))::int,
  CAST(:block_lo AS int) + floor(random() * CAST(:block_n AS int))::int,
  CAST(:contact_lo AS int) + floor(random() * CAST(:contact_n AS int))::int,
  CAST(:agent_lo AS int) + floor(random() * CAST(:agent_n AS int))::int,
  CASE WHEN random() < 0.9 THEN CAST(:agent_lo AS int) + floor(random() * CAST(:agent_n AS int))::int END,
  CASE WHEN r_mentor < 0.1 THEN CAST(:mentor_lo AS int) + floor(random() * CAST(:mentor_n AS int))::int END,
  created_at, created_at, initcap(priority),
  created_at + fr_target * interval '1 minute', created_at + res_target * interval '1 minute',
  created_at + frm * interval '1 minute',
  CASE WHEN NOT is_open THEN created_at + resm * interval '1 minute' END,
  to_json(array_remove(ARRAY[CASE WHEN frb THEN 'first_response' END,
                             CASE WHEN resb THEN 'resolution' END], NULL)),
  frm, resm, frb, resb
FROM t
"""


def admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def build(url: str, database: str, tickets: int, open_share: float) -> None:
    admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{database}"')
    app = create_app(bench_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        from helpdesk.extensions import db

        upgrade()
        started = time.perf_counter()
        with db.engine.begin() as conn:
            run = conn.execute
            run(sa.text("SELECT setseed(0.42)"))
            run(
                sa.text(
                    "INSERT INTO districts (state_id, name) SELECT s.id, s.name || ' district ' || g "
                    "FROM states s, generate_series(1, 10) g WHERE s.code = ANY(:codes)"
                ),
                {"codes": list(STATES)},
            )
            run(
                sa.text(
                    "INSERT INTO blocks (code, name, district_id) SELECT 'BLK-' || d.id || '-' || g, "
                    "'Block ' || d.id || '-' || g, d.id FROM districts d, generate_series(1, 8) g"
                )
            )
            for role, count in (("agent", 200), ("mentor", 60)):
                run(
                    sa.text(
                        "INSERT INTO users (email, name, role, password_hash, languages, skills, states, "
                        "active, created_at) SELECT :role || g || '@bench.example', initcap(:role) || ' ' || g, "
                        ":role, 'x', '[\"hi\"]', '[]', '[]', true, now() FROM generate_series(1, :n) g"
                    ),
                    {"role": role, "n": count},
                )
            run(
                sa.text(
                    "INSERT INTO contacts (name, phone, block_id, language, created_at) "
                    "SELECT 'Caller ' || g, '+9170' || lpad(g::text, 8, '0'), "
                    "(SELECT min(id) FROM blocks) + g % (SELECT count(*) FROM blocks), 'hi', now() FROM generate_series(1, 100000) g"
                )
            )

            def span(sql: str) -> tuple[int, int]:
                lo, hi = run(sa.text(sql)).one()
                return lo, hi - lo + 1

            params = {"open_share": open_share}
            for name, sql in (
                ("cat", "SELECT min(id), max(id) FROM categories"),
                ("block", "SELECT min(id), max(id) FROM blocks"),
                ("contact", "SELECT min(id), max(id) FROM contacts"),
                ("agent", "SELECT min(id), max(id) FROM users WHERE role = 'agent'"),
                ("mentor", "SELECT min(id), max(id) FROM users WHERE role = 'mentor'"),
            ):
                params[f"{name}_lo"], params[f"{name}_n"] = span(sql)
        with click.progressbar(length=tickets, label="tickets", show_pos=True) as bar:
            for lo in range(1, tickets + 1, CHUNK):
                hi = min(tickets, lo + CHUNK - 1)
                with db.engine.begin() as conn:
                    conn.execute(sa.text(TICKETS_SQL), params | {"lo": lo, "hi": hi})
                bar.update(hi - lo + 1)
        db.engine.dispose()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"generated in {time.perf_counter() - started:.1f} s (VACUUM ANALYZE included)")


def bench_config(url: str):
    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None
        TESTING = False

    return BenchConfig


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def same_figures(direct: list[dict], rows: list[dict], totals: dict) -> bool:
    """The report's figures (``queries.sla_figures``) are exactly the direct SQL's: every
    group, every count, every percentile to the last bit, and the totals."""
    names = ["tickets"] + [
        f"{target}_{figure}"
        for target in ("first_response", "resolution")
        for figure in ("met", "breached", "percentiles")
    ]

    def figures(row: dict) -> tuple:
        return tuple(
            tuple(row[n] or (None, None)) if n.endswith("_percentiles") else row[n] for n in names
        )

    expected = {r["gid"]: figures(r) for r in direct if not r["is_total"]}
    expected_totals = [figures(r) for r in direct if r["is_total"]]
    return (
        expected == {r["gid"]: figures(r) for r in rows}
        and expected_totals == [figures(totals)]
        and len(rows) == len(expected)
    )


def measure(url: str, repeat: int, requests: int) -> None:
    from helpdesk.agents.services import create_user, issue_token
    from helpdesk.extensions import db
    from helpdesk.reports import queries, services

    app = create_app(bench_config(url))
    with app.app_context():
        from helpdesk.agents.models import User

        def user(role: str) -> User:
            email = f"{role}@bench.example"
            return db.session.scalar(sa.select(User).where(User.email == email)) or create_user(
                email=email, name=role.title(), role=role, password="bench-password-1"
            )

        manager, agent = user("manager"), user("agent")
        token = issue_token(manager)
        counts = db.session.execute(
            sa.text(
                "SELECT count(*), count(*) FILTER (WHERE status IN ('new','open','pending','escalated')), "
                "min(created_at) FROM tickets"
            )
        ).one()
        first_day = (counts[2] + timedelta(hours=5, minutes=30)).date()
        last_day = services.today_ist()
        print(f"tickets: {counts[0]}, open: {counts[1]}, created {first_day} .. {last_day}")
        raw = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
        for name, value in queries.REPORT_SETTINGS.items():  # as the service does
            raw.execute(f"SET {name} = '{value}'")
        old = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
        old.execute("SET work_mem = '64MB'")  # as the service did before REPORT_SETTINGS
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        results = {}
        for group_by in GROUPS:
            report_range = services.ReportRange(first_day, last_day, group_by)
            compiled = queries.sla_statement_postgresql(
                queries.grouping(group_by), report_range.start, report_range.end
            ).compile(dialect=postgresql.psycopg.dialect())
            url_path = f"/api/v1/reports/sla?from={first_day}&to={last_day}&group_by={group_by}"
            direct_sql = str(compiled).replace(
                "WITH block_states AS (", "WITH block_states AS MATERIALIZED ("
            )

            def before(direct_sql=direct_sql, params=compiled.params):
                with old.cursor(row_factory=dict_row) as cur:
                    cur.execute(direct_sql, params)
                    return cur.fetchall()

            def bare(compiled=compiled):
                with raw.cursor() as cur:
                    cur.execute(str(compiled), compiled.params)
                    cur.fetchall()

            def service(report_range=report_range):
                services.sla_report(report_range)
                db.session.rollback()

            def http(url_path=url_path):
                response = client.get(url_path, headers=headers)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]

            equal = same_figures(
                before(), *queries.sla_figures(group_by, report_range.start, report_range.end)
            )
            db.session.rollback()
            times = {"before": [], "bare": [], "service": [], "http": []}
            bare(), service(), http()  # warm caches once
            for _ in range(repeat):  # interleaved: a busy moment hits all of them alike
                for name, fn in (
                    ("before", before),
                    ("bare", bare),
                    ("service", service),
                    ("http", http),
                ):
                    times[name] += timed(fn, 1)
            results[group_by] = {k: statistics.median(v) for k, v in times.items()}
            r = results[group_by] | {"equal": equal}
            results[group_by] = r
            rows = len(services.sla_report(report_range)["rows"])
            print(
                f"report group_by={group_by:<9} rows {rows:>4}   before {r['before']:7.1f} ms   "
                f"now: bare SQL {r['bare']:7.1f} ms   service {r['service']:7.1f} ms   "
                f"HTTP {r['http']:7.1f} ms   before/HTTP {r['before'] / r['http']:.2f}x   "
                f"HTTP/bare {r['http'] / r['bare']:.2f}x   equal to the direct SQL: "
                f"{'yes' if equal else 'NO'}"
            )
        raw.close()
        old.close()

        session = app.test_client()
        login = session.post("/login", data={"email": agent.email, "password": "bench-password-1"})
        assert login.status_code == 302, login.status_code
        queue = {}
        block_name = db.session.scalar(sa.text("SELECT name FROM blocks ORDER BY id LIMIT 1"))
        for name, path, c, h in (
            ("GET /tickets (page)", "/tickets", session, {}),
            ("GET /api/v1/tickets?status=open", "/api/v1/tickets?status=open", client, headers),
            # queue search: subject words, the requester's name, phone, the block's name
            ("  &q=<subject words>", "/api/v1/tickets?status=open&q=ticket 4242", client, headers),
            ("  &q=<requester name>", "/api/v1/tickets?status=open&q=Caller 4242", client, headers),
            (
                "  &q=<phone, 0-prefixed>",
                "/api/v1/tickets?status=open&q=07000004242",
                client,
                headers,
            ),
            ("  &q=<block name>", f"/api/v1/tickets?status=open&q={block_name}", client, headers),
        ):
            c.get(path, headers=h)

            def once(c=c, path=path, h=h):
                response = c.get(path, headers=h)
                assert response.status_code == 200, response.status_code

            times = timed(once, requests)
            queue[name] = (p(times, 0.5), p(times, 0.95))
            print(
                f"open queue {name:<34} p50 {queue[name][0]:6.1f} ms   p95 {queue[name][1]:6.1f} ms"
                f"   ({requests} requests)"
            )
        worst_report = max(r["http"] for r in results.values())
        all_equal = all(r["equal"] for r in results.values())
        worst_ratio = max(r["http"] / r["bare"] for r in results.values())
        worst_queue = max(v[1] for k, v in queue.items() if "&q=" not in k)  # the page target
        yes = {True: "yes", False: "NO"}
        print(
            f"targets: report <= 1 s: {yes[worst_report <= 1000]} (worst {worst_report:.0f} ms)  "
            f"equal to the direct SQL: {yes[all_equal]}  "
            f"report <= 1.5x bare SQL: {yes[worst_ratio <= 1.5]} (worst {worst_ratio:.2f}x)  "
            f"open queue p95 <= 100 ms: {yes[worst_queue <= 100]} (worst {worst_queue:.1f} ms)"
        )
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.1)
    parser.add_argument("--database", default="sla_bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="skip generation (after --keep)")
    args = parser.parse_args()
    if args.database in ("test", "postgres", "template0", "template1"):
        parser.error(f"refusing to use the database {args.database!r}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}"
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"PostgreSQL {args.database}; load average at start: {' '.join(load)}")
    try:
        if not args.reuse:
            build(url, args.database, args.tickets, args.open_share)
        measure(url, args.repeat, args.requests)
    finally:
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
