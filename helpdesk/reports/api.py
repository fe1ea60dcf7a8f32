"""API: SLA reports (managers and admins)."""

from flask import Response, jsonify, request

from helpdesk.api import api_v1
from helpdesk.api.spec import endpoint
from helpdesk.errors import ValidationFailed
from helpdesk.reports import csv_export, services
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
