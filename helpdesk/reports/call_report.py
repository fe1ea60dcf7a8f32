"""Call-centre figures for managers: calls offered, answered and abandoned, service level,
handle time and first-contact resolution, per day, hour of the day or agent.

Rules (the SQL is in ``call_queries``):

- The report covers inbound calls that started ringing on the Asia/Kolkata days ``from``
  to ``to``, both included (default: the last 30 days), as the SLA report's range parser
  reads them; days and hours are Asia/Kolkata.
- ``offered``: inbound calls; ``answered``: answered by an agent; ``abandoned``: hung up
  before an answer (calls still ringing are neither).
- ``service_level`` = answered within ``CALL_ANSWER_THRESHOLD_S`` seconds of ringing /
  offered, a fraction 0-1 (4 decimals), None with no call offered.
- ``average_handle_seconds``: answer to hangup over the answered calls that ended, one
  decimal, None when there are none.
- ``first_contact_resolution``: the share of answered calls whose ticket was resolved with
  no later call or reply from the requester on it (see ``call_queries``), 4 decimals, None
  with no answered call.
- group_by ``day`` lists every day of the range and ``hour`` every hour 0-23, with zeros
  where nothing rang; ``agent`` lists the agents who answered calls, most calls first, then
  the calls nobody answered (key None).
- ``totals`` are the same figures over the whole range: every call is in exactly one row,
  so the sums of the rows' counts are the totals' counts.
"""

from datetime import date, timedelta

from flask import current_app

from helpdesk.i18n import N_
from helpdesk.reports import call_queries, services
from helpdesk.reports.call_queries import FIGURES, GROUP_KEYS
from helpdesk.reports.services import ReportRange

DEFAULT_GROUP = "day"
DEFAULT_THRESHOLD_S = 20
#: the agent row of calls nobody answered (the page shows it translated)
NOT_ANSWERED = N_("Not answered")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: the figures a row shows, in the order of the CSV's columns
ROW_FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "answered_within_threshold",
    "service_level",
    "average_handle_seconds",
    "first_contact_resolution",
)


def parse_range(args) -> ReportRange:
    """``from``/``to`` as every report reads them (``services.parse_range``) and
    ``group_by`` among GROUP_KEYS; ValidationFailed naming each bad one."""
    return services.parse_range(args, groups=GROUP_KEYS, default_group=DEFAULT_GROUP)


def threshold_seconds() -> int:
    return int(current_app.config.get("CALL_ANSWER_THRESHOLD_S", DEFAULT_THRESHOLD_S))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(sums: dict) -> dict:
    """The contract's figures from a group's sums (see FIGURES)."""
    counts = {name: int(sums.get(name) or 0) for name in FIGURES}
    handled = counts["handled"]
    return {
        "offered": counts["offered"],
        "answered": counts["answered"],
        "abandoned": counts["abandoned"],
        "answered_within_threshold": counts["answered_within_threshold"],
        "service_level": _share(counts["answered_within_threshold"], counts["offered"]),
        "average_handle_seconds": (
            round(counts["handle_seconds"] / handled, 1) if handled else None
        ),
        "first_contact_resolution": _share(counts["first_contact_resolved"], counts["answered"]),
    }


def _day_key(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _rows(group_by: str, report: ReportRange, sums: list[dict]) -> list[dict]:
    if group_by == "day":
        by_day = {_day_key(row["gid"]): row for row in sums}
        days = (report.last_day - report.first_day).days + 1
        keys = [(report.first_day + timedelta(days=n)).isoformat() for n in range(days)]
        return [{"key": k, "label": k} | figures(by_day.get(k, {})) for k in keys]
    if group_by == "hour":
        by_hour = {int(row["gid"]): row for row in sums}
        return [{"key": h, "label": f"{h:02d}:00"} | figures(by_hour.get(h, {})) for h in range(24)]
    names = call_queries.agent_names([row["gid"] for row in sums if row["gid"] is not None])
    rows = []
    for row in sums:
        email, name = names.get(row["gid"], (None, NOT_ANSWERED))
        rows.append({"key": email, "label": name} | figures(row))
    rows.sort(key=lambda r: (r["key"] is None, -r["answered"], str(r["label"])))
    return rows


def call_report(report: ReportRange) -> dict:
    """The contract's call report: ``rows`` per group and ``totals``, with the range, the
    grouping and the service-level threshold it used."""
    threshold = threshold_seconds()
    sums = call_queries.call_figures(report.group_by, report.start, report.end, threshold)
    totals = {name: sum(int(row[name] or 0) for row in sums) for name in FIGURES}
    return {
        "from": report.first_day.isoformat(),
        "to": report.last_day.isoformat(),
        "group_by": report.group_by,
        "threshold_seconds": threshold,
        "rows": _rows(report.group_by, report, sums),
        "totals": figures(totals),
    }


def weekday_hour_heatmap(report: ReportRange) -> dict:
    """Calls offered per weekday (Monday first) and hour of the day, for the heat map:
    ``{"weekdays": [...], "hours": [0..23], "offered": [[n per hour] per weekday]}``."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for row in call_queries.offered_by_weekday_hour(report.start, report.end):
        grid[int(row["weekday"])][int(row["hour"])] = int(row["offered"])
    return {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "offered": grid}
