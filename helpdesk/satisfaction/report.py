"""The CSAT report: ratings per agent, category, state or block, counted by the database.

Rules:

- A report covers the ratings *given* on the Asia/Kolkata days ``from`` to ``to``, both
  included (default: the last 30 days, today included), whenever the ticket was opened.
- Per group: ``responses`` (ratings), ``average`` (mean rating, two decimals; None with
  no rating) and ``distribution`` (how many of each rating, "1" to "5").
- ``agent`` is the ticket's assignee (``null`` key: nobody held it); ``state`` and
  ``block`` the ticket's (``null``: never triaged into a block).
- ``weeks``: responses and average per Asia/Kolkata week (Monday first) of the range.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.reports.queries import EMPTY_LABELS, grouping, week_start
from helpdesk.reports.services import ReportRange, parse_range
from helpdesk.satisfaction.models import RATINGS, SatisfactionRating
from helpdesk.tickets.models import Ticket

CSAT_GROUPS = ("agent", "category", "state", "block")
DEFAULT_GROUP = "agent"


def parse_csat_range(args, *, now: datetime | None = None) -> ReportRange:
    """``from``, ``to`` as every report reads them (``reports.services.parse_range``) and
    ``group_by`` among CSAT_GROUPS; ValidationFailed naming each bad one."""
    return parse_range(args, groups=CSAT_GROUPS, default_group=DEFAULT_GROUP, now=now)


def _figures() -> list[sa.ColumnElement]:
    rating = SatisfactionRating.rating
    return [
        sa.func.count(rating).label("responses"),
        sa.func.avg(rating).label("average"),
        *(sa.func.sum(sa.case((rating == k, 1), else_=0)).label(f"r{k}") for k in RATINGS),
    ]


def _rated(query: sa.Select, report: ReportRange) -> sa.Select:
    return (
        query.select_from(SatisfactionRating)
        .join(Ticket, Ticket.id == SatisfactionRating.ticket_id)
        .where(
            SatisfactionRating.created_at >= report.start,
            SatisfactionRating.created_at < report.end,
        )
    )


def _shaped(row, key=None, label=None) -> dict:
    responses = int(row["responses"] or 0)
    average = row["average"]
    return {
        "key": key,
        "label": label,
        "responses": responses,
        "average": None if average is None or not responses else round(float(average), 2),
        "distribution": {str(k): int(row[f"r{k}"] or 0) for k in RATINGS},
    }


def csat_report(report: ReportRange) -> dict:
    """``{"from", "to", "group_by", "rows": [{"key", "label", "responses", "average",
    "distribution"}], "totals": {...}, "weeks": [{"week_start", "responses", "average"}]}``;
    rows most responses first."""
    group = grouping(report.group_by)
    query = _rated(sa.select(group.gid.label("gid"), *_figures()), report)
    for target, onclause in group.joins:
        query = query.outerjoin(target, onclause)
    aggregate = query.group_by(group.gid).subquery("aggregate")
    key, label, joins = group.lookup(aggregate.c.gid)
    named = sa.select(key.label("key"), label.label("label"), aggregate).select_from(aggregate)
    for target, onclause in joins:
        named = named.outerjoin(target, onclause)
    rows = []
    for row in db.session.execute(named).mappings():
        empty = EMPTY_LABELS.get(report.group_by, "None")
        rows.append(_shaped(row, row["key"], empty if row["key"] is None else str(row["label"])))
    rows.sort(key=lambda r: (-r["responses"], r["key"] is None, str(r["key"])))
    totals = db.session.execute(_rated(sa.select(*_figures()), report)).mappings().one()
    return {
        "from": report.first_day.isoformat(),
        "to": report.last_day.isoformat(),
        "group_by": report.group_by,
        "rows": rows,
        "totals": _shaped(totals) | {"key": None, "label": "Total"},
        "weeks": _weeks(report),
    }


def _weeks(report: ReportRange) -> list[dict]:
    week = week_start(SatisfactionRating.created_at).label("week")
    found = {
        str(row["week"])[:10]: row
        for row in db.session.execute(
            _rated(sa.select(week, *_figures()), report).group_by(week)
        ).mappings()
    }
    monday = report.first_day - timedelta(days=report.first_day.weekday())
    out = []
    while monday <= report.last_day:
        row = found.get(monday.isoformat())
        figures = _shaped(row) if row else {"responses": 0, "average": None}
        out.append(
            {
                "week_start": monday.isoformat(),
                "responses": figures["responses"],
                "average": figures["average"],
            }
        )
        monday += timedelta(weeks=1)
    return out
