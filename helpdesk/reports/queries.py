"""The SQL behind the SLA reports: every count and percentile is computed by the database.

Percentiles follow PostgreSQL's ``percentile_cont`` (linear interpolation between the two
closest ranks): with the n values of a group sorted ascending, position ``p * (n - 1)``
(0-based) is read, and a fractional position interpolates between its neighbours. On
PostgreSQL ``percentile_cont`` computes it; on SQLite window functions pick the (at most
two) neighbouring values of each group and ``interpolate`` applies the same formula, so
both databases give the same answer.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.tickets.models import OPEN_STATUSES, Category, Ticket

GROUP_KEYS = (
    "state",
    "district",
    "block",
    "category",
    "agent",
    "mentor",
    "channel",
    "language",
    "priority",
)
PERCENTILES = (0.5, 0.9)
TARGETS = ("first_response", "resolution")
#: PostgreSQL settings of the report's transaction (SET LOCAL), measured at 1M tickets in
#: bench/sla_report.py: the sorts stay in memory (1M tickets' minutes take ~80 MB: 64 MB
#: spilled to disk); the scan and the sort are split over parallel workers (with the
#: default costs PostgreSQL used none, and for block or agent it read the tickets through
#: an index in group order, a random heap read per ticket); no JIT (its compiling cost
#: more than it saved); one plan per range, as in call_queries
REPORT_SETTINGS = {
    "work_mem": "128MB",
    "jit": "off",
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
    "plan_cache_mode": "force_custom_plan",
}
#: label of rows whose key is empty (no assignee, no mentor, no block yet)
EMPTY_LABELS = {
    "agent": "Unassigned",
    "mentor": "No mentor",
    "state": "Triage (no block)",
    "district": "Triage (no block)",
    "block": "Triage (no block)",
}


@dataclass
class Grouping:
    """A report dimension. Tickets are aggregated by ``gid`` (an integer id wherever there
    is one: sorting and hashing a million ints is far cheaper than text, and most
    dimensions need no join at all); ``lookup(gid)`` then names each of the few groups:
    (key, label, outer joins from the aggregate to the named tables)."""

    gid: sa.ColumnElement
    #: (target, onclause): outer joins from tickets to reach gid, so tickets without a
    #: block (awaiting triage) stay in the report as the group None
    joins: list[tuple]
    lookup: Callable[[sa.ColumnElement], tuple[sa.ColumnElement, sa.ColumnElement, list[tuple]]]


def grouping(group_by: str) -> Grouping:
    if group_by == "state":
        # A small block → state map, hashed and probed in each parallel worker (materialised,
        # it was joined above the workers: to all 1M tickets in one process).
        keys = (
            sa.select(Block.id.label("block_id"), District.state_id.label("state_id"))
            .join(District, Block.district_id == District.id)
            .cte("block_states")
        )
        return Grouping(
            keys.c.state_id,
            [(keys, Ticket.block_id == keys.c.block_id)],
            lambda g: (State.code, State.name, [(State, State.id == g)]),
        )
    if group_by == "district":
        # District names repeat across states: the key carries the state code.
        return Grouping(
            Block.district_id,
            [(Block, Ticket.block_id == Block.id)],
            lambda g: (
                State.code + "/" + District.name,
                District.name,
                [(District, District.id == g), (State, District.state_id == State.id)],
            ),
        )
    if group_by == "block":
        return Grouping(
            Ticket.block_id, [], lambda g: (Block.code, Block.name, [(Block, Block.id == g)])
        )
    if group_by == "category":
        return Grouping(
            Ticket.category_id,
            [],
            lambda g: (Category.slug, Category.name, [(Category, Category.id == g)]),
        )
    if group_by in ("agent", "mentor"):
        person = aliased(User, name=f"{group_by}_user")
        column = Ticket.assignee_id if group_by == "agent" else Ticket.mentor_id
        return Grouping(
            column, [], lambda g: (person.email, person.name, [(person, person.id == g)])
        )
    if group_by in ("channel", "language", "priority"):
        return Grouping(getattr(Ticket, group_by), [], lambda g: (g, g, []))
    raise ValueError(f"unknown group_by {group_by!r}")


def categories_by_slug(slugs: list[str]) -> dict[str, sa.Row]:
    """{slug: (slug, name, name_hi)} of these categories: one SELECT over the categories
    table, run after a report's query so the query over the tickets joins nothing more."""
    if not slugs:
        return {}
    rows = db.session.execute(
        sa.select(Category.slug, Category.name, Category.name_hi).where(Category.slug.in_(slugs))
    )
    return {row.slug: row for row in rows}


