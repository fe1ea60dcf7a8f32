"""A ticket's audit trail in words, as the ticket page shows it: "assigned to Ravi",
"escalated to Asha (mentor)", "status changed from open to pending" — names, not the
e-mails, slugs and codes the events store."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import Category, TicketEvent

TARGETS = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
    "mentor_response": "mentor response",
}


@dataclass
class HistoryLine:
    who: str
    what: str
    at: datetime
    kind: str


def history_lines(events: list[TicketEvent]) -> list[HistoryLine]:
    """The events, newest first, each told in a short sentence."""
    names = _names(events)
    lines = []
    for event in reversed(events):
        who = event.actor.name if event.actor else "System"
        lines.append(HistoryLine(who, describe(event, names), event.at, event.kind))
    return lines


def describe(event: TicketEvent, names: dict[tuple[str, str], str]) -> str:
    kind, old, new = event.kind, event.old_value, event.new_value

    def name(table: str, value: str | None) -> str:
        return names.get((table, value or ""), value or "nobody")

    if kind == "created":
        return "created the ticket"
    if kind == "message":
        return "added an internal note" if new == "note" else "replied"
    if kind == "status":
        return f"status changed from {old} to {new}" if old else f"status set to {new}"
    if kind == "assignee":
        return f"assigned to {name('user', new)}" if new else "unassigned the ticket"
    if kind == "mentor":
        return f"escalated to {name('user', new)} (mentor)" if new else "removed the mentor"
    if kind == "priority":
        return f"priority changed from {old} to {new}"
    if kind == "category":
        return f"category changed from {name('category', old)} to {name('category', new)}"
    if kind == "language":
        return f"language changed from {_language(old)} to {_language(new)}"
    if kind == "block":
        if old:
            return f"moved from block {name('block', old)} to {name('block', new)}"
        return f"placed in block {name('block', new)}"
    if kind == "call":
        return f"call: {new}" if new else "logged a call"
    if kind == "sla_warning":
        return f"{TARGETS.get(new or '', new)} target nearly due"
    if kind == "sla_breach":
        return f"{TARGETS.get(new or '', new)} target breached"
    if kind == "sla_escalation":
        return "escalation asked for after the SLA breach"
    return f"{kind.replace('_', ' ')} changed from {old or '—'} to {new or '—'}"


def _language(code: str | None) -> str:
    return LANGUAGES.get(code or "", code or "—")


def _names(events: list[TicketEvent]) -> dict[tuple[str, str], str]:
    """Names for the e-mails, category slugs and block codes the events mention, in three
    queries at most."""
    wanted: dict[str, set[str]] = {"user": set(), "category": set(), "block": set()}
    table = {"assignee": "user", "mentor": "user", "category": "category", "block": "block"}
    for event in events:
        if event.kind in table:
            wanted[table[event.kind]] |= {v for v in (event.old_value, event.new_value) if v}
    names: dict[tuple[str, str], str] = {}
    for table_name, key, label in (
        ("user", User.email, User.name),
        ("category", Category.slug, Category.name),
        ("block", Block.code, Block.name),
    ):
        if wanted[table_name]:
            rows = db.session.execute(sa.select(key, label).where(key.in_(wanted[table_name])))
            names |= {(table_name, k): v for k, v in rows}
    return names
