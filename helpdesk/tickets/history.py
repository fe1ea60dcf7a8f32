"""A ticket's audit trail in words, as the ticket page shows it: "assigned to Ravi",
"escalated to Asha (mentor)", "status changed from open to pending" (on a Hindi page: "ने स्थिति “खुला” से बदलकर
“जवाब का इंतज़ार” की", after the person's name) — names, not the e-mails, slugs and codes
the events store."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.i18n import translate
from helpdesk.i18n.labels import (
    category_name,
    event_field_label,
    priority_label,
    sla_target_label,
    status_label,
)
from helpdesk.templating import language_name
from helpdesk.tickets.models import Category, TicketEvent


@dataclass
class HistoryLine:
    who: str
    what: str
    at: datetime
    kind: str


def history_lines(events: list[TicketEvent]) -> list[HistoryLine]:
    """The events, newest first, each told in a short sentence in the page's language."""
    names = _names(events)
    lines = []
    for event in reversed(events):
        who = event.actor.name if event.actor else gettext("System")
        lines.append(HistoryLine(who, describe(event, names), event.at, event.kind))
    return lines


def _word(label: str) -> str:
    """A status, priority or target mid-sentence: lower-case in English; Hindi has no case."""
    return label.lower()


def describe(event: TicketEvent, names: dict[tuple[str, str], str]) -> str:
    kind, old, new = event.kind, event.old_value, event.new_value

    def name(table: str, value: str | None) -> str:
        return names.get((table, value or ""), value or gettext("nobody"))

    if kind == "created":
        return gettext("created the ticket")
    if kind == "message":
        return gettext("added an internal note") if new == "note" else gettext("replied")
    if kind == "attachment":
        if old == "internal":
            return gettext("attached %(file)s to a note", file=new)
        return gettext("attached %(file)s", file=new)
    if kind == "status":
        if not old:
            return gettext("status set to %(new)s", new=_word(status_label(new)))
        return gettext(
            "status changed from %(old)s to %(new)s",
            old=_word(status_label(old)),
            new=_word(status_label(new)),
        )
    if kind == "assignee":
        if not new:
            return gettext("unassigned the ticket")
        return gettext("assigned to %(name)s", name=name("user", new))
    if kind == "mentor":
        if not new:
            return gettext("removed the mentor")
        return gettext("escalated to %(name)s (mentor)", name=name("user", new))
    if kind == "priority":
        return gettext(
            "priority changed from %(old)s to %(new)s",
            old=_word(priority_label(old)),
            new=_word(priority_label(new)),
        )
    if kind == "category":
        return gettext(
            "category changed from %(old)s to %(new)s",
            old=name("category", old),
            new=name("category", new),
        )
    if kind == "language":
        return gettext(
            "language changed from %(old)s to %(new)s",
            old=language_name(old),
            new=language_name(new),
        )
    if kind == "block":
        if old:
            return gettext(
                "moved from block %(old)s to %(new)s",
                old=name("block", old),
                new=name("block", new),
            )
        return gettext("placed in block %(new)s", new=name("block", new))
    if kind == "merged_into":
        return gettext("merged this ticket into %(number)s", number=new)
    if kind == "merged_from":
        return gettext("merged %(number)s into this ticket", number=new)
    if kind == "enterprise":
        return gettext("enterprise changed from %(old)s to %(new)s", old=old or "—", new=new or "—")
    if kind == "call":
        return gettext("call: %(summary)s", summary=new) if new else gettext("logged a call")
    if kind == "sla_warning":
        return gettext("%(target)s target nearly due", target=_word(sla_target_label(new)))
    if kind == "sla_breach":
        return gettext("%(target)s target breached", target=_word(sla_target_label(new)))
    if kind == "rating":  # the requester's satisfaction rating, 1 to 5
        return gettext("rated the answer %(rating)s out of 5", rating=new)
    if kind == "sla_escalation":
        return gettext("escalation asked for after the SLA breach")
    return gettext(
        "%(field)s changed from %(old)s to %(new)s",
        field=event_field_label(kind),
        old=translate(old) if old else "—",
        new=translate(new) if new else "—",
    )


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
        ("block", Block.code, Block.name),
    ):
        if wanted[table_name]:
            rows = db.session.execute(sa.select(key, label).where(key.in_(wanted[table_name])))
            names |= {(table_name, k): v for k, v in rows}
    if wanted["category"]:
        rows = db.session.execute(
            sa.select(Category.slug, Category.name, Category.name_hi).where(
                Category.slug.in_(wanted["category"])
            )
        )
        # already in the page's language (an admin's Hindi name, else the catalogue's)
        names |= {("category", row.slug): category_name(row) for row in rows}
    return names