def _joined(query: sa.Select, group: Grouping | None) -> sa.Select:
    query = query.select_from(Ticket)
    for target, onclause in group.joins if group else ():
        query = query.outerjoin(target, onclause)
    return query


def _named(aggregate: sa.Subquery, group: Grouping) -> sa.Select:
    """The aggregate's rows with each group's key and label (outer joins: the totals row
    and rows without an assignee or mentor have no gid)."""
    key, label, joins = group.lookup(aggregate.c.gid)
    query = sa.select(key.label("key"), label.label("label"), aggregate).select_from(aggregate)
    for target, onclause in joins:
        query = query.outerjoin(target, onclause)
    return query


def _count_columns() -> list[sa.ColumnElement]:
    columns = [sa.func.count().label("tickets")]
    for target in TARGETS:
        breached = getattr(Ticket, f"{target}_breached")
        minutes = getattr(Ticket, f"{target}_minutes")
        columns += [
            sa.func.sum(
                sa.case((sa.and_(minutes.is_not(None), sa.not_(breached)), 1), else_=0)
            ).label(f"{target}_met"),
            sa.func.sum(sa.case((breached, 1), else_=0)).label(f"{target}_breached"),
        ]
    return columns


def sla_statement_postgresql(group: Grouping, start: datetime, end: datetime) -> sa.Select:
    """One pass over the tickets created in [start, end): per group and in total (GROUPING
    SETS), counts and both percentiles (``percentile_cont`` over an array of fractions)."""
    fractions = postgresql.array([sa.literal(p, sa.Float) for p in PERCENTILES])
    percentiles = [
        sa.func.percentile_cont(fractions)
        .within_group(getattr(Ticket, f"{target}_minutes"))
        .label(f"{target}_percentiles")
        for target in TARGETS
    ]
    aggregate = (
        _joined(
            sa.select(
                group.gid.label("gid"),
                sa.func.grouping(group.gid).label("is_total"),
                *_count_columns(),
                *percentiles,
            ),
            group,
        )
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(sa.func.grouping_sets(sa.tuple_(group.gid), sa.tuple_()))
        .subquery("aggregate")
    )
    return _named(aggregate, group)


def sla_figures(group_by: str, start: datetime, end: datetime) -> tuple[list[dict], dict]:
    """(rows per group, totals) of the tickets created in [start, end): ``key``, ``label``,
    ``tickets``, ``<target>_met``, ``<target>_breached`` and ``<target>_percentiles`` (a
    list matching PERCENTILES, None where no ticket reached the target)."""
    group = grouping(group_by)
    if db.engine.dialect.name == "postgresql":
        # The percentiles sort every selected ticket: see REPORT_SETTINGS.
        for name, value in REPORT_SETTINGS.items():
            db.session.execute(sa.text(f"SET LOCAL {name} = '{value}'"))
        rows, totals = [], None
        for row in db.session.execute(sla_statement_postgresql(group, start, end)).mappings():
            data = dict(row)
            for target in TARGETS:
                data[f"{target}_percentiles"] = data[f"{target}_percentiles"] or [None] * len(
                    PERCENTILES
                )
            if data.pop("is_total"):
                totals = data
            else:
                rows.append(data)
        return rows, totals or _empty_totals()
    return _sla_figures_windowed(group, start, end)


def _empty_totals() -> dict:
    data = {"tickets": 0, "key": None, "label": None}
    for target in TARGETS:
        data |= {
            f"{target}_met": 0,
            f"{target}_breached": 0,
            f"{target}_percentiles": [None] * len(PERCENTILES),
        }
    return data


def _sla_figures_windowed(
    group: Grouping, start: datetime, end: datetime
) -> tuple[list[dict], dict]:
    in_range = (Ticket.created_at >= start, Ticket.created_at < end)
    aggregate = (
        _joined(sa.select(group.gid.label("gid"), *_count_columns()), group)
        .where(*in_range)
        .group_by(group.gid)
        .subquery("aggregate")
    )
    rows = [dict(r) for r in db.session.execute(_named(aggregate, group)).mappings()]
    totals = dict(
        db.session.execute(sa.select(*_count_columns()).where(*in_range)).mappings().one()
    )
    totals["tickets"] = totals["tickets"] or 0
    for target in TARGETS:
        totals[f"{target}_met"] = totals[f"{target}_met"] or 0
        totals[f"{target}_breached"] = totals[f"{target}_breached"] or 0
        minutes = getattr(Ticket, f"{target}_minutes")
        by_gid = _windowed_percentiles(minutes, group, in_range)
        for row in rows:
            row[f"{target}_percentiles"] = by_gid.get(row["gid"], [None] * len(PERCENTILES))
        totals[f"{target}_percentiles"] = _windowed_percentiles(minutes, None, in_range).get(
            None, [None] * len(PERCENTILES)
        )
    return rows, totals


