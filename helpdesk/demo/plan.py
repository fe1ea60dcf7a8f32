"""The demo's history, planned before anything is written: who calls from where, about
what, in which language, when, and how far each ticket got.

Everything is drawn from seeded ``random.Random`` instances (one per ticket), so the same
``ticket_count`` and ``now`` always give the same plans, and a run that stopped part-way
can carry on without duplicating what it wrote.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.demo.data import BLOCKS, BRC_STAFF, CALLER_NAMES, STATE_LANGUAGE
from helpdesk.demo.texts import ENGLISH, Template
from helpdesk.demo.texts_indic import BY_LANGUAGE
from helpdesk.sla.calendar import default_calendar
from helpdesk.tickets.categories import DEFAULT_CATEGORIES
from helpdesk.timeutil import IST

SEED = "ks-nro-demo"
#: how far back the demo history reaches
HISTORY_DAYS = 60
CATEGORY_DOMAIN = {slug: domain for slug, _name, _desc, domain in DEFAULT_CATEGORIES}
#: how often each subject comes up; the MEC's everyday services dominate
CATEGORY_WEIGHTS = {
    "business-plan": 12,
    "bank-linkage": 10,
    "bookkeeping": 9,
    "pts-mis": 9,
    "mec-fees-mou": 7,
    "market-linkage": 7,
    "training": 6,
    "replicable-models": 6,
    "business-opportunity": 5,
    "benchmarking": 3,
    "schemes": 6,
    "gram-sabha": 5,
    "livelihoods": 4,
    "cbo-structure": 4,
    "social-development": 3,
}
PRIORITY_WEIGHTS = {"low": 15, "normal": 55, "high": 22, "urgent": 8}
CHANNEL_WEIGHTS = {"phone": 50, "sms": 15, "email": 10, "api": 10}
#: blocks with BRC staff also raise tickets from the web
BRC_CHANNEL_WEIGHTS = {"phone": 40, "web": 30, "sms": 12, "email": 8, "api": 10}
#: minutes after the previous step, (least, most)
DELAYS = {
    "assign": (2, 45),
    "note": (5, 60),
    "ask": (10, 150),
    "hold": (5, 60),
    "pending": (1, 3),
    "requester": (120, 2880),
    "answer": (10, 180),
    "thanks": (30, 1440),
    "resolve": (1, 30),
    "escalate": (15, 300),
    "mentor_note": (60, 1440),
    "mentor_answer": (120, 2880),
    "close": (1440, 7200),
}
#: urgent tickets are worked faster than the usual delays
PACE = {"urgent": 0.15, "high": 0.25, "normal": 0.7, "low": 1.0}
#: steps the caller's side takes, at any hour; call-centre staff and mentors keep office hours
CALLER_STEPS = {"requester", "thanks"}
BRC_BLOCKS = {block for _local, _name, block in BRC_STAFF}


@dataclass
class Caller:
    name: str
    phone: str  # ten digits, as callers give it
    block: str


@dataclass
class TicketPlan:
    index: int
    block: str
    state: str
    block_name: str
    category: str
    language: str
    template: Template
    channel: str
    priority: str
    caller: Caller | None  # None: BRC staff raise it from the web for themselves
    created_at: datetime
    status: str
    #: (kind, when) in order; see helpdesk.demo.seed for what each kind does
    steps: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return self.template.subject.replace("{block}", self.block_name)

    @property
    def description(self) -> str:
        return self.template.description.replace("{block}", self.block_name)

    @property
    def answer(self) -> str:
        return self.template.answer.replace("{block}", self.block_name)

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"{SEED}:{purpose}:{self.index}")


def _mobile(rng: random.Random, used: set[str]) -> str:
    """A valid Indian mobile number (ten digits from 6-9) not handed out before."""
    while True:
        number = rng.choice("6778889999") + "".join(rng.choice("0123456789") for _ in range(9))
        try:
            e164 = normalize_phone(number)
        except InvalidPhone:
            continue
        if e164 not in used:
            used.add(e164)
            return number


def phone_book() -> tuple[dict[str, list[Caller]], dict[str, str]]:
    """Callers per block (MECs, CRP-EPs, LRG members) and the BRC staff's phones."""
    rng = random.Random(f"{SEED}:phones")
    used: set[str] = set()
    pools = {state: list(names) for state, names in CALLER_NAMES.items()}
    callers: dict[str, list[Caller]] = {}
    for code, _name, _district, state, _domains, weight in BLOCKS:
        count = 4 if weight >= 4 else 3 if weight >= 2 else 2
        callers[code] = [
            Caller(pools[state].pop(0), _mobile(rng, used), code) for _ in range(count)
        ]
    brc_phones = {local: _mobile(rng, used) for local, _name, _block in BRC_STAFF}
    return callers, brc_phones


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _templates(
    language: str, category: str, state: str, domains: tuple[str, ...]
) -> list[Template]:
    pool = ENGLISH if language == "en" else BY_LANGUAGE.get(language, [])
    return [
        t
        for t in pool
        if t.category == category
        and (state in t.states if t.states else CATEGORY_DOMAIN[category] in domains)
    ]


