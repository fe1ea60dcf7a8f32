"""`flask --app wsgi seed-demo`: the geography of DOMAIN.md, users of every role, and a
couple of months of realistic tickets in the callers' languages.

Everything goes through the services (create_block, create_user, create_ticket,
add_message, update_ticket), so the audit trail, SLA targets and acknowledgements are the
real ones. Each step is played as of its planned moment (the services' ``now``), so the
SLA clock judges it as it would have that day; only the automatic acknowledgement, written
by a job with the wall clock, is re-dated. At the end every open ticket is checked as of
now, as the SLA reconciler would. Running the command again adds nothing: it reprints the
sign-ins.
"""

import os
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import click
import sqlalchemy as sa

from helpdesk import jobs
from helpdesk.agents.models import User
from helpdesk.agents.services import create_user, user_by_email
from helpdesk.contacts.models import Contact
from helpdesk.contacts.phones import normalize_phone
from helpdesk.demo import data
from helpdesk.demo.plan import TicketPlan, phone_book, plan_tickets
from helpdesk.demo.replies import ensure_enterprises, ensure_responses
from helpdesk.extensions import db
from helpdesk.geography.services import create_block
from helpdesk.languages import LANGUAGES
from helpdesk.sla.timers import reconcile_sla
from helpdesk.tickets.models import Message, Ticket, TicketEvent
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.tickets.services import (
    add_message,
    block_by_code,
    create_ticket,
    record_event,
    unit_of_work,
    update_ticket,
)
from helpdesk.timeutil import utcnow

Echo = Callable[[str], None]


def seed_demo(ticket_count: int = 240, *, echo: Echo = click.echo) -> list[dict]:
    """Load the demo data once; returns (and prints) the demo sign-ins."""
    if os.environ.get("HELPDESK_ENV") == "production" and not os.environ.get("HELPDESK_ALLOW_DEMO"):
        raise click.ClickException(
            "refusing to load demo users with public passwords into a production site "
            "(set HELPDESK_ALLOW_DEMO=1 to do it anyway)"
        )
    credentials = demo_credentials()
    if user_by_email(data.MARKER_EMAIL) is not None:
        echo(f"Demo data is already present ({data.MARKER_EMAIL} exists); nothing was added.")
        print_credentials(credentials, echo)
        return credentials

    started = time.monotonic()
    callers, brc_phones = phone_book()
    new_blocks = _ensure_blocks()
    people = _ensure_users(credentials, brc_phones)
    now = utcnow()
    plans = plan_tickets(ticket_count, now)
    done = _demo_tickets_present(callers, brc_phones)
    if done:
        echo(f"{done} demo ticket(s) from an earlier, unfinished run are kept.")
    # One search-index rebuild at the end instead of an index commit per solved ticket and
    # per article (measured: ~0.12 s each, most of the command's time).
    with jobs.skipping("kb.index_ticket", "kb.index_article"):
        with click.progressbar(plans[done:], label="Creating demo tickets") as bar:
            for plan in bar:
                _play(plan, people)
        # What the reconciler would find on its first run: open tickets now past their targets.
        reconcile_sla()
        articles = _ensure_articles()
    with unit_of_work():
        jobs.enqueue("kb.rebuild")
    ensure_responses()
    ensure_enterprises()
    # The marker goes in last: an interrupted run is completed by the next one.
    _ensure_user(next(c for c in credentials if c["email"] == data.MARKER_EMAIL))
    echo(
        f"Loaded {new_blocks} new block(s), {len(credentials)} demo users and "
        f"{len(plans) - done} tickets and {articles} knowledge-base articles in "
        f"{time.monotonic() - started:.1f}s."
    )
    print_credentials(credentials, echo)
    return credentials


def _ensure_articles() -> int:
    """Publish the knowledge-base library in the name of the demo enterprise mentor."""
    from helpdesk.knowledge.library import load_library

    author = user_by_email(f"mentor.enterprise@{data.EMAIL_DOMAIN}")
    return len(load_library(author))


# --- users and sign-ins --------------------------------------------------------------


