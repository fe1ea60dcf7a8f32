"""Admin pages for SLA policies and business-hours calendars (``/admin/sla``).

Admins change policies, calendars and holidays; managers may look. Views parse the form
(``forms``), call ``configuration`` (the one place for the rules, which also recomputes
the open tickets a change affects) inside a unit of work, and render.
"""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext, ngettext
from flask_login import current_user, login_required

from helpdesk.administration import audit
from helpdesk.administration import services as admin
from helpdesk.agents import access
from helpdesk.errors import DomainError, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import State
from helpdesk.i18n import N_, translate
from helpdesk.i18n.errors import error_message
from helpdesk.i18n.labels import by_category_name, category_name
from helpdesk.sla import configuration, forms, policies
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy
from helpdesk.tickets.models import PRIORITIES, Category
from helpdesk.tickets.services import unit_of_work
from helpdesk.timeutil import utcnow

bp = Blueprint("sla_admin", __name__, url_prefix="/admin/sla")


def _may_view() -> None:
    access.require_role(current_user, "admin", "manager")


def _may_change() -> None:
    access.require_role(current_user, "admin")


def _get_or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound(N_("No such SLA setting."))
    return found


def _choices() -> dict:
    return {
        "priorities": PRIORITIES,
        "categories": [
            (c.slug, category_name(c))
            for c in by_category_name(db.session.scalars(sa.select(Category)))
        ],
        "states": [
            (s.code, s.name) for s in db.session.scalars(sa.select(State).order_by(State.name))
        ],
        "calendar_names": [c.name for c in configuration.list_calendars()],
        "weekdays": forms.WEEKDAYS,
        "slots_text": forms.slots_text,
        "is_default_policy": configuration.is_default_policy,
    }


def _index(calendar_errors=None, calendar_values=None, status=200):
    return render_template(
        "sla/index.html",
        policies=policies.list_policies(),
        calendars=configuration.list_calendars(),
        may_change=current_user.role == "admin",
        calendar_errors=calendar_errors or {},
        calendar_values=calendar_values or {},
        **_choices(),
    ), status


@bp.get("")
@login_required
def index():
    _may_view()
    return _index()


@bp.route("/policies/new", methods=["GET", "POST"])
@login_required
def new_policy():
    _may_change()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {"calendar": "default"}
    if request.method == "POST":
        data, errors = forms.policy_from_form(request.form, create=True)
        if data is not None:
            try:
                with unit_of_work():
                    policy = configuration.create_policy(data.model_dump())
                    audit.record(
                        current_user, "sla_policy", policy.name, "created", None, policy.priority
                    )
            except ValidationFailed as exc:
                errors = exc.fields
            else:
                flash(
                    gettext(
                        "Policy “%(name)s” added; it applies to tickets created from now on.",
                        name=policy.name,
                    ),
                    "success",
                )
                return redirect(url_for("sla_admin.index"))
    return render_template(
        "sla/policy.html", policy=None, values=values, errors=errors, **_choices()
    ), 422 if errors else 200


