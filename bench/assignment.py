"""Assignment benchmark: what routing a new ticket to an agent costs as the history grows.

    .venv/bin/python bench/assignment.py [--agents 60] [--history 200000] [--samples 200]
                                         [--database-url URL]

What it does, every run:

1. Builds a fresh schema in a temporary SQLite file (or in the database ``--database-url``
   names: every table of the app is DROPPED there first, so never point it at data you
   keep), with ``--agents`` agents speaking Hindi/English plus a few other languages, all
   marked online (in-process presence), and ``--history`` past tickets, each assigned once
   (an ``assignee`` audit event naming its agent), 10 % of them still open.
2. Times ``console.assignment.pick_agent`` on a Hindi ticket (the query the auto-assign job
   runs: online fitting agents, their open load, their latest assignment), ``--samples``
   times.
3. Times a whole ``create_ticket`` through the service with auto-assignment off, then on
   (the job runs in-process right after the commit: pick, conditional UPDATE, audit event,
   notification), ``--samples`` tickets each.
4. Times ``claim`` of unassigned tickets by one agent, and of already-claimed ones by
   another (the 409 path).

Prints p50/p95 in milliseconds. A benchmark that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=60)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    import sqlalchemy as sa

    from config import TestingConfig
    from helpdesk import create_app
    from helpdesk.extensions import db
    from helpdesk.reference import build_schema_from_models

    workdir = tempfile.mkdtemp(prefix="bench-assign-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None
        SEARCH_INDEX_DIR = f"{workdir}/index"

    app = create_app(BenchConfig)
    with app.app_context():
        build_schema_from_models()
        agents, block, category = populate(args, db)
        dialect = db.engine.dialect.name
        print(
            f"{dialect}; {args.agents} online agents; {args.history} past tickets "
            f"({args.history // 10} open); {args.samples} samples each"
        )
        measure(args, db, sa, agents, block, category)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return 0


def populate(args, db):
    import sqlalchemy as sa

    from helpdesk.agents.models import User
    from helpdesk.console import presence
    from helpdesk.geography.services import create_block
    from helpdesk.tickets.models import Category, Ticket, TicketEvent
    from helpdesk.timeutil import utcnow

    block = create_block(code="BENCH-1", name="Bench block", district="Ranchi", state="IN-JH")
    extra = ["ml", "kn", "mr", "or", "as", "bn"]
    agents = []
    for n in range(args.agents):
        user = User(
            email=f"agent{n}@bench.example",
            name=f"Agent {n}",
            role="agent",
            password_hash="x",
            languages=["hi", "en", extra[n % len(extra)]],
        )
        db.session.add(user)
        agents.append(user)
    db.session.commit()
    presence.reset()
    for user in agents:
        presence.set_status(user.id, "online")
    category = db.session.scalars(sa.select(Category)).first()
    now = utcnow()
    batch = 10_000
    for start in range(0, args.history, batch):
        count = min(batch, args.history - start)
        tickets = [
            {
                "subject": "past",
                "description": "past",
                "status": "open" if (start + i) % 10 == 0 else "closed",
                "priority": "normal",
                "channel": "phone",
                "language": "hi",
                "category_id": category.id,
                "block_id": block.id,
                "assignee_id": agents[(start + i) % len(agents)].id,
                "created_at": now,
                "updated_at": now,
                "sla_breached": [],
            }
            for i in range(count)
        ]
        ids = db.session.execute(sa.insert(Ticket).returning(Ticket.id), tickets).scalars().all()
        db.session.execute(
            sa.insert(TicketEvent),
            [
                {
                    "ticket_id": ticket_id,
                    "kind": "assignee",
                    "old_value": None,
                    "new_value": agents[(start + i) % len(agents)].email,
                    "at": now,
                }
                for i, ticket_id in enumerate(ids)
            ],
        )
        db.session.commit()
    return agents, block, category


def measure(args, db, sa, agents, block, category) -> None:
    from helpdesk.console.assignment import pick_agent
    from helpdesk.console.settings import update_settings
    from helpdesk.errors import Conflict
    from helpdesk.tickets import services
    from helpdesk.tickets.assignment import claim
    from helpdesk.tickets.schemas import TicketCreate

    def new_ticket():
        return services.create_ticket(
            TicketCreate.model_validate(
                {
                    "subject": "Bank asks for a business plan",
                    "description": "Needs help.",
                    "category": category.slug,
                    "language": "hi",
                    "block": block.code,
                }
            ),
            agents[0],
        )

    probe = new_ticket()
    times = []
    for _ in range(args.samples):
        t0 = time.perf_counter()
        pick_agent(probe)
        times.append(time.perf_counter() - t0)
        db.session.rollback()
    print(f"  pick_agent                      {percentiles(times)}")

    admin = agents[0]
    admin.role = "admin"  # update_settings wants an admin; not an agent any more
    db.session.commit()
    for enabled in (False, True):
        update_settings(admin, auto_assign=enabled)
        times, made = [], []
        for _ in range(args.samples):
            t0 = time.perf_counter()
            made.append(new_ticket())
            times.append(time.perf_counter() - t0)
        assigned = sum(1 for t in made if t.assignee_id is not None)
        label = f"create_ticket, auto-assign {'on ' if enabled else 'off'}"
        print(f"  {label:<32}{percentiles(times)}   ({assigned}/{len(made)} assigned)")

    update_settings(admin, auto_assign=False)
    free = [new_ticket() for _ in range(args.samples)]
    first, second = agents[1], agents[2]
    times = []
    for ticket in free:
        t0 = time.perf_counter()
        claim(ticket, first)
        times.append(time.perf_counter() - t0)
    print(f"  claim (wins)                    {percentiles(times)}")
    times = []
    for ticket in free:
        t0 = time.perf_counter()
        try:
            claim(ticket, second)
        except Conflict:
            pass
        times.append(time.perf_counter() - t0)
    print(f"  claim (already held, 409)       {percentiles(times)}")


if __name__ == "__main__":
    raise SystemExit(main())
