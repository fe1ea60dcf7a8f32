"""The SQL behind the call-centre figures: every count and sum is an aggregate computed by
the database, on SQLite and PostgreSQL alike (only the clock arithmetic differs).

Per inbound call started in the range, the statement derives:

- ``answered``: it has an answer time; ``abandoned``: it ended without one;
- ``within``: answered no later than the threshold after it started ringing;
- ``handled``/``handle_seconds``: answered and hung up; the seconds from answer to hangup
  (``calls.duration_seconds``, what the hangup recorded);
- ``first_contact``: answered, its ticket is resolved (``resolved_at`` set: a reopened
  ticket is not), and the requester did not come back on that ticket after it: no later
  inbound call logged on the ticket and no later public reply from the requester's side
  (the caller, by SMS, e-mail or the portal, or their BRC staff). That is recorded when
  it happens (``calls.followed_up_at``, see ``calls.follow_ups``), so the report reads
  one column of the call rather than searching the later calls and replies of each.
"""

from datetime import datetime

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.calls.models import Call
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

GROUP_KEYS = ("day", "hour", "agent")
#: the sums each group carries; the service derives the rates and averages from them
FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "answered_within_threshold",
    "handled",
    "handle_seconds",
    "first_contact_resolved",
)
TIMEZONE = "Asia/Kolkata"
#: PostgreSQL work_mem for the report's transaction: its hash tables stay in memory
REPORT_WORK_MEM = "64MB"


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def local_day(column) -> sa.ColumnElement:
    """The Asia/Kolkata calendar day of a UTC timestamp (a date on PostgreSQL, ISO text on
    SQLite, which stores naive UTC text; India keeps +05:30 all year)."""
    if _postgresql():
        return sa.cast(sa.func.timezone(TIMEZONE, column), sa.Date)
    return sa.func.date(column, "+330 minutes")


def local_hour(column) -> sa.ColumnElement:
    """The Asia/Kolkata hour of the day, 0-23."""
    if _postgresql():
        return sa.cast(sa.func.extract("hour", sa.func.timezone(TIMEZONE, column)), sa.Integer)
    return sa.cast(sa.func.strftime("%H", column, "+330 minutes"), sa.Integer)


def local_weekday(column) -> sa.ColumnElement:
    """The Asia/Kolkata day of the week, 0 = Monday ... 6 = Sunday."""
    if _postgresql():
        return (
            sa.cast(sa.func.extract("isodow", sa.func.timezone(TIMEZONE, column)), sa.Integer) - 1
        )
    return (sa.cast(sa.func.strftime("%w", column, "+330 minutes"), sa.Integer) + 6) % 7


def seconds_to_answer(call) -> sa.ColumnElement:
    """Seconds from ringing to answer (to the millisecond on SQLite, whose julian days
    carry rounding noise far below that)."""
    if _postgresql():
        return sa.func.extract("epoch", call.c.answered_at - call.c.started_at)
    return sa.func.round(
        (sa.func.julianday(call.c.answered_at) - sa.func.julianday(call.c.started_at)) * 86400.0,
        3,
    )


def _group_column(group_by: str, calls) -> sa.ColumnElement:
    if group_by == "day":
        return local_day(calls.c.started_at)
    if group_by == "hour":
        return local_hour(calls.c.started_at)
    if group_by == "agent":
        # A call the caller hung up on before the answer got through belongs to nobody.
        return sa.case((calls.c.answered_at.is_not(None), calls.c.answered_by_id))
    raise ValueError(f"unknown group_by {group_by!r}")


def _offered(start: datetime, end: datetime) -> sa.Subquery:
    """The inbound calls that started ringing in [start, end)."""
    return (
        sa.select(
            Call.id,
            Call.started_at,
            Call.answered_at,
            Call.ended_at,
            Call.answered_by_id,
            Call.ticket_id,
            Call.duration_seconds,
            Call.followed_up_at,
        )
        .where(Call.direction == "in", Call.started_at >= start, Call.started_at < end)
        .subquery("offered")
    )


def call_figures_statement(
    group_by: str, start: datetime, end: datetime, threshold_seconds: int
) -> sa.Select:
    """One row per group: ``gid`` and the sums named in FIGURES."""
    offered = _offered(start, end)
    answered = offered.c.answered_at.is_not(None)
    # Only resolved tickets are joined: a smaller hash than every ticket.
    resolved = (
        sa.select(Ticket.id).where(Ticket.resolved_at.is_not(None)).subquery("resolved_tickets")
    )
    first_contact = sa.and_(
        answered, resolved.c.id.is_not(None), offered.c.followed_up_at.is_(None)
    )

    def count(condition) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    handled = sa.and_(answered, offered.c.ended_at.is_not(None))
    gid = _group_column(group_by, offered).label("gid")
    return (
        sa.select(
            gid,
            sa.func.count().label("offered"),
            count(answered).label("answered"),
            count(sa.and_(~answered, offered.c.ended_at.is_not(None))).label("abandoned"),
            count(sa.and_(answered, seconds_to_answer(offered) <= threshold_seconds)).label(
                "answered_within_threshold"
            ),
            count(handled).label("handled"),
            sa.func.coalesce(
                sa.func.sum(sa.case((handled, offered.c.duration_seconds), else_=0)), 0
            ).label("handle_seconds"),
            count(first_contact).label("first_contact_resolved"),
        )
        .select_from(offered)
        .outerjoin(resolved, resolved.c.id == offered.c.ticket_id)
        .group_by(gid)
    )


def call_figures(
    group_by: str, start: datetime, end: datetime, threshold_seconds: int
) -> list[dict]:
    """The sums of FIGURES per group (``gid``: the day, the hour or the answering agent's
    user id, None for calls nobody answered); groups without calls are absent."""
    statement = call_figures_statement(group_by, start, end, threshold_seconds)
    if _postgresql():
        # psycopg prepares a statement it has run 5 times; PostgreSQL may then plan it once
        # for any range. A plan made for 30 days ran a 1-year range for minutes (measured
        # in bench/call_report.py): plan each report for its own range.
        db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
        db.session.execute(sa.text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    return [dict(row) for row in db.session.execute(statement).mappings()]


def offered_by_weekday_hour(start: datetime, end: datetime) -> list[dict]:
    """Inbound calls per (weekday 0 = Monday, hour 0-23), Asia/Kolkata, in [start, end)."""
    weekday = local_weekday(Call.started_at).label("weekday")
    hour = local_hour(Call.started_at).label("hour")
    statement = (
        sa.select(weekday, hour, sa.func.count().label("offered"))
        .where(Call.direction == "in", Call.started_at >= start, Call.started_at < end)
        .group_by(weekday, hour)
    )
    return [dict(row) for row in db.session.execute(statement).mappings()]


def agent_names(user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """{user id: (email, name)} of the answering agents."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.email, User.name).where(User.id.in_(user_ids))
    )
    return {row.id: (row.email, row.name) for row in rows}
