"""Telephony-event benchmark: how long the helpdesk takes to handle CTI events.

    .venv/bin/python bench/cti.py [--calls 300] [--database-url URL]

What it does, every run:

1. Builds a fresh schema (``db.create_all``) in a new SQLite file under a temporary
   directory, or in ``--database-url`` (its tables are DROPPED first: never point it at
   real data), with one block, an agent and 200 callers, half of them with an open ticket.
2. Sends ``--calls`` calls through ``POST /api/v1/cti/events`` with the Flask test client
   (in-process, one thread, no Socket.IO clients connected): for each call ``newCall``
   (caller lookup + the ``call.incoming`` alert), ``answer`` (lookup + screen-pop) and
   ``hangup`` (duration, the call logged on the caller's ticket), plus one repeated
   ``hangup`` (the idempotent no-op path). Numbers are written in varied Indian forms.
3. Prints, per event kind, the count, p50 and p99 in milliseconds, and the events per
   second of the whole run.

It is a benchmark that prints figures, not a test; it measures the app's own work per
event (no HTTP server, no network), so compare figures from the same machine and run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "bench-cti-token"
FORMS = ("0{n}", "{n}", "+91-{a}-{b}", "91{n}", "{a} {b}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL; its tables are dropped (default: temporary SQLite)",
    )
    return parser.parse_args(argv)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv=None) -> int:
    args = parse_args(argv)
    from config import TestingConfig
    from helpdesk import create_app
    from helpdesk.agents.services import create_user
    from helpdesk.extensions import db
    from helpdesk.geography.services import create_block
    from helpdesk.reference import build_schema_from_models
    from helpdesk.tickets import services as tickets
    from helpdesk.tickets.schemas import TicketCreate

    workdir = tempfile.mkdtemp(prefix="bench-cti-")
    url = args.database_url or f"sqlite:///{workdir}/cti.sqlite3"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        SEARCH_INDEX_DIR = f"{workdir}/index"
        REDIS_URL = None
        CTI_TOKEN = TOKEN

    app = create_app(Config)
    with app.app_context():
        build_schema_from_models()
        block = create_block(code="BENCH-1", name="Bench", district="West Singhbhum", state="IN-JH")
        agent = create_user(
            email="agent@bench.example",
            name="Bench Agent",
            role="agent",
            password="bench-password-1",
        )
        numbers = [f"98{n:08d}" for n in range(200)]
        for n, number in enumerate(numbers[:100]):
            tickets.create_ticket(
                TicketCreate.model_validate(
                    {
                        "subject": f"Bank loan question {n}",
                        "description": "Needs a business plan.",
                        "category": "bank-linkage",
                        "block": block.code,
                        "channel": "phone",
                        "requester": {"name": f"Caller {n}", "phone": number},
                    }
                ),
                agent,
            )
        agent_email = agent.email

    client = app.test_client()
    timings: dict[str, list[float]] = {
        "newCall": [],
        "answer": [],
        "hangup": [],
        "hangup (repeat)": [],
    }
    errors = 0
    started = time.perf_counter()
    for i in range(args.calls):
        n = numbers[i % len(numbers)]
        written = FORMS[i % len(FORMS)].format(n=n, a=n[:5], b=n[5:])
        base = {"call_id": f"bench-{i}", "from": written, "to": "08022223333", "direction": "in"}
        for label, extra in (
            ("newCall", {"event": "newCall"}),
            ("answer", {"event": "answer", "user": agent_email}),
            ("hangup", {"event": "hangup", "cause": "normal_clearing"}),
            ("hangup (repeat)", {"event": "hangup", "cause": "normal_clearing"}),
        ):
            t0 = time.perf_counter()
            response = client.post(
                "/api/v1/cti/events", json=base | extra, headers={"X-CTI-Token": TOKEN}
            )
            timings[label].append((time.perf_counter() - t0) * 1000)
            errors += response.status_code != 200
    elapsed = time.perf_counter() - started

    total = sum(len(v) for v in timings.values())
    print(
        f"CTI events in-process (Flask test client), {args.calls} calls, "
        f"{'SQLite' if url.startswith('sqlite') else url.split(':')[0]}, "
        f"half the callers with an open ticket"
    )
    for label, values in timings.items():
        print(
            f"  {label:<16} n={len(values):<5} p50 {statistics.median(values):7.2f} ms"
            f"   p99 {percentile(values, 0.99):7.2f} ms"
        )
    print(
        f"  all: {total} events in {elapsed:.1f}s = {total / elapsed:.0f} events/s, errors {errors}"
    )
    with app.app_context():
        db.session.remove()
        if not args.database_url:
            db.drop_all()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