@bp.route("/policies/<id:policy_id>", methods=["GET", "POST"])
@login_required
def edit_policy(policy_id: int):
    _may_change()
    policy = _get_or_404(SlaPolicy, policy_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else policies.policy_to_dict(policy)
    if request.method == "POST":
        data, errors = forms.policy_from_form(request.form, create=False)
        if data is not None and configuration.calendar_named(data.calendar) is None:
            data, errors = None, {"calendar": N_("unknown calendar")}
        if data is not None:
            with unit_of_work():
                before = policies.policy_to_dict(policy)
                count = configuration.update_policy(policy, data.model_dump(), now=utcnow())
                for field, new in data.model_dump().items():
                    if before.get(field) != new:
                        audit.record(
                            current_user,
                            "sla_policy",
                            policy.name,
                            "changed",
                            f"{field}: {before.get(field)}",
                            f"{field}: {new}",
                        )
            flash(
                ngettext(
                    "Policy “%(name)s” saved; %(num)s open ticket recomputed.",
                    "Policy “%(name)s” saved; %(num)s open tickets recomputed.",
                    count,
                    name=policy.name,
                ),
                "success",
            )
            return redirect(url_for("sla_admin.index"))
    return render_template(
        "sla/policy.html", policy=policy, values=values, errors=errors, **_choices()
    ), 422 if errors else 200


@bp.post("/calendars/<id:calendar_id>")
@login_required
def edit_calendar(calendar_id: int):
    _may_change()
    calendar = _get_or_404(SlaCalendar, calendar_id)
    data, errors = forms.calendar_from_form(request.form)
    if data is not None:
        try:
            with unit_of_work():
                before = _calendar_text(calendar)
                count = configuration.update_calendar(calendar, now=utcnow(), **data.model_dump())
                if _calendar_text(calendar) != before:
                    audit.record(
                        current_user,
                        "sla_calendar",
                        calendar.name,
                        "hours",
                        before,
                        _calendar_text(calendar),
                    )
        except ValidationFailed as exc:
            errors = forms.calendar_errors_for_form(exc.fields)
        else:
            flash(
                ngettext(
                    "Calendar “%(name)s” saved; %(num)s open ticket recomputed.",
                    "Calendar “%(name)s” saved; %(num)s open tickets recomputed.",
                    count,
                    name=calendar.name,
                ),
                "success",
            )
            return redirect(url_for("sla_admin.index"))
    return _index({calendar.id: errors}, {calendar.id: request.form}, 422)


@bp.post("/calendars/<id:calendar_id>/holidays")
@login_required
def add_holiday(calendar_id: int):
    _may_change()
    calendar = _get_or_404(SlaCalendar, calendar_id)
    data, hours, errors = forms.holiday_from_form(request.form)
    if data is not None:
        try:
            admin.add_hours_exception(current_user, calendar, data.day, data.name, hours)
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            sentence = (
                gettext("%(day)s has special hours in “%(name)s”.")
                if hours
                else gettext("%(day)s is now a holiday in “%(name)s”.")
            )
            day = format_date(data.day, "d MMM y")
            flash(sentence % {"day": day, "name": calendar.name}, "success")
            return redirect(url_for("sla_admin.index"))
    return _index({calendar.id: errors}, {calendar.id: request.form}, 422)


@bp.post("/holidays/<id:holiday_id>/delete")
@login_required
def remove_holiday(holiday_id: int):
    _may_change()
    holiday = _get_or_404(SlaHoliday, holiday_id)
    day, name = holiday.day, holiday.calendar.name
    admin.remove_hours_exception(current_user, holiday)
    flash(
        gettext(
            "%(day)s has its usual hours again in “%(name)s”.",
            day=format_date(day, "d MMM y"),
            name=name,
        ),
        "success",
    )
    return redirect(url_for("sla_admin.index"))


def _calendar_text(calendar: SlaCalendar) -> str:
    """A calendar's week as a person reads it in the audit: "Mon 09:00-18:00; ..."."""
    days = [
        f"{forms.WEEKDAYS[int(day)][:3]} {forms.slots_text(slots)}"
        for day, slots in sorted(calendar.hours.items())
        if slots
    ]
    flags = [
        name
        for name, on in (
            ("India holidays", calendar.india_holidays),
            ("state holidays", calendar.state_holidays),
        )
        if on
    ]
    return "; ".join(days + flags)


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("sla_admin.index"))


def _refused(exc: DomainError):
    reasons = "; ".join(translate(why) for why in exc.fields.values())
    flash(error_message(exc) + (f" ({reasons})" if reasons else ""), "error")
    return redirect(url_for("sla_admin.index"))


@bp.post("/calendars")
@login_required
def new_calendar():
    _may_change()
    name = (request.form.get("name") or "").strip()
    try:
        admin.add_calendar(current_user, name)
    except DomainError as exc:
        return _refused(exc)
    return _done(gettext("Calendar “%(name)s” added with the default hours.", name=name))


@bp.post("/calendars/<id:calendar_id>/rename")
@login_required
def rename_calendar(calendar_id: int):
    _may_change()
    calendar = _get_or_404(SlaCalendar, calendar_id)
    name = (request.form.get("name") or "").strip()
    try:
        admin.rename_calendar(current_user, calendar, name)
    except DomainError as exc:
        return _refused(exc)
    return _done(gettext("Calendar renamed to “%(name)s”.", name=name))


@bp.post("/calendars/<id:calendar_id>/delete")
@login_required
def delete_calendar(calendar_id: int):
    _may_change()
    calendar = _get_or_404(SlaCalendar, calendar_id)
    name = calendar.name
    try:
        admin.delete_calendar(current_user, calendar)
    except DomainError as exc:
        return _refused(exc)
    return _done(gettext("Calendar “%(name)s” deleted.", name=name))


@bp.post("/policies/<id:policy_id>/delete")
@login_required
def delete_policy(policy_id: int):
    _may_change()
    policy = _get_or_404(SlaPolicy, policy_id)
    name = policy.name
    try:
        count = admin.delete_policy(current_user, policy)
    except DomainError as exc:
        return _refused(exc)
    return _done(
        ngettext(
            "Policy “%(name)s” deleted; %(num)s open ticket took another policy.",
            "Policy “%(name)s” deleted; %(num)s open tickets took another policy.",
            count,
            name=name,
        )
    )
