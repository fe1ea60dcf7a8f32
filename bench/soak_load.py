"""The people of bench/soak.py: agents and BRC staff signed in on the web, the telephony
system and the SMS gateway, each a coroutine sending requests until the run's deadline, and
the record of every request (latency and status by kind, tickets written)."""

from __future__ import annotations

import asyncio
import json
import random
import re
import secrets
import time
from collections import Counter, defaultdict

PASSWORD = "soak-password-1"
CTI_TOKEN, SMS_TOKEN = "soak-cti-" + secrets.token_hex(6), "soak-sms-" + secrets.token_hex(6)

SMS_TEXTS = [
    "बैंक ने व्यवसाय योजना मांगी है, कृपया मदद करें",
    "When will the MEC fee be paid for this month?",
    "ഞങ്ങളുടെ യൂണിറ്റിന് ലൈസൻസ് പുതുക്കണം",
    "Please tell the date of the next TEAM training",
]


class Load:
    """Every request of the run: latency and status by kind, and the tickets written."""

    def __init__(self, bases: list[str], session):
        self.bases, self.session = bases, session
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.failures: list[str] = []  # 5xx and connection errors, first lines
        self.written: set[int] = set()  # tickets the API answered 201 (or created) for

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)

    async def call(self, kind: str, method: str, path: str, *, session=None, base=None, **kw):
        base = base or random.choice(self.bases)
        started = time.perf_counter()
        try:
            async with (session or self.session).request(method, base + path, **kw) as res:
                body = await res.text()
                status = res.status
        except Exception as exc:  # no answer at all: counted with the 5xx
            self.statuses[kind][599] += 1
            self.failures.append(f"{kind}: {exc!r}"[:200])
            return 599, None
        self.times[kind].append((time.perf_counter() - started) * 1000)
        self.statuses[kind][status] += 1
        if status >= 500:
            self.failures.append(f"{kind}: {status} {body[:150]}")
        if res.content_type == "application/json":
            return status, json.loads(body)
        return status, body


async def sign_in(load: Load, base: str, email: str):
    import aiohttp

    session = aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies from 127.0.0.1
        connector=aiohttp.TCPConnector(force_close=True),
        timeout=aiohttp.ClientTimeout(total=60),
    )
    _, page = await load.call("sign-in", "GET", "/login", session=session, base=base)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page or "")
    form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    await load.call("sign-in", "POST", "/login", session=session, base=base, data=form)
    return session


async def agent(load: Load, who: dict, base: str, until: float) -> None:
    web = await sign_in(load, base, who["email"])
    api = {"Authorization": f"Bearer {who['token']}"}
    try:
        while time.monotonic() < until:
            _, queue = await load.call(
                "queue (API)", "GET", "/api/v1/tickets?per_page=50", headers=api
            )
            await load.call("queue page", "GET", "/tickets", session=web, base=base)
            items = (queue or {}).get("items") if isinstance(queue, dict) else None
            if items:
                ticket = random.choice(items)["id"]
                await load.call("ticket page", "GET", f"/tickets/{ticket}", session=web, base=base)
                if random.random() < 0.5:
                    body = {"body": "The CLF office will call you about this today."}
                    await load.call(
                        "reply",
                        "POST",
                        f"/api/v1/tickets/{ticket}/messages",
                        json=body,
                        headers=api,
                    )
            await asyncio.sleep(random.uniform(1.0, 3.0))
    finally:
        await web.close()


async def brc_staff(load: Load, who: dict, base: str, until: float) -> None:
    web = await sign_in(load, base, who["email"])
    api = {"Authorization": f"Bearer {who['token']}"}
    try:
        await _brc_visits(load, who, web, base, api, until)
    finally:
        await web.close()


async def _brc_visits(load: Load, who: dict, web, base: str, api: dict, until: float) -> None:
    n = 0
    while time.monotonic() < until:
        await load.call("BRC portal page", "GET", "/brc", session=web, base=base)
        body = {
            "subject": f"SHG asks about the revolving fund, visit {n}",
            "description": "The group wants to know when the revolving fund is released.",
            "category": "business-plan",
            "channel": "web",
            "language": "hi",
            "block": who["block"],
            "requester": {"name": "Lakshmi", "phone": f"97{random.randrange(10**8):08d}"},
        }
        status, ticket = await load.call(
            "new ticket (BRC)", "POST", "/api/v1/tickets", json=body, headers=api
        )
        if status == 201:
            load.written.add(ticket["id"])
        await load.call("BRC ticket list", "GET", "/api/v1/tickets?per_page=20", headers=api)
        n += 1
        await asyncio.sleep(random.uniform(3.0, 6.0))


async def phone_calls(load: Load, agents: list[dict], rate: float, until: float) -> None:
    headers = {"X-CTI-Token": CTI_TOKEN}

    async def one(n: int) -> None:
        call = {
            "call_id": f"soak-{n}",
            "from": f"98{random.randrange(10**8):08d}",
            "to": "08022223333",
        }
        for event, extra, pause in (
            ("newCall", {}, 0.5),
            ("answer", {"user": random.choice(agents)["email"]}, random.uniform(1, 3)),
            ("hangup", {"cause": "normal_clearing"}, 0),
        ):
            await load.call(
                f"CTI {event}",
                "POST",
                "/api/v1/cti/events",
                json=call | extra | {"event": event},
                headers=headers,
            )
            await asyncio.sleep(pause)

    await _at_rate(rate, until, one)


async def inbound_sms(load: Load, rate: float, until: float) -> None:
    headers = {"X-SMS-Token": SMS_TOKEN}
    phones = [f"96{n:08d}" for n in range(40)]  # each opens a ticket, then replies on it

    async def one(n: int) -> None:
        body = {"from": random.choice(phones), "text": random.choice(SMS_TEXTS), "id": f"soak-{n}"}
        status, answer = await load.call(
            "SMS inbound", "POST", "/api/v1/sms/inbound", json=body, headers=headers
        )
        if status == 201 and answer.get("created"):
            load.written.add(answer["ticket"])

    await _at_rate(rate, until, one)


async def _at_rate(rate: float, until: float, one) -> None:
    tasks, n, started = [], 0, time.monotonic()
    while time.monotonic() < until:
        tasks.append(asyncio.create_task(one(n)))
        n += 1
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
    await asyncio.gather(*tasks)
