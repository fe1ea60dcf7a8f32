"""The SLA report's figures for every group_by against an independent computation in Python:
counts of met / breached / open per group and in total, and both percentiles (PostgreSQL's
percentile_cont: position p * (n - 1), linear between neighbours; ``statistics.quantiles``
with method="inclusive" is the same definition). The same on SQLite and PostgreSQL, whose
report runs with its own settings (parallel workers, REPORT_SETTINGS)."""

import random
import statistics

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.reports.queries import GROUP_KEYS, TARGETS
from helpdesk.tickets.models import Category, Ticket


def _percentiles(values: list[int]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    cuts = statistics.quantiles(sorted(values), n=10, method="inclusive")
    return round(cuts[4], 1), round(cuts[8], 1)


def _key(ticket: Ticket, group_by: str):
    block = ticket.block
    state = block.district.state if block else None
    return {
        "state": state and state.code,
        "district": state and f"{state.code}/{block.district.name}",
        "block": block and block.code,
        "category": ticket.category.slug,
        "agent": ticket.assignee and ticket.assignee.email,
        "mentor": ticket.mentor and ticket.mentor.email,
        "channel": ticket.channel,
        "language": ticket.language,
        "priority": ticket.priority,
    }[group_by]


def _expected(tickets: list[Ticket]) -> dict:
    figures: dict = {"tickets": len(tickets)}
    for target in TARGETS:
        minutes = [getattr(t, f"{target}_minutes") for t in tickets]
        breached = [getattr(t, f"{target}_breached") for t in tickets]
        met = sum(1 for m, b in zip(minutes, breached, strict=True) if m is not None and not b)
        median, p90 = _percentiles([m for m in minutes if m is not None])
        figures[target] = {
            "met": met,
            "breached": sum(breached),
            "open": len(tickets) - met - sum(breached),
            "median_minutes": median,
            "p90_minutes": p90,
        }
    return figures


def _reported(row: dict) -> dict:
    return {"tickets": row["tickets"]} | {
        target: {
            name: row[target][name]
            for name in ("met", "breached", "open", "median_minutes", "p90_minutes")
        }
        for target in TARGETS
    }


@pytest.fixture
def spread(app, make_ticket, make_user, make_block):
    """40 tickets over 4 blocks in 2 states (one ticket awaiting triage, without a block),
    random categories, agents, mentors, channels, languages, priorities, minutes and
    breaches; some targets not reached yet."""
    rng = random.Random(7)
    blocks = [
        make_block(state=state, district=district)
        for state, district in (
            ("IN-JH", "Ranchi"),
            ("IN-JH", "Ranchi"),
            ("IN-JH", "Gumla"),
            ("IN-KL", "Ranchi"),  # the same district name in another state: another key
        )
    ]
    agents = [make_user("agent") for _ in range(3)]
    mentors = [make_user("mentor") for _ in range(2)]
    categories = db.session.scalars(sa.select(Category.id)).all()
    ids = [make_ticket(actor=agents[0], block=rng.choice(blocks).code).id for _ in range(40)]
    for index, ticket_id in enumerate(ids):
        first = rng.choice([None, *range(0, 600, 7)])
        resolution = rng.choice([None, None, *range(30, 5000, 13)])
        db.session.execute(
            sa.update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(
                block_id=None if index == 0 else Ticket.block_id,
                category_id=rng.choice(categories),
                assignee_id=rng.choice([None, *(a.id for a in agents)]),
                mentor_id=rng.choice([None, None, *(m.id for m in mentors)]),
                channel=rng.choice(["phone", "sms", "web"]),
                language=rng.choice(["hi", "ml", "en"]),
                priority=rng.choice(["low", "normal", "high", "urgent"]),
                first_response_minutes=first,
                resolution_minutes=resolution,
                first_response_breached=rng.random() < 0.3,
                resolution_breached=rng.random() < 0.3,
            )
        )
    db.session.commit()
    return ids


@pytest.mark.parametrize("group_by", GROUP_KEYS)
def test_every_group_and_the_totals_match_python(spread, api_as, make_user, group_by):
    report = api_as(make_user("manager")).get(f"/api/v1/reports/sla?group_by={group_by}").json
    db.session.expire_all()
    tickets = db.session.scalars(sa.select(Ticket).where(Ticket.id.in_(spread))).all()
    groups: dict = {}
    for ticket in tickets:
        groups.setdefault(_key(ticket, group_by), []).append(ticket)
    assert {row["key"]: _reported(row) for row in report["rows"]} == {
        key: _expected(members) for key, members in groups.items()
    }
    assert _reported(report["totals"]) == _expected(tickets)
    assert len(groups) > 1
