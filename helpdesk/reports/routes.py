"""Manager pages: the SLA report and the call-centre figures with their charts (Chart.js,
served by the app)."""

from dataclasses import replace

from babel.dates import get_day_names
from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.reports import call_report, services
from helpdesk.reports.api import REPORT_ROLES
from helpdesk.reports.queries import GROUP_KEYS

bp = Blueprint("reports", __name__)
#: the report's groupings (labels shown in the page's language)

GROUP_NAMES = {
    "state": _l("State"),
    "district": _l("District"),
    "block": _l("Block"),
    "category": _l("Category"),
    "agent": _l("Agent (assignee)"),
    "mentor": _l("Mentor"),
    "channel": _l("Channel"),
    "language": _l("Language"),
    "priority": _l("Priority"),
}


@bp.get("/reports/sla")
@login_required
def sla():
    """Compliance table and charts for the chosen days and grouping; bad filters show the
    form again with their errors (422)."""
    access.require_role(current_user, *REPORT_ROLES)
    values, errors, report_range = services.page_filters(request.args, services.parse_range)
    report = services.named_for_the_page(services.sla_report(report_range))
    data = {
        "sla": report,
        "backlog": services.backlog_report(),
        "trend": services.trend_report(),
    }
    if not errors:
        values = {"from": report["from"], "to": report["to"], "group_by": report["group_by"]}
    return render_template(
        "reports/sla.html",
        report=report,
        data=data,
        values=values,
        errors=errors,
        groups=[(key, GROUP_NAMES[key]) for key in GROUP_KEYS],
        group_name=GROUP_NAMES[report["group_by"]],
    ), (422 if errors else 200)


CALL_GROUP_NAMES = {"day": _l("Day"), "hour": _l("Hour of the day"), "agent": _l("Agent")}


def weekday_names() -> list[str]:
    """Monday to Sunday, short, as the page's language writes them (the heat map's rows)."""
    names = get_day_names("abbreviated", locale=get_locale())
    return [names[day] for day in range(7)]


@bp.get("/reports/calls")
@login_required
def calls():
    """Call-centre figures: a table for the chosen days and grouping, calls by hour, a
    weekday × hour heat map and the service level by day; bad filters show the form again
    with their errors (422) over the default range."""
    access.require_role(current_user, *REPORT_ROLES)
    values, errors, report_range = services.page_filters(request.args, call_report.parse_range)
    report = call_report.call_report(report_range)
    by_day = report if report_range.group_by == "day" else None
    by_hour = report if report_range.group_by == "hour" else None
    data = {
        "by_day": by_day or call_report.call_report(replace(report_range, group_by="day")),
        "by_hour": by_hour or call_report.call_report(replace(report_range, group_by="hour")),
        "heatmap": call_report.weekday_hour_heatmap(report_range) | {"weekdays": weekday_names()},
    }
    if not errors:
        values = {"from": report["from"], "to": report["to"], "group_by": report["group_by"]}
    return render_template(
        "reports/calls.html",
        report=report,
        data=data,
        values=values,
        errors=errors,
        groups=list(CALL_GROUP_NAMES.items()),
        group_name=CALL_GROUP_NAMES[report["group_by"]],
    ), (422 if errors else 200)
