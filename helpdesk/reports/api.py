"""API: SLA and call-centre reports (managers and admins)."""

from flask import Response, jsonify, request

from helpdesk.api import api_v1
from helpdesk.api.spec import endpoint
from helpdesk.errors import ValidationFailed
from helpdesk.reports import call_report, csv_export, services
from helpdesk.reports.queries import GROUP_KEYS

REPORT_ROLES = ("manager", "admin")
GROUPS = "|".join(GROUP_KEYS)
SLA_QUERY = {
    "from": "first day, YYYY-MM-DD (Asia/Kolkata), on the tickets' creation; default 29 days before 'to'",
    "to": "last day included, YYYY-MM-DD (Asia/Kolkata); default today",
    "group_by": f"{GROUPS} (default state)",
    "format": "json (default) or csv; 'Accept: text/csv' also answers CSV",
}


def wants_csv() -> bool:
    fmt = request.args.get("format")
    if fmt not in (None, "", "json", "csv"):
        raise ValidationFailed("Invalid report parameters.", {"format": "must be json or csv"})
    if fmt:
        return fmt == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@api_v1.get("/reports/sla")
@endpoint(summary="SLA compliance per group", query=SLA_QUERY, roles=REPORT_ROLES, tag="reports")
def get_sla_report():
    """Tickets created on the Asia/Kolkata days from..to (inclusive), per group:
    `{"rows": [{"key", "label", "tickets", "first_response": {"met", "breached", "open",
    "median_minutes", "p90_minutes", "compliance_percent"}, "resolution": {...}}],
    "totals": {...}, "from", "to", "group_by"}`. Minutes are business minutes (pauses
    excluded) over the tickets that reached the target, late ones included; percentiles
    as PostgreSQL's percentile_cont (linear interpolation), one decimal. `breached`: the
    breach was recorded; `met`: reached without a breach; `open`: neither yet. Rows with
    no assignee/mentor have key null. CSV cells that a spreadsheet would read as a
    formula start with a single quote."""
    as_csv = wants_csv()
    report = services.sla_report(services.parse_range(request.args))
    if as_csv:
        return Response(
            csv_export.sla_report_csv(report),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{csv_export.filename(report)}"'
            },
        )
    return jsonify(report)


@api_v1.get("/reports/backlog")
@endpoint(
    summary="Open tickets by age",
    query={"group_by": f"optional: {GROUPS}"},
    roles=REPORT_ROLES,
    tag="reports",
)
def get_backlog_report():
    """Open tickets (new, open, pending, escalated) by wall-clock age since creation, in
    the buckets 0-4h, 4-24h, 1-3d, 3-7d, >7d: `{"as_of", "group_by", "buckets": [labels],
    "rows": [{"key", "label", "total", "buckets": {label: n}}], "totals": {"total",
    "buckets"}}`; `rows` is empty without group_by."""
    return jsonify(services.backlog_report(services.parse_group(request.args.get("group_by"))))


@api_v1.get("/reports/trend")
@endpoint(
    summary="Weekly created, resolved and SLA compliance",
    query={"weeks": "1 to 104, default 12"},
    roles=REPORT_ROLES,
    tag="reports",
)
def get_trend_report():
    """The last `weeks` Asia/Kolkata weeks (Monday first, the current week included):
    `{"weeks": [{"week_start", "created", "resolved", "first_response_compliance_percent",
    "resolution_compliance_percent"}]}`. `resolved` counts tickets whose resolution fell in
    that week (still resolved); compliance is that of the week's new tickets, met /
    (met + breached) × 100, null when none is decided."""
    return jsonify(services.trend_report(services.parse_weeks(request.args.get("weeks"))))


@api_v1.get("/reports/calls")
@endpoint(
    summary="Call-centre figures per day, hour of the day or agent",
    query={
        "from": "first day, YYYY-MM-DD (Asia/Kolkata), on the calls' start; default 29 days "
        "before 'to'",
        "to": "last day included, YYYY-MM-DD (Asia/Kolkata); default today",
        "group_by": "day|hour|agent (default day)",
        "format": "json (default) or csv; 'Accept: text/csv' also answers CSV",
    },
    roles=REPORT_ROLES,
    tag="reports",
)
def get_call_report():
    """Inbound calls that started ringing on the Asia/Kolkata days from..to (inclusive):
    `{"rows": [{"key", "label", "offered", "answered", "abandoned",
    "answered_within_threshold", "service_level", "average_handle_seconds",
    "first_contact_resolution"}], "totals": {<the same figures>}, "from", "to", "group_by",
    "threshold_seconds"}`. `offered`: inbound calls; `answered`: answered by an agent;
    `abandoned`: hung up before an answer (a call still ringing is neither);
    `answered_within_threshold`: answered at most `CALL_ANSWER_THRESHOLD_S` seconds
    (default 20, echoed as `threshold_seconds`) after it started ringing; `service_level`:
    answered_within_threshold / offered, a fraction 0-1; `average_handle_seconds`: answer
    to hangup, over answered calls that ended; `first_contact_resolution`: the fraction of
    answered calls whose ticket is resolved (not reopened) with no later inbound call
    logged on that ticket and no later public reply from the requester's side on it (by
    SMS, e-mail or the portal). Fractions have 4 decimals, seconds one; each is null when
    its denominator is 0. Rows: `day` every day of the range (key `YYYY-MM-DD`), `hour`
    every hour 0-23 (key the hour as a number, label `HH:00`), `agent` each agent who
    answered calls (key e-mail, label name), most answered first, then the calls nobody
    answered (key null, label `Not answered`). Every call falls in exactly one row. CSV:
    the same columns and a `Total` line; cells a spreadsheet would read as a formula start
    with a single quote."""
    as_csv = wants_csv()
    report = call_report.call_report(call_report.parse_range(request.args))
    if as_csv:
        return Response(
            csv_export.call_report_csv(report),
            mimetype="text/csv",
            headers={
                "Content-Disposition": "attachment; "
                f'filename="{csv_export.call_report_filename(report)}"'
            },
        )
    return jsonify(report)