def plan_tickets(count: int, now: datetime) -> list[TicketPlan]:
    """``count`` ticket plans ordered by creation time. The first ones visit every block,
    then every category, so even a small demo covers all states and categories."""
    callers, _ = phone_book()
    categories = [slug for slug, *_ in DEFAULT_CATEGORIES]
    plans = []
    for index in range(count):
        rng = random.Random(f"{SEED}:ticket:{index}")
        if index < len(BLOCKS):
            block = BLOCKS[index]
            category = _weighted(
                rng, {c: w for c, w in CATEGORY_WEIGHTS.items() if CATEGORY_DOMAIN[c] in block[4]}
            )
        else:
            if index < len(BLOCKS) + len(categories):
                category = categories[index - len(BLOCKS)]
            else:
                category = _weighted(rng, CATEGORY_WEIGHTS)
            fitting = [b for b in BLOCKS if CATEGORY_DOMAIN[category] in b[4]]
            block = rng.choices(fitting, weights=[b[5] for b in fitting])[0]
        code, block_name, _district, state, domains, _weight = block
        fixed = len(BLOCKS) <= index < len(BLOCKS) + len(categories)
        plans.append(
            _plan_one(
                index, rng, code, block_name, state, domains, category, callers[code], now, fixed
            )
        )
    plans.sort(key=lambda p: (p.created_at, p.index))
    return plans


def _plan_one(
    index, rng, code, block_name, state, domains, category, callers, now, fixed_category
) -> TicketPlan:
    language = STATE_LANGUAGE[state]
    local = _templates(language, category, state, domains)
    if not local and not fixed_category and rng.random() < 0.6:
        # Most callers speak the state's language: prefer a question asked in it.
        local = [t for c in CATEGORY_WEIGHTS for t in _templates(language, c, state, domains)]
    if not local or rng.random() < 0.2:
        language, local = "en", _templates("en", category, state, domains)
    template = rng.choice(local)
    category = template.category
    channel = _weighted(rng, BRC_CHANNEL_WEIGHTS if code in BRC_BLOCKS else CHANNEL_WEIGHTS)
    caller = None
    if channel != "web":
        caller = rng.choices(callers, weights=[4, 2, 1, 1][: len(callers)])[0]
    created_at = _created_at(rng, channel, now)
    status = _status_for_age(rng, now - created_at)
    plan = TicketPlan(
        index=index,
        block=code,
        state=state,
        block_name=block_name,
        category=category,
        language=language,
        template=template,
        channel=channel,
        priority=_weighted(rng, PRIORITY_WEIGHTS),
        caller=caller,
        created_at=created_at,
        status=status,
    )
    plan.steps = _timeline(rng, _flow(rng, status), created_at, now, plan.priority)
    return plan


