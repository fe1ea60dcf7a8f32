"""Who-is-viewing / typing benchmark: how fast a typing mark reaches everyone on a ticket.

    .venv/bin/python bench/console_viewing.py [--viewers 20] [--rounds 200]
                                              [--redis redis://127.0.0.1:6379/1]

What it does, every run:

1. Builds a throw-away SQLite database in a temporary directory (``db.create_all`` and the
   reference rows), ``--viewers`` agents and one ticket.
2. Serves the app (Socket.IO included, threading mode) on a free localhost port with
   werkzeug, as the test suite's live server does. With ``--redis`` the viewer registry
   and presence live in that Redis db (its ``console-bench:*`` keys are deleted after) and
   Socket.IO writes through it as its message queue, as a multi-process deployment does.
3. Connects one python-socketio client per agent over WebSocket; each sends ``ticket.view``.
4. Client 0 then toggles ``ticket.typing`` ``--rounds`` times. Per round it records the
   acknowledgement's round trip, and the time until every viewer has received the
   ``ticket.viewing`` event carrying the new typing state.
5. Prints p50 / p95 / p99 of both, and the cost per round.

A benchmark that prints figures, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--nodelay",
        action="store_true",
        help="set TCP_NODELAY on the server's connections (no Nagle delay)",
    )
    parser.add_argument(
        "--redis", default=None, help="Redis URL for the registry and message queue"
    )
    args = parser.parse_args()

    import socketio
    from werkzeug.serving import make_server

    from config import TestingConfig
    from helpdesk import create_app
    from helpdesk.agents.services import create_user, issue_token
    from helpdesk.geography.services import create_block
    from helpdesk.reference import build_schema_from_models
    from helpdesk.tickets import services as ticket_services
    from helpdesk.tickets.schemas import TicketCreate

    tmp = tempfile.mkdtemp(prefix="console-bench-")

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"
        SEARCH_INDEX_DIR = f"{tmp}/index"
        REDIS_URL = args.redis
        RQ_QUEUE = "console-bench"

    app = create_app(BenchConfig)
    with app.app_context():
        build_schema_from_models(drop_first=False)
        block = create_block(code="BENCH-1", name="Bench", district="West Singhbhum", state="IN-JH")
        agents = [
            create_user(
                email=f"agent{n}@bench.example",
                name=f"Agent {n}",
                role="agent",
                password="bench-password-1",
            )
            for n in range(args.viewers)
        ]
        tokens = [issue_token(agent) for agent in agents]
        ticket = ticket_services.create_ticket(
            TicketCreate.model_validate(
                {
                    "subject": "Bank asks for a business plan",
                    "description": "Help with projections.",
                    "category": "business-plan",
                    "channel": "phone",
                    "language": "hi",
                    "block": block.code,
                    "requester": {"name": "Sunita Devi", "phone": "9876543210"},
                }
            ),
            agents[0],
        )
        ticket_id, first_id = ticket.id, agents[0].id

    server = make_server("127.0.0.1", 0, app, threaded=True)
    if args.nodelay:
        # Linux hands the listening socket's TCP_NODELAY down to each accepted connection.
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    lock = threading.Condition()
    latest: dict[int, bool] = {}  # client index → typing state of the last event it heard

    def listener(index: int):
        def on_viewing(payload):
            with lock:
                latest[index] = first_id in payload["typing"]
                lock.notify_all()

        return on_viewing

    clients = []
    try:
        for index, token in enumerate(tokens):
            client = socketio.Client(reconnection=False)
            client.on("ticket.viewing", listener(index), namespace="/console")
            client.connect(
                base,
                namespaces=["/console"],
                transports=["websocket"],
                auth={"token": token},
                wait_timeout=10,
            )
            clients.append(client)
        for client in clients:
            assert client.call(
                "ticket.view", {"ticket_id": ticket_id}, namespace="/console", timeout=10
            )["ok"]
        time.sleep(0.5)

        acks, everyone = [], []
        for n in range(args.rounds):
            typing = n % 2 == 0
            t0 = time.perf_counter()
            answer = clients[0].call(
                "ticket.typing",
                {"ticket_id": ticket_id, "typing": typing},
                namespace="/console",
                timeout=10,
            )
            acks.append(time.perf_counter() - t0)
            assert answer == {"ok": True}, answer
            with lock:
                lock.wait_for(
                    lambda t=typing: all(latest.get(i) is t for i in range(len(clients))),
                    timeout=10,
                )
            everyone.append(time.perf_counter() - t0)

        def line(label, values):
            ms = [v * 1000 for v in values]
            return (
                f"  {label:<28} p50 {percentile(ms, 50):7.2f} ms   p95 {percentile(ms, 95):7.2f} ms"
                f"   p99 {percentile(ms, 99):7.2f} ms   mean {statistics.mean(ms):7.2f} ms"
            )

        print(
            f"viewers {len(clients)}; rounds {args.rounds}; registry "
            f"{'Redis ' + args.redis if args.redis else 'memory'}; werkzeug threaded, WebSocket"
            f"{', TCP_NODELAY' if args.nodelay else ''}"
        )
        print(line("typing ack round trip", acks))
        print(line("all viewers told", everyone))
        print(f"  {len(clients) * args.rounds} ticket.viewing deliveries in {sum(everyone):.2f}s")
    finally:
        for client in clients:
            threading.Thread(target=client.disconnect, daemon=True).start()
        time.sleep(1)
        server.shutdown()
        if args.redis:
            from redis import Redis

            redis = Redis.from_url(args.redis)
            keys = list(redis.scan_iter("console-bench:*"))
            if keys:
                redis.delete(*keys)
    return 0


if __name__ == "__main__":
    sys.exit(main())
