"""Where one ticket intake spends its time: SQL statements and a CPU profile, in-process.

    .venv/bin/python bench/intake_profile.py [--database helpdesk_bench] [--redis-url URL]
                                             [--tickets 2000] [--profile intake.prof]
                                             [--app-dir PATH] [--gc-freeze]

Prepares the database as bench/intake.py does (schema reset, upgrade, blocks, an agent),
builds the app with production settings on PostgreSQL (and Redis when ``--redis-url`` is
given; that Redis database is flushed before and after), takes a bearer token, then sends
``POST /api/v1/tickets`` through Flask's test client with bench/intake.py's bodies:

1. a warm-up of 200 tickets;
2. one ticket of each kind (new requester, known requester, none) with every SQL statement
   it ran listed (SQLAlchemy's ``before_cursor_execute``), then the mean statements per
   ticket over 200 more;
3. ``--tickets`` tickets under cProfile: the mean CPU milliseconds and function calls per
   ticket in this process, and the functions with the most cumulative time (the stats go to
   ``--profile`` for snakeviz or ``python -m pstats``);
4. the full (generation 2) garbage collections that ran meanwhile and how long a full
   collection takes now: with ``--gc-freeze`` after ``gc.freeze()``, as ``wsgi.py`` does.

No HTTP server and no gunicorn: the figures are the app's own work per ticket. For a flame
graph run it under py-spy: ``py-spy record -o intake.svg -- .venv/bin/python
bench/intake_profile.py --no-cprofile``. ``--app-dir`` profiles another checkout of the
helpdesk (its code on sys.path first) with this script.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import intake  # noqa: E402  (the same set-up and bodies as the HTTP benchmark)


def statement_shape(sql: str) -> str:
    """The statement in one line, its parameters and column lists shortened."""
    sql = " ".join(sql.split())
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql)
    sql = re.sub(r"\(([a-z_]+, ){3,}[a-z_]+\)", "(…)", sql)
    return sql[:150]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--redis-url", default=None, help="default: no Redis, jobs in-process")
    parser.add_argument("--tickets", type=int, default=2000, help="tickets profiled")
    parser.add_argument("--profile", default="intake.prof", help="where the pstats go")
    parser.add_argument("--no-cprofile", action="store_true", help="time only (for py-spy)")
    parser.add_argument("--app-dir", default=None, help="another checkout to profile")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after building the app, as wsgi.py does for gunicorn",
    )
    args = parser.parse_args(argv)

    if args.app_dir:
        intake.ROOT = Path(args.app_dir).resolve()
        intake.VENV_BIN = intake.ROOT / ".venv" / "bin"
    sys.path.insert(0, str(intake.ROOT))
    os.chdir(intake.ROOT)
    if args.redis_url:
        intake.flush_redis(args.redis_url)
    env = intake.app_environment(args.database, args.redis_url, "/tmp/intake-profile-index")
    intake.log(f"preparing database {args.database} ...")
    intake.prepare_database(args.database, env)
    os.environ.clear()
    os.environ.update(env)

    import sqlalchemy as sa

    from helpdesk import create_app
    from helpdesk.extensions import db

    app = create_app()
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    client = app.test_client()
    reply = client.post(
        "/api/v1/auth/tokens", json={"email": intake.AGENT_EMAIL, "password": intake.AGENT_PASSWORD}
    )
    token = reply.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    categories = [
        c["slug"] for c in client.get("/api/v1/categories", headers=headers).get_json()["items"]
    ]
    seed = 20240601
    phones = intake.phone_pool(1500, random.Random(seed))
    bodies = intake.ticket_bodies(4000, categories, phones, seed)

    def post(body: bytes) -> None:
        answer = client.post("/api/v1/tickets", data=body, headers=headers)
        if answer.status_code != 201:
            raise SystemExit(f"POST /api/v1/tickets: {answer.status_code} {answer.data[:300]!r}")

    for body in bodies[:200]:
        post(body)

    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_execute(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    new_phone = json.loads(bodies[300])
    new_phone["requester"] = {"name": "Profile Caller", "phone": "+919812345678"}
    no_requester = {k: v for k, v in new_phone.items() if k != "requester"}
    examples = [
        ("a new requester", json.dumps(new_phone).encode()),
        ("the same requester again", json.dumps(new_phone).encode()),
        ("no requester", json.dumps(no_requester).encode()),
    ]
    for label, body in examples:
        statements.clear()
        post(body)
        print(f"\nPOST /api/v1/tickets with {label}: {len(statements)} SQL statements")
        for i, sql in enumerate(statements, 1):
            print(f"  {i:2d}. {statement_shape(sql)}")
    statements.clear()
    for body in bodies[400:600]:
        post(body)
    kinds = Counter(s.split()[0].upper() for s in statements)
    print(
        f"\nmean over 200 tickets: {len(statements) / 200:.2f} SQL statements per ticket "
        f"({', '.join(f'{k} {n / 200:.2f}' for k, n in kinds.most_common())})"
    )
    sa.event.remove(engine, "before_cursor_execute", on_execute)

    run = bodies[600 : 600 + args.tickets]
    profiler = None if args.no_cprofile else cProfile.Profile(time.process_time)
    full_collections: list[float] = []  # ms each, while the tickets run
    gc.callbacks.append(_timing_full_collections(full_collections))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for body in run:
        post(body)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    gc.callbacks.clear()
    print(
        f"\n{len(run)} tickets: {cpu * 1000 / len(run):.2f} ms CPU per ticket in this process, "
        f"{wall * 1000 / len(run):.2f} ms wall"
        + (" (under cProfile, which slows it)" if profiler else "")
    )
    started = time.perf_counter()
    gc.collect()
    print(
        f"full collections while they ran: {len(full_collections)}"
        + (f", longest {max(full_collections):.1f} ms" if full_collections else "")
        + f"; one now takes {(time.perf_counter() - started) * 1000:.1f} ms over "
        f"{len(gc.get_objects()):,} tracked objects"
        + (f" ({gc.get_freeze_count():,} frozen, not scanned)" if args.gc_freeze else "")
    )
    if profiler:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile)
        stats.sort_stats("cumulative").print_stats(45)
        # Unlike the milliseconds, the same code and bodies give the same count on any
        # machine, however busy: the figure to compare two versions by.
        print(f"function calls per ticket (cProfile): {stats.total_calls / len(run):,.0f}")
    if args.redis_url:
        intake.flush_redis(args.redis_url)
    return 0


def _timing_full_collections(pauses: list[float]):
    """A gc callback that notes how long each full (generation 2) collection took."""
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    return callback


if __name__ == "__main__":
    sys.exit(main())