def demo_credentials() -> list[dict]:
    """Every demo user with its public password, in the order the table lists them."""

    def row(local, name, role, notes, **fields):
        return {
            "email": f"{local}@{data.EMAIL_DOMAIN}",
            "name": name,
            "role": role,
            "password": data.DEMO_PASSWORDS[role],
            "notes": notes,
            "fields": fields,
        }

    rows = [row(data.ADMIN[0], data.ADMIN[1], "admin", "users, categories, SLA policies")]
    for local, name, languages, states in data.MANAGERS:
        rows.append(
            row(
                local,
                name,
                "manager",
                f"states {_short(states)}",
                languages=languages,
                states=states,
            )
        )
    for local, name, languages in data.AGENTS:
        rows.append(
            row(local, name, "agent", "speaks " + ", ".join(languages), languages=languages)
        )
    for local, name, languages, skills, states in data.MENTORS:
        rows.append(
            row(
                local,
                name,
                "mentor",
                f"{', '.join(languages)}; {_short(states)}; {len(skills)} skills",
                languages=languages,
                skills=skills,
                states=states,
            )
        )
    for local, name, block in data.BRC_STAFF:
        rows.append(row(local, name, "brc", f"BRC {block}", block=block))
    return rows


def _short(states: list[str]) -> str:
    return " ".join(code.removeprefix("IN-") for code in states)


def print_credentials(credentials: list[dict], echo: Echo = click.echo) -> None:
    width = max(len(c["email"]) for c in credentials)
    echo("")
    echo("Demo sign-ins (public demo passwords: never use them on a real site)")
    echo(f"{'role':<8} {'email':<{width}} {'password':<15} notes")
    echo(f"{'-' * 8} {'-' * width} {'-' * 15} {'-' * 5}")
    for c in credentials:
        echo(f"{c['role']:<8} {c['email']:<{width}} {c['password']:<15} {c['notes']}")


def _ensure_user(cred: dict, phone: str | None = None) -> User:
    return user_by_email(cred["email"]) or create_user(
        email=cred["email"],
        name=cred["name"],
        role=cred["role"],
        password=cred["password"],
        phone=phone,
        **cred["fields"],
    )


def _ensure_users(credentials: list[dict], brc_phones: dict[str, str]) -> dict:
    """Everyone but the admin (the completion marker), grouped for picking actors."""
    people: dict = {"agent": [], "mentor": [], "manager": [], "brc": {}}
    for cred in credentials:
        if cred["email"] == data.MARKER_EMAIL:
            continue
        local = cred["email"].split("@")[0]
        user = _ensure_user(cred, brc_phones.get(local))
        if cred["role"] == "brc":
            people["brc"][cred["fields"]["block"]] = user
        else:
            people[cred["role"]].append(user)
    return people


def _ensure_blocks() -> int:
    created = 0
    for code, name, district, state, _domains, _weight in data.BLOCKS:
        if block_by_code(code) is None:
            create_block(code=code, name=name, district=district, state=state)
            created += 1
    return created


def _demo_tickets_present(callers: dict, brc_phones: dict[str, str]) -> int:
    phones = {normalize_phone(c.phone) for block in callers.values() for c in block}
    phones |= {normalize_phone(p) for p in brc_phones.values()}
    return (
        db.session.scalar(
            sa.select(sa.func.count(Ticket.id))
            .join(Contact, Ticket.requester_id == Contact.id)
            .where(Contact.phone.in_(phones))
        )
        or 0
    )


# --- one ticket's history ------------------------------------------------------------


_NO_SYNC = {"synchronize_session": False}  # the commit that follows expires everything
_STAMP = Message.__table__.c.created_at.type  # UTC in, UTC stored, on SQLite and PostgreSQL


def _redate_rows(tid: int, when: datetime, *, after_event: int = 0, after_message: int = 0) -> None:
    db.session.execute(
        sa.update(TicketEvent)
        .where(TicketEvent.ticket_id == tid, TicketEvent.id > after_event)
        .values(at=when),
        execution_options=_NO_SYNC,
    )
    # An automatic acknowledgement follows its ticket by a few seconds.
    db.session.execute(
        sa.update(Message)
        .where(Message.ticket_id == tid, Message.id > after_message)
        .values(
            created_at=sa.case(
                (Message.automatic.is_(True), sa.literal(when + timedelta(seconds=20), _STAMP)),
                else_=sa.literal(when, _STAMP),
            )
        ),
        execution_options=_NO_SYNC,
    )


