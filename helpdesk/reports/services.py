"""SLA reports for managers: compliance per group, open backlog by age, weekly trend.

Rules:

- A report covers the tickets *created* on the Asia/Kolkata calendar days ``from`` to
  ``to``, both included (default: the last 30 days, today included).
- Per target (first response, resolution) a ticket is ``breached`` when the breach was
  recorded (``sla_breached``), ``met`` when the target was reached (first public staff reply;
  resolved or closed) without a breach, and ``open`` otherwise (still running or paused).
- ``median_minutes`` and ``p90_minutes`` are business minutes (pauses excluded) over the
  tickets that reached the target, late ones included; the percentile definition is
  PostgreSQL's ``percentile_cont`` (see ``queries``), rounded to one decimal.
- ``compliance_percent`` is met / (met + breached) × 100, one decimal; None when no ticket
  is decided yet.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from helpdesk.errors import ValidationFailed
from helpdesk.i18n import N_
from helpdesk.i18n.labels import category_name
from helpdesk.reports import queries
from helpdesk.reports.queries import EMPTY_LABELS, GROUP_KEYS, PERCENTILES, TARGETS
from helpdesk.timeutil import IST, utcnow
from helpdesk.validation import EARLIEST_DAY, parse_day_range, parse_int

DEFAULT_DAYS = 30
DEFAULT_GROUP = "state"
DEFAULT_WEEKS = 12
MAX_WEEKS = 104
#: open-ticket age buckets (wall-clock time since creation): label, upper bound
BACKLOG_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("0-4h", timedelta(hours=4)),
    ("4-24h", timedelta(hours=24)),
    ("1-3d", timedelta(days=3)),
    ("3-7d", timedelta(days=7)),
    (">7d", None),
)


@dataclass(frozen=True)
class ReportRange:
    first_day: date
    last_day: date
    group_by: str

    @property
    def start(self) -> datetime:
        """The first day's midnight in Asia/Kolkata (aware)."""
        return datetime.combine(self.first_day, time(0), IST)

    @property
    def end(self) -> datetime:
        """Midnight after the last day in Asia/Kolkata: the range ends before it."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), IST)


def today_ist(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(IST).date()


def parse_range(
    args,
    *,
    groups: tuple[str, ...] = GROUP_KEYS,
    default_group: str = DEFAULT_GROUP,
    now: datetime | None = None,
) -> ReportRange:
    """``from``, ``to`` (YYYY-MM-DD, Asia/Kolkata days, inclusive, within the days
    ``validation.parse_day`` allows; default the last DEFAULT_DAYS days) and ``group_by``
    (one of ``groups``) from a request's arguments: every report's range (SLA, calls,
    satisfaction). ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    try:
        first, last = parse_day_range(args)
    except ValidationFailed as exc:
        errors, first, last = exc.fields, None, None
    group_by = args.get("group_by") or default_group
    if group_by not in groups:
        errors["group_by"] = "must be one of " + ", ".join(groups)
    if errors:
        raise ValidationFailed(N_("Invalid report parameters."), errors)
    if last is None:
        last = today_ist(now) if first is None else max(first, today_ist(now))
    if first is None:
        first = max(last - timedelta(days=DEFAULT_DAYS - 1), EARLIEST_DAY)
    return ReportRange(first, last, group_by)


def page_filters(args, parse) -> tuple[dict, dict, ReportRange]:
    """A report page's filters: the values as typed, their errors, and the range to show,
    which is ``parse(values)`` or, when a filter is bad, ``parse({})`` (the default range)
    so the page still shows figures under the form and its errors."""
    values = {name: (args.get(name) or "").strip() for name in ("from", "to", "group_by")}
    try:
        return values, {}, parse(values)
    except ValidationFailed as exc:
        return values, exc.fields, parse({})


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _compliance(met: int, breached: int) -> float | None:
    decided = met + breached
    return round(100.0 * met / decided, 1) if decided else None


def _figures(row: dict) -> dict:
    tickets = int(row.get("tickets") or 0)
    data: dict = {"tickets": tickets}
    for target in TARGETS:
        met = int(row.get(f"{target}_met") or 0)
        breached = int(row.get(f"{target}_breached") or 0)
        percentiles = row.get(f"{target}_percentiles") or [None] * len(PERCENTILES)
        data[target] = {
            "met": met,
            "breached": breached,
            "open": tickets - met - breached,
            "median_minutes": _rounded(percentiles[0]),
            "p90_minutes": _rounded(percentiles[1]),
            "compliance_percent": _compliance(met, breached),
        }
    return data


