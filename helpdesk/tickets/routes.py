"""Web pages of the call-centre: the queue, "log a call", and the ticket page.

Views only parse, authorize, call the ticket services and render; every rule lives in
``services.py`` and ``agents/access.py``.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from helpdesk import signals
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES
from helpdesk.agents.services import assignable_users
from helpdesk.enterprises.services import enterprises_of_contact
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.geography.services import block_choices, states_with_blocks
from helpdesk.i18n import N_
from helpdesk.i18n.errors import error_message
from helpdesk.i18n.labels import status_label
from helpdesk.tickets import escalation, forms, merging, queries, saved_views, services
from helpdesk.tickets.assignment import claim as claim_ticket
from helpdesk.tickets.history import history_lines
from helpdesk.tickets.models import CHANNELS, OPEN_STATUSES, PRIORITIES, STATUSES, Ticket
from helpdesk.tickets.serializers import visible_events, visible_messages
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow
from helpdesk.validation import as_id

bp = Blueprint("tickets", __name__)

QUEUE_FILTERS = (
    "status",
    "priority",
    "category",
    "state",
    "block",
    "assignee",
    "q",
    "triage",
    "breached",
)
QUEUE_PAGE_SIZE = 50
SORT_CHOICES = (
    ("-number", _l("Newest first")),
    ("number", _l("Oldest first")),
    ("due", _l("SLA due (next to breach first)")),
    ("priority", _l("Priority (urgent first)")),
    ("-updated", _l("Recently changed")),
)


def queue_filters(args) -> tuple[queries.TicketFilters, dict[str, str]]:
    """The queue shows open work unless asked otherwise; ``status=any`` shows everything.
    ``values`` also carries the ``sort``, so links keep it."""
    values = {name: (args.get(name) or "").strip() for name in (*QUEUE_FILTERS, "sort")}
    if "status" not in args:
        values["status"] = "open"
    status = None if values["status"] in ("", "any") else values["status"]
    filters = queries.TicketFilters(
        **{name: values[name] or None for name in QUEUE_FILTERS if name != "status"},
        status=status,
    )
    return filters, values


def _bulk_choices() -> list[tuple[str, str]]:
    """The bulk actions the queue offers this user: (value, label)."""
    editable = access.EDITABLE_FIELDS.get(current_user.role, set())
    choices: list[tuple[str, str]] = []
    if "assignee" in editable:
        choices += [("assign:me", gettext("Assign to me")), ("assign:none", gettext("Unassign"))]
        choices += [
            (f"assign:{u.id}", gettext("Assign to %(name)s", name=u.name))
            for u in assignable_users()
        ]
    if "status" in editable:
        choices += [
            (f"status:{s}", gettext("Status: %(status)s", status=status_label(s)))
            for s in ("open", "pending", "resolved")
        ]
        choices.append(("status:closed", gettext("Close")))
    return choices


@bp.get("/tickets")
@login_required
def queue():
    if current_user.role == "brc":
        return redirect(url_for("portal.home"))
    filters, values = queue_filters(request.args)
    errors: dict[str, str] = {}
    try:
        page, per_page = queries.parse_paging(request.args.get("page"), None, QUEUE_PAGE_SIZE)
        sort = queries.parse_sort(values["sort"])
        result = queries.list_tickets(current_user, filters, page, per_page, sort)
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
        categories=queries.list_categories(retired=True),
        states=states_with_blocks(),
        blocks=block_choices(),
        pages=max(1, -(-result.total // result.per_page)),
        may_claim=current_user.role in STAFF_ROLES,
        open_statuses=OPEN_STATUSES,
        sort_choices=SORT_CHOICES,
        saved_views=saved_views.views_for(current_user),
        may_share=current_user.role in saved_views.SHARING_ROLES,
        bulk_choices=_bulk_choices(),
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
        editable=editable,
        quick_edit=bool(editable & {"status", "priority", "assignee"}),
        more_edit=bool(editable & {"category", "language"}),
        history=history_lines(visible_events(ticket, viewer)),
        caller_tickets=queries.caller_tickets(ticket, viewer),
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
        duplicates=merging.likely_duplicates(ticket, viewer),
        merged_here=merging.merged_here(ticket),
        owner_enterprises=(
            enterprises_of_contact(ticket.requester)
            if "enterprise" in editable and ticket.block is not None
            else []
        ),
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
    flash(_reply_sent_message(data), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#thread-end")


def _reply_sent_message(data) -> str:
    if data.status is None:
        return gettext("Internal note added.") if data.internal else gettext("Reply sent.")
    # English keeps the status lower-case mid-sentence; Hindi has no case.
    status = status_label(data.status).lower()
    if data.internal:
        return gettext("Internal note added and the ticket is %(status)s.", status=status)
    return gettext("Reply sent and the ticket is %(status)s.", status=status)


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


@bp.post("/tickets/<id:ticket_id>/merge")
@login_required
def merge(ticket_id: int):
    """The "Merge into KS-…" button of the likely-duplicates panel: this ticket goes into
    the one named by ``into``; the target's page opens after."""
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    _require_staff()
    target_id = as_id((request.form.get("into") or "").strip())
    try:
        if target_id is None:
            raise ValidationFailed(N_("Choose a ticket to merge into."), {"into": N_("required")})
        target = merging.merge_ticket(ticket, target_id, current_user)
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        flash(error_message(exc), "error")
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    flash(
        gettext("%(number)s merged into %(target)s.", number=ticket.number, target=target.number),
        "success",
    )
    return redirect(url_for("tickets.show", ticket_id=target.id))


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
