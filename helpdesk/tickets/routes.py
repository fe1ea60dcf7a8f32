"""Web pages of the call-centre: the queue, "log a call", and the ticket page.

Views only parse, authorize, call the ticket services and render; every rule lives in
``services.py`` and ``agents/access.py``.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk import signals
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES
from helpdesk.agents.services import assignable_users
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.geography.services import block_choices, states_with_blocks
from helpdesk.i18n.errors import error_message
from helpdesk.tickets import escalation, forms, queries, services
from helpdesk.tickets.assignment import claim as claim_ticket
from helpdesk.tickets.models import CHANNELS, OPEN_STATUSES, PRIORITIES, STATUSES, Ticket
from helpdesk.tickets.serializers import visible_events, visible_messages
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

bp = Blueprint("tickets", __name__)

QUEUE_FILTERS = ("status", "priority", "category", "state", "block", "assignee", "q", "triage")
QUEUE_PAGE_SIZE = 50


def queue_filters(args) -> tuple[queries.TicketFilters, dict[str, str]]:
    """The queue shows open work unless asked otherwise; ``status=any`` shows everything."""
    values = {name: (args.get(name) or "").strip() for name in QUEUE_FILTERS}
    if "status" not in args:
        values["status"] = "open"
    status = None if values["status"] in ("", "any") else values["status"]
    filters = queries.TicketFilters(
        **{name: values[name] or None for name in QUEUE_FILTERS if name != "status"},
        status=status,
    )
    return filters, values


@bp.get("/tickets")
@login_required
def queue():
    if current_user.role == "brc":
        return redirect(url_for("portal.home"))
    filters, values = queue_filters(request.args)
    errors: dict[str, str] = {}
    try:
        page, per_page = queries.parse_paging(request.args.get("page"), None, QUEUE_PAGE_SIZE)
        result = queries.list_tickets(current_user, filters, page, per_page)
        counts = queries.status_counts(current_user, filters)
        if current_user.role in STAFF_ROLES:
            counts["triage"] = queries.triage_count(current_user)
    except ValidationFailed as exc:
        errors = exc.fields
        result = queries.Page(items=[], page=1, per_page=QUEUE_PAGE_SIZE, total=0)
        counts = {}
    return render_template(
        "tickets/queue.html",
        page=result,
        counts=counts,
        values=values,
        errors=errors,
        statuses=STATUSES,
        priorities=PRIORITIES,
        categories=queries.list_categories(),
        states=states_with_blocks(),
        blocks=block_choices(),
        pages=max(1, -(-result.total // result.per_page)),
        may_claim=current_user.role in STAFF_ROLES,
        open_statuses=OPEN_STATUSES,
    ), (422 if errors else 200)


def _require_staff() -> None:
    access.require_role(current_user, *STAFF_ROLES)


def _render_new(values: dict, errors: dict[str, str], message: str | None = None, status=200):
    return render_template(
        "tickets/new.html",
        values=values,
        errors=errors,
        message=message,
        categories=queries.list_categories(),
        blocks=block_choices(),
        priorities=PRIORITIES,
        channels=CHANNELS,
    ), status


@bp.route("/tickets/new", methods=["GET", "POST"])
@login_required
def new():
    """Log a call: the agent types the caller's number first, the rest is prefilled."""
    if current_user.role == "brc":
        return redirect(url_for("portal.new"))
    _require_staff()
    if request.method == "GET":
        # ?phone= comes from a call's screen-pop: the form looks the caller up at once.
        prefill = {"requester_phone": request.args.get("phone", "")[:32]}
        return _render_new(
            {"channel": "phone", "priority": "normal", "language": "hi"} | prefill, {}
        )
    result = forms.create_ticket_from_form(
        request.form, current_user, with_block=True, with_requester=True, channel="phone"
    )
    if result.ticket is None:
        return _render_new(request.form.to_dict(), result.errors, result.message, result.status)
    ticket = result.ticket
    flash(gettext("Ticket %(number)s logged.", number=ticket.number), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


def render_ticket(
    ticket: Ticket,
    *,
    reply: dict | None = None,
    reply_errors=None,
    update_errors=None,
    escalate_values: dict | None = None,
    escalate_errors=None,
    message: str | None = None,
    status: int = 200,
):
    viewer = current_user
    editable = access.EDITABLE_FIELDS.get(viewer.role, set())
    may_escalate = (
        viewer.role in STAFF_ROLES
        and ticket.block is not None
        and "escalated" in services.TRANSITIONS[ticket.status]
    )
    next_statuses = sorted(
        s
        for s in services.TRANSITIONS[ticket.status]
        if s != "escalated" or ticket.mentor_id is not None
    )
    return render_template(
        "tickets/ticket.html",
        ticket=ticket,
        messages=visible_messages(ticket, viewer),
        events=visible_events(ticket, viewer),
        editable=editable,
        may_note=access.may_write_internal_notes(viewer),
        status_choices=[ticket.status, *next_statuses],
        priorities=PRIORITIES,
        categories=queries.list_categories() if "category" in editable else [],
        assignees=assignable_users() if "assignee" in editable else [],
        # A ticket awaiting triage (no block yet) gets a block picker.
        blocks=block_choices() if "block" in editable and ticket.block is None else [],
        reply=reply or {},
        reply_errors=reply_errors or {},
        update_errors=update_errors or {},
        may_claim=viewer.role in STAFF_ROLES and ticket.is_open and ticket.assignee_id is None,
        may_escalate=may_escalate,
        mentors=escalation.fitting_mentors(ticket) if may_escalate else [],
        escalate_values=escalate_values or {},
        escalate_errors=escalate_errors or {},
        message=message,
        open_statuses=OPEN_STATUSES,
        **_panels(ticket, viewer),
    ), status


def _panels(ticket: Ticket, viewer) -> dict:
    """What other features show on the ticket page (the knowledge panel...): each receiver
    of ``ticket-page`` returns its part of the template context."""
    context: dict = {}
    for _receiver, part in signals.ticket_page.send(ticket, viewer=viewer):
        context.update(part or {})
    return context


@bp.get("/tickets/<id:ticket_id>")
@login_required
def show(ticket_id: int):
    return render_ticket(access.visible_ticket_or_404(current_user, ticket_id))


@bp.post("/tickets/<id:ticket_id>/messages")
@login_required
def reply(ticket_id: int):
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    values = request.form.to_dict()
    files = [f for f in request.files.getlist("file") if f.filename]
    data, errors = forms.message_from_form(request.form, files=[f.filename for f in files])
    if errors:
        return render_ticket(
            ticket,
            reply=values,
            reply_errors=errors,
            message=gettext("The reply is empty."),
            status=422,
        )
    try:
        # The reply and what other features keep from the form (its files) commit together.
        with unit_of_work():
            message = services.add_message(ticket, current_user, data, channel="web")
            signals.reply_posted.send(
                ticket, message=message, viewer=current_user, files=request.files
            )
    except DomainError as exc:
        return render_ticket(
            ticket,
            reply=values,
            reply_errors=exc.fields,
            message=error_message(exc),
            status=exc.status,
        )
    flash(gettext("Internal note added.") if data.internal else gettext("Reply sent."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#thread-end")


@bp.post("/tickets/<id:ticket_id>/update")
@login_required
def update(ticket_id: int):
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    data, errors = forms.ticket_update_from_form(request.form)
    if errors:
        return render_ticket(
            ticket,
            update_errors=errors,
            message=gettext("The change has invalid fields."),
            status=422,
        )
    try:
        services.update_ticket(ticket, current_user, data)
    except DomainError as exc:
        return render_ticket(
            ticket, update_errors=exc.fields, message=error_message(exc), status=exc.status
        )
    flash(gettext("Ticket updated."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/tickets/<id:ticket_id>/claim")
@login_required
def claim(ticket_id: int):
    """The "Claim" button of the ticket page and of queue rows; opens the ticket after."""
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    try:
        claim_ticket(ticket, current_user)
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(error_message(exc), "error")
    else:
        flash(gettext("You hold %(number)s now.", number=ticket.number), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/tickets/<id:ticket_id>/escalate")
@login_required
def escalate(ticket_id: int):
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    _require_staff()
    values = request.form.to_dict()
    data, errors = forms.escalation_from_form(request.form)
    if errors:
        return render_ticket(
            ticket,
            escalate_values=values,
            escalate_errors=errors,
            message=gettext("The escalation has invalid fields."),
            status=422,
        )
    try:
        escalation.escalate(ticket, current_user, data)
    except DomainError as exc:
        return render_ticket(
            ticket,
            escalate_values=values,
            escalate_errors=exc.fields,
            message=error_message(exc),
            status=exc.status,
        )
    flash(gettext("Escalated to %(name)s.", name=ticket.mentor.name), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.get("/mentor")
@login_required
def mentor_queue():
    """A mentor's tickets escalated to them, open ones first by when the answer is due."""
    access.require_role(current_user, "mentor")
    try:
        page, per_page = queries.parse_paging(request.args.get("page"), None, QUEUE_PAGE_SIZE)
    except ValidationFailed:
        page, per_page = 1, QUEUE_PAGE_SIZE
    result = queries.escalated_to(current_user, page, per_page)
    return render_template(
        "tickets/mentor.html",
        page=result,
        now=utcnow(),
        open_statuses=OPEN_STATUSES,
        pages=max(1, -(-result.total // result.per_page)),
    )