def _label(group_by: str, row: dict) -> str:
    if row["key"] is None:
        return EMPTY_LABELS.get(group_by, "None")
    return str(row["label"])


def sla_report(report: ReportRange) -> dict:
    """The contract's SLA report: ``rows`` (one per group, most tickets first) and
    ``totals``, with the range and grouping it covers."""
    rows, totals = queries.sla_figures(report.group_by, report.start, report.end)
    out_rows = [
        {"key": row["key"], "label": _label(report.group_by, row)} | _figures(row) for row in rows
    ]
    out_rows.sort(key=lambda r: (-r["tickets"], r["key"] is None, str(r["key"])))
    return {
        "from": report.first_day.isoformat(),
        "to": report.last_day.isoformat(),
        "group_by": report.group_by,
        "rows": out_rows,
        "totals": _figures(totals),
    }


def named_for_the_page(report: dict) -> dict:
    """A report grouped by category with each row labelled as pages name the category
    (``category_name``: on a Hindi page the Hindi name an admin gave it). Only pages use
    it: the API and the CSV keep the English name."""
    if report["group_by"] != "category":
        return report
    categories = queries.categories_by_slug([r["key"] for r in report["rows"] if r["key"]])
    rows = [
        row | {"label": category_name(categories[row["key"]])} if row["key"] in categories else row
        for row in report["rows"]
    ]
    return report | {"rows": rows}


def parse_group(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in GROUP_KEYS:
        raise ValidationFailed(
            N_("Invalid report parameters."),
            {"group_by": "must be one of " + ", ".join(GROUP_KEYS)},
        )
    return value


def backlog_report(group_by: str | None = None, *, now: datetime | None = None) -> dict:
    """Open tickets (new, open, pending, escalated) by wall-clock age since creation, in
    BACKLOG_BUCKETS; per group when ``group_by`` is given."""
    now = now or utcnow()
    labels = [label for label, _ in BACKLOG_BUCKETS]
    bounds = [now - limit for _, limit in BACKLOG_BUCKETS if limit is not None]
    groups: dict = {}
    totals = dict.fromkeys(labels, 0)
    for row in queries.backlog_counts(bounds, group_by):
        key = row.get("key")
        entry = groups.setdefault(
            key,
            {
                "key": key,
                "label": _label(group_by, row) if group_by else None,
                "buckets": dict.fromkeys(labels, 0),
            },
        )
        entry["buckets"][labels[row["bucket"]]] += row["tickets"]
        totals[labels[row["bucket"]]] += row["tickets"]
    rows = [g | {"total": sum(g["buckets"].values())} for g in groups.values()] if group_by else []
    rows.sort(key=lambda r: (-r["total"], r["key"] is None, str(r["key"])))
    return {
        "as_of": now.astimezone(IST).isoformat(),
        "group_by": group_by,
        "buckets": labels,
        "rows": rows,
        "totals": {"total": sum(totals.values()), "buckets": totals},
    }


def parse_weeks(value: str | None) -> int:
    return parse_int(value, "weeks", default=DEFAULT_WEEKS, minimum=1, maximum=MAX_WEEKS)


def trend_report(weeks: int = DEFAULT_WEEKS, *, now: datetime | None = None) -> dict:
    """The last ``weeks`` Asia/Kolkata weeks (Monday to Sunday, the current one included):
    tickets created and resolved each week, and the compliance of the week's new tickets."""
    this_monday = today_ist(now) - timedelta(days=today_ist(now).weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first_monday, time(0), IST)
    end = datetime.combine(this_monday + timedelta(weeks=1), time(0), IST)
    created, resolved = queries.trend_counts(start, end)
    created_by_week = {str(r["week"])[:10]: r for r in created}
    resolved_by_week = {str(r["week"])[:10]: r["resolved"] for r in resolved}
    out = []
    for index in range(weeks):
        monday = (first_monday + timedelta(weeks=index)).isoformat()
        row = created_by_week.get(monday, {})
        figures = _figures(row)
        out.append(
            {
                "week_start": monday,
                "created": figures["tickets"],
                "resolved": int(resolved_by_week.get(monday, 0)),
                "first_response_compliance_percent": figures["first_response"][
                    "compliance_percent"
                ],
                "resolution_compliance_percent": figures["resolution"]["compliance_percent"],
            }
        )
    return {"weeks": out}