def _windowed_percentiles(minutes, group: Grouping | None, in_range) -> dict:
    """{gid: [value per PERCENTILES]} from window functions: SQL returns only the
    neighbouring ranks each percentile needs (at most two per percentile and group)."""
    gid = group.gid if group is not None else sa.null()
    partition = {"partition_by": group.gid} if group is not None else {}
    ranked = (
        _joined(
            sa.select(
                gid.label("gid"),
                minutes.label("value"),
                sa.func.row_number().over(order_by=minutes, **partition).label("rank"),
                sa.func.count().over(**partition).label("n"),
            ),
            group,
        )
        .where(*in_range, minutes.is_not(None))
        .subquery()
    )
    wanted = []
    for p in PERCENTILES:
        lower = sa.cast((ranked.c.n - 1) * p, sa.Integer)  # floor: the position is >= 0
        wanted += [ranked.c.rank - 1 == lower, ranked.c.rank - 2 == lower]
    values: dict = {}
    counts: dict = {}
    for row in db.session.execute(
        sa.select(ranked.c.gid, ranked.c.n, ranked.c.rank, ranked.c.value).where(sa.or_(*wanted))
    ):
        values.setdefault(row.gid, {})[row.rank] = row.value
        counts[row.gid] = row.n
    return {k: [interpolate(values[k], counts[k], p) for p in PERCENTILES] for k in values}


def interpolate(by_rank: dict[int, float], n: int, p: float) -> float:
    """percentile_cont's formula on the 1-based ranks around position p * (n - 1)."""
    position = p * (n - 1)
    lower, upper = math.floor(position), math.ceil(position)
    low, high = by_rank[lower + 1], by_rank[upper + 1]
    return low + (high - low) * (position - lower)


# --- backlog and trend -------------------------------------------------------------------


def backlog_counts(bounds: list[datetime], group_by: str | None) -> list[dict]:
    """Open tickets per (group, age bucket): bucket i holds tickets created after
    ``bounds[i]`` (bounds run from the newest cut-off back), the last one the rest."""
    bucket = sa.case(
        *[(Ticket.created_at > bound, index) for index, bound in enumerate(bounds)],
        else_=len(bounds),
    ).label("bucket")
    open_only = Ticket.status.in_(OPEN_STATUSES)
    if not group_by:
        query = (
            sa.select(bucket, sa.func.count().label("tickets")).where(open_only).group_by(bucket)
        )
        return [dict(r) for r in db.session.execute(query).mappings()]
    group = grouping(group_by)
    aggregate = (
        _joined(sa.select(group.gid.label("gid"), bucket, sa.func.count().label("tickets")), group)
        .where(open_only)
        .group_by(group.gid, bucket)
        .subquery("aggregate")
    )
    return [dict(r) for r in db.session.execute(_named(aggregate, group)).mappings()]


def week_start(column) -> sa.ColumnElement:
    """The Monday (Asia/Kolkata) of the week a UTC timestamp falls in, as a date or text."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(
            sa.func.date_trunc("week", sa.func.timezone("Asia/Kolkata", column)), sa.Date
        )
    # SQLite stores naive UTC text; India keeps +05:30 all year (no daylight saving).
    return sa.func.date(column, "+330 minutes", "weekday 0", "-6 days")


def trend_counts(start: datetime, end: datetime) -> tuple[list[dict], list[dict]]:
    """(created per week with met/breached counts, resolved per week) in [start, end)."""
    week = week_start(Ticket.created_at).label("week")
    created = (
        sa.select(week, *_count_columns())
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(week)
    )
    resolved_week = week_start(Ticket.resolved_at).label("week")
    resolved = (
        sa.select(resolved_week, sa.func.count().label("resolved"))
        .where(Ticket.resolved_at >= start, Ticket.resolved_at < end)
        .group_by(resolved_week)
    )
    return (
        [dict(r) for r in db.session.execute(created).mappings()],
        [dict(r) for r in db.session.execute(resolved).mappings()],
    )