def _play(plan: TicketPlan, people: dict) -> Ticket:
    rng = plan.rng("play")
    agent = _agent_for(rng, people["agent"], plan.language)
    brc = people["brc"].get(plan.block) if plan.channel == "web" else None
    creator = brc or (agent if plan.channel in ("phone", "email") else None)
    body = {
        "subject": plan.subject,
        "description": plan.description,
        "category": plan.category,
        "priority": plan.priority,
        "channel": plan.channel,
        "language": plan.language,
        "block": plan.block,
    }
    if plan.caller is not None:
        body["requester"] = {"name": plan.caller.name, "phone": plan.caller.phone}
    ticket = create_ticket(TicketCreate.model_validate(body), creator, now=plan.created_at)
    _date_creation(ticket, plan.created_at)

    mentor = None
    reply_channel = plan.channel if plan.channel in ("phone", "sms", "email") else "web"
    # Each step runs through the services as of its planned moment, so the SLA clock, the
    # audit trail and the notifications are those of the day it happened.
    for kind, when in plan.steps:
        if kind == "assign":
            manager = people["manager"][0] if rng.random() < 0.2 else None
            update_ticket(ticket, manager or agent, TicketUpdate(assignee=agent.id), now=when)
        elif kind == "note":
            _say(ticket, agent, rng.choice(data.AGENT_NOTES), when, internal=True)
        elif kind == "ask":
            body = data.ASK_DETAILS[plan.language].format(number=ticket.number)
            _say(ticket, agent, body, when, channel=reply_channel)
        elif kind == "hold":
            body = data.HOLDING_REPLY[plan.language].format(number=ticket.number)
            _say(ticket, agent, body, when, channel=reply_channel)
        elif kind in ("pending", "resolve", "close"):
            actor = mentor if (kind == "resolve" and mentor) else agent
            status = {"pending": "pending", "resolve": "resolved", "close": "closed"}[kind]
            update_ticket(ticket, actor, TicketUpdate(status=status), now=when)
        elif kind == "requester":
            body = data.REQUESTER_DETAILS[plan.language]
            _requester_says(ticket, brc, body, plan.channel, when)
        elif kind == "thanks":
            _requester_says(ticket, brc, data.REQUESTER_THANKS[plan.language], plan.channel, when)
        elif kind == "answer":
            _say(ticket, agent, plan.answer, when, channel=reply_channel)
        elif kind == "escalate":
            mentor = _mentor_for(rng, people["mentor"], plan)
            _escalate(ticket, agent, mentor, plan, when)
        elif kind == "mentor_note":
            _say(ticket, mentor, rng.choice(data.MENTOR_NOTES), when, internal=True)
        elif kind == "mentor_answer":
            _say(ticket, mentor, plan.answer, when, channel=reply_channel)
    return ticket


def _date_creation(ticket: Ticket, created_at: datetime) -> None:
    """create_ticket dates the ticket itself; its audit event and acknowledgement follow."""
    _redate_rows(ticket.id, created_at)
    db.session.commit()


def _say(
    ticket: Ticket,
    author: User,
    body: str,
    when: datetime,
    *,
    internal: bool = False,
    channel: str = "web",
) -> None:
    add_message(
        ticket,
        author,
        MessageCreate(body=body, internal=internal),
        channel="web" if internal else channel,
        now=when,
    )


def _requester_says(
    ticket: Ticket, brc: User | None, body: str, channel: str, when: datetime
) -> None:
    """The asking side answers: BRC staff from the web, callers by phone or SMS."""
    if brc is not None:
        add_message(ticket, brc, MessageCreate(body=body), channel="web", now=when)
    else:
        add_message(
            ticket,
            None,
            MessageCreate(body=body),
            contact=ticket.requester,
            channel=channel if channel in ("phone", "sms", "email") else "phone",
            now=when,
        )


def _escalate(ticket: Ticket, agent: User, mentor: User, plan: TicketPlan, when: datetime) -> None:
    """Hand the ticket to a mentor, audited like the service's own changes."""
    note = data.ESCALATION_NOTE.format(
        mentor=mentor.name,
        category=ticket.category.name,
        language=LANGUAGES[plan.language].split(" (")[-1].rstrip(")"),
    )
    _say(ticket, agent, note, when, internal=True)
    with unit_of_work():
        record_event(ticket, agent, "mentor", None, mentor.email, at=when)
        record_event(ticket, agent, "status", ticket.status, "escalated", at=when)
        ticket.mentor = mentor
        ticket.status = "escalated"
        ticket.updated_at = when


def _agent_for(rng: random.Random, agents: list[User], language: str) -> User:
    speaking = [a for a in agents if language in (a.languages or [])]
    return rng.choice(speaking or agents)


def _mentor_for(rng: random.Random, mentors: list[User], plan: TicketPlan) -> User:
    """A mentor of the ticket's state and subject, one who speaks the language if any does."""

    def fits(m: User, *, language: bool) -> bool:
        return (
            plan.state in (m.states or [])
            and plan.category in (m.skills or [])
            and (not language or plan.language in (m.languages or []))
        )

    for pool in (
        [m for m in mentors if fits(m, language=True)],
        [m for m in mentors if fits(m, language=False)],
        [m for m in mentors if plan.category in (m.skills or [])],
        mentors,
    ):
        if pool:
            return rng.choice(pool)
    raise RuntimeError("no mentors")