def _created_at(rng: random.Random, channel: str, now: datetime) -> datetime:
    """Calls come in working hours (Monday to Saturday, IST); SMS and web at any waking hour."""
    days_ago = HISTORY_DAYS * rng.random() ** 1.4  # more of the traffic is recent
    day = (now.astimezone(IST) - timedelta(days=days_ago)).date()
    if channel in ("phone", "email") and day.weekday() == 6:
        day -= timedelta(days=1)
    first, last = (7, 21) if channel in ("sms", "web") else (9, 18)
    minute = rng.randrange(first * 60, last * 60)
    local = datetime(
        day.year, day.month, day.day, minute // 60, minute % 60, rng.randrange(60), tzinfo=IST
    )
    latest = now - timedelta(minutes=10)
    if local > latest:
        local = now - timedelta(minutes=rng.randrange(10, 240))
    return local.astimezone(now.tzinfo)


def _status_for_age(rng: random.Random, age: timedelta) -> str:
    if age < timedelta(hours=3):
        weights = {"new": 45, "open": 35, "pending": 10, "escalated": 10}
    elif age < timedelta(days=2):
        weights = {
            "new": 8,
            "open": 25,
            "pending": 17,
            "escalated": 20,
            "resolved": 25,
            "closed": 5,
        }
    else:
        weights = {
            "new": 2,
            "open": 8,
            "pending": 10,
            "escalated": 10,
            "resolved": 25,
            "closed": 45,
        }
    return _weighted(rng, weights)


def _flow(rng: random.Random, status: str) -> list[str]:
    """The steps that bring a new ticket to ``status``."""
    if status == "new":
        return []
    steps = ["assign"] + (["note"] if rng.random() < 0.25 else [])
    if status == "open":
        # Most open tickets had a first answer and wait on a detail from the caller.
        return steps + (["ask", "requester"] if rng.random() < 0.7 else [])
    if status == "pending":
        return steps + ["ask", "pending"]
    # The agent answers the caller before handing the question to a mentor.
    if status == "escalated":
        return steps + ["hold", "escalate"] + (["mentor_note"] if rng.random() < 0.5 else [])
    route = _weighted(rng, {"direct": 55, "ask": 25, "mentor": 20})
    if route == "direct":
        steps += ["answer"] + (["thanks"] if rng.random() < 0.4 else []) + ["resolve"]
    elif route == "ask":
        steps += ["ask", "pending", "requester", "answer", "resolve"]
    else:
        steps += ["hold", "escalate", "mentor_answer", "resolve"]
    return steps + (["close"] if status == "closed" else [])


def _timeline(rng, kinds: list[str], created_at: datetime, now: datetime, priority: str):
    """Times for the steps. Staff act in working hours (the SLA calendar), callers whenever;
    a ticket too young for that is worked quickly, its delays squeezed to fit before now."""
    calendar = default_calendar()
    pace = PACE[priority]
    delays = [rng.uniform(*DELAYS[kind]) * (1 if kind in CALLER_STEPS else pace) for kind in kinds]
    latest = now - timedelta(minutes=2)
    steps, when = [], created_at
    for kind, delay in zip(kinds, delays):
        when += timedelta(minutes=delay)
        if kind not in CALLER_STEPS:
            working = calendar.add_minutes(when, 0)  # the next moment the call-centre works
            if working != when:  # taken up some time into the next working day
                when = calendar.add_minutes(working, round(rng.uniform(5, 90) * pace) + 2)
        steps.append((kind, when))
    if not steps or steps[-1][1] <= latest:
        return steps
    total = sum(delays)
    scale = (latest - created_at).total_seconds() / 60 / total
    offsets = [sum(delays[: i + 1]) * scale for i in range(len(delays))]
    return [(kind, created_at + timedelta(minutes=offset)) for kind, offset in zip(kinds, offsets)]
