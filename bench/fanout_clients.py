"""The consoles of bench/console_fanout.py: two clients of the /console namespace that record
when each ticket event arrived, and the client process that runs a share of them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import time


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Console:
    """One agent's console: a python-socketio AsyncClient recording when each ticket event
    arrived (``--client socketio``)."""

    def __init__(self, base: str, token: str, session=None, deflate: bool = True):
        import socketio

        self.base, self.token = base, token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.created: list[tuple[int, float, str]] = []  # ticket id, arrival, created_at
        self.updated = 0
        self.sio.on("ticket.created", self._on_created, namespace="/console")
        self.sio.on("ticket.updated", self._on_updated, namespace="/console")

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def _on_created(self, payload):
        self.created.append((payload["id"], time.time(), payload["created_at"]))

    def _on_updated(self, _payload):
        self.updated += 1

    async def connect(self) -> None:
        await self.sio.connect(
            self.base,
            namespaces=["/console"],
            transports=["websocket"],
            auth={"token": self.token},
            wait_timeout=30,
        )

    async def disconnect(self) -> None:
        await self.sio.disconnect()


class RawConsole:
    """The same console speaking Engine.IO 4 / Socket.IO 5 over one aiohttp websocket by
    hand (``--client raw``, the default): open, namespace connect with the token, pong the
    server's pings, stamp each event's arrival before decoding it. It costs the client a
    fraction of AsyncClient's CPU per event, so the figures are the servers', not the
    measuring client's."""

    PREFIX = "42/console,"

    def __init__(self, base: str, token: str, session=None, deflate: bool = True):
        self.url = base.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.token, self.session = token, session
        self.compress = 15 if deflate else 0  # offer permessage-deflate, as browsers do
        self.created: list[tuple[int, float, str]] = []
        self.updated = 0
        self.ws = None
        self.listener = None

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def connect(self) -> None:
        self.ws = await self.session.ws_connect(
            self.url, autoping=True, max_msg_size=0, compress=self.compress
        )
        opened = await self.ws.receive_str(timeout=30)
        if not opened.startswith("0"):
            raise ConnectionError(f"unexpected open packet {opened[:80]!r}")
        await self.ws.send_str("40/console," + json.dumps({"token": self.token}))
        # Events to rooms the socket joined in the server's connect handler (a colleague's
        # presence) may arrive before the connect answer, as in any Socket.IO client: skip.
        answer = await self.ws.receive_str(timeout=30)
        while answer.startswith(self.PREFIX):
            answer = await self.ws.receive_str(timeout=30)
        if not answer.startswith("40/console,"):
            raise ConnectionError(f"namespace refused: {answer[:120]!r}")
        self.listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async for message in self.ws:
            data = message.data
            if not isinstance(data, str):
                continue
            if data.startswith(self.PREFIX):
                arrived = time.time()
                name, payload = json.loads(data[len(self.PREFIX) :])
                if name == "ticket.created":
                    self.created.append((payload["id"], arrived, payload["created_at"]))
                elif name == "ticket.updated":
                    self.updated += 1
            elif data == "2":  # Engine.IO ping: answer or the server drops us
                await self.ws.send_str("3")

    async def disconnect(self) -> None:
        await self.ws.close()
        if self.listener is not None:
            self.listener.cancel()


def console_process(
    kind, deflate, bases, tokens, offset, concurrency, progress, stop, results
) -> None:
    """One client process: connects its share of the consoles (reporting each on
    ``progress``), listens until ``stop`` is set, then sends what it received on ``results``.
    Several processes, because one Python process cannot take in 500 consoles' events
    within the latency it is meant to measure."""
    asyncio.run(
        _console_process(kind, deflate, bases, tokens, offset, concurrency, progress, stop, results)
    )


async def _console_process(
    kind, deflate, bases, tokens, offset, concurrency, progress, stop, results
) -> None:
    import aiohttp

    # limit=0: an open websocket counts against aiohttp's pool, 100 connections by default.
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    console_class = RawConsole if kind == "raw" else Console
    consoles = [
        console_class(bases[(offset + i) % len(bases)], token, session, deflate)
        for i, token in enumerate(tokens)
    ]
    gate = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(console: Console) -> None:
        async with gate:
            try:
                await console.connect()
                progress.put(1)
            except Exception as exc:  # counted and reported, the run goes on
                errors.append(repr(exc))
                progress.put(0)

    await asyncio.gather(*(one(c) for c in consoles))
    cpu_connected = own_cpu()
    while not stop.is_set():
        await asyncio.sleep(0.1)
    cpu_end = own_cpu()
    alive = [c for c in consoles if c.connected]
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(c.disconnect() for c in alive), return_exceptions=True), 20
        )
    await session.close()
    results.put(
        {
            "connected": len(consoles) - len(errors),
            "alive": len(alive),
            "errors": errors[:3],
            "created": [row for c in consoles for row in c.created],
            "updated": sum(c.updated for c in consoles),
            "cpu": cpu_end - cpu_connected,
        }
    )
