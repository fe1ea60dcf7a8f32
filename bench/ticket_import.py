"""Historical-import benchmark: how fast ``importing.import_batch`` replays call logs.

    .venv/bin/python bench/ticket_import.py [--tickets 2000] [--batch-size 200] [--events 4]
                                            [--database-url URL]

What it does, every run:

1. Builds the schema on a fresh database: by default a temporary SQLite file (WAL, as the
   embedded default runs); with ``--database-url postgresql+psycopg://...`` that database's
   tables are dropped and created again (use a throw-away database).
2. Adds the default SLA policies and calendar, 20 blocks, two agents and a BRC user.
3. Generates ``--tickets`` tickets over the past 90 days, each with ``--events`` events
   (an agent's reply, a pending status, the requester's answer, a resolution...), in
   Hindi and English, every category, requesters from a pool of phone numbers.
4. Imports them through ``import_batch`` (the service behind POST /api/v1/tickets/import
   and ``flask tickets import``) in batches of ``--batch-size``, one transaction each, and
   prints tickets/s, events/s and per-batch p50/max, then checks the tickets landed.

It prints figures; it is not a test (exit 0 whether fast or slow, 1 if it could not run).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestingConfig  # noqa: E402

SUBJECTS = [
    "Loan papers for the tailoring unit",
    "MEC fee under the MoU",
    "PTS app login fails",
    "बैंक लोन के लिए बिज़नेस प्लान",
    "सीआरपी-ईपी मानदेय नहीं मिला",
    "Book-keeping register",
]


def history(rng: random.Random, created: datetime, events: int) -> list[dict]:
    steps, at = [], created
    plan = ["reply", "pending", "requester", "reply", "resolved", "requester", "reply", "closed"]
    for kind in plan[:events]:
        at += timedelta(minutes=rng.randint(20, 600))
        if kind == "reply":
            steps.append(
                {
                    "at": at.isoformat(),
                    "type": "reply",
                    "by": "agent1@bench.in",
                    "body": "Answered on the phone: submit Form 12 with the plan.",
                }
            )
        elif kind == "requester":
            steps.append({"at": at.isoformat(), "type": "reply", "body": "Done, what next?"})
        else:
            steps.append(
                {"at": at.isoformat(), "type": "status", "by": "agent2@bench.in", "status": kind}
            )
    return steps


def build_tickets(count: int, events: int, categories: list[str]) -> list[dict]:
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=90)
    tickets = []
    for _ in range(count):
        created = start + timedelta(minutes=rng.randint(0, 80 * 24 * 60))
        tickets.append(
            {
                "subject": rng.choice(SUBJECTS),
                "description": "The MEC called about the loan.",
                "category": rng.choice(categories),
                "priority": rng.choice(["low", "normal", "high"]),
                "channel": "phone",
                "language": rng.choice(["hi", "en"]),
                "block": f"BENCH-{rng.randint(1, 20):02d}",
                "requester": {"name": "Caller", "phone": f"98765{rng.randint(0, 2000):05d}"},
                "created_at": created.isoformat(),
                "created_by": "agent1@bench.in",
                "events": history(rng, created, events),
            }
        )
    return tickets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--events", type=int, default=4)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from helpdesk import create_app
    from helpdesk.agents.services import create_user
    from helpdesk.extensions import db
    from helpdesk.geography.services import create_block
    from helpdesk.reference import build_schema_from_models
    from helpdesk.sla.configuration import install_defaults
    from helpdesk.tickets import importing
    from helpdesk.tickets.models import Category, Message, Ticket

    workdir = tempfile.mkdtemp(prefix="import-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        SEARCH_INDEX_DIR = f"{workdir}/index"

    app = create_app(Config)
    with app.app_context():
        import sqlalchemy as sa

        build_schema_from_models()
        install_defaults()
        db.session.commit()
        for n in range(1, 21):
            create_block(code=f"BENCH-{n:02d}", name=f"Block {n}", district="Khunti", state="IN-JH")
        for n in (1, 2):
            create_user(
                email=f"agent{n}@bench.in",
                name=f"Agent {n}",
                role="agent",
                password="bench-password-1",
            )
        categories = list(db.session.scalars(sa.select(Category.slug)))
        tickets = build_tickets(args.tickets, args.events, categories)

        durations = []
        started = time.perf_counter()
        for first in range(0, len(tickets), args.batch_size):
            batch = importing.ImportBatch.model_validate(
                {"tickets": tickets[first : first + args.batch_size]}
            )
            t0 = time.perf_counter()
            importing.import_batch(batch)
            durations.append(time.perf_counter() - t0)
            db.session.expunge_all()  # as separate CLI batches would: no growing identity map
        total = time.perf_counter() - started

        imported = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
        messages = db.session.scalar(sa.select(sa.func.count()).select_from(Message))
        events = args.tickets * args.events
        dialect = db.engine.dialect.name
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()

    print(f"{dialect}; {args.tickets} tickets x {args.events} events, batches of {args.batch_size}")
    print(
        f"import:  {args.tickets / total:7.1f} tickets/s  {events / total:7.1f} events/s  "
        f"total {total:.1f}s (validation and replay, pydantic parsing excluded)"
    )
    print(
        f"batch:   p50 {statistics.median(durations):.2f}s  max {max(durations):.2f}s  "
        f"({len(durations)} batches)"
    )
    print(f"check:   {imported} tickets, {messages} messages in the database")
    return 0 if imported == args.tickets else 1


if __name__ == "__main__":
    sys.exit(main())
