"""Queue actions: bulk changes on the checked tickets, "Next ticket", saved views.

Views parse the form, call the ticket services (``bulk``, ``assignment``,
``saved_views``), flash what happened and go back to the queue.
"""

from flask import flash, redirect, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.i18n import N_, translate
from helpdesk.i18n.errors import error_message
from helpdesk.tickets import saved_views
from helpdesk.tickets.assignment import claim_next
from helpdesk.tickets.bulk import apply_to_tickets
from helpdesk.tickets.models import NUMBER_PREFIX
from helpdesk.tickets.routes import QUEUE_FILTERS, bp
from helpdesk.tickets.schemas import TicketUpdate
from helpdesk.validation import as_id, safe_redirect_path


def _back_to_queue():
    """The queue page the form was sent from (its filters kept), else the plain queue."""
    return redirect(safe_redirect_path(request.form.get("next")) or url_for("tickets.queue"))


def _change_from(action: str) -> TicketUpdate:
    """``assign:me|none|<id>`` or ``status:<status>`` → the change to apply."""
    kind, _, value = action.partition(":")
    if kind == "assign":
        if value == "me":
            return TicketUpdate(assignee=current_user.id)
        if value == "none":
            return TicketUpdate(assignee=None)
        user_id = as_id(value)
        if user_id is not None:
            return TicketUpdate(assignee=user_id)
    if kind == "status" and value:
        try:
            return TicketUpdate.model_validate({"status": value})
        except ValueError:
            pass
    raise ValidationFailed(N_("Choose an action."), {"action": N_("unknown action")})


@bp.post("/tickets/bulk")
@login_required
def bulk():
    """Apply one action to the checked tickets; each changes through the ticket service
    (one audit event per ticket), and those the user may not change are listed."""
    ids = [as_id(value) for value in request.form.getlist("ticket")]
    try:
        if any(i is None for i in ids):
            raise ValidationFailed(N_("Invalid ticket."), {"ticket": N_("not a ticket id")})
        result = apply_to_tickets(current_user, ids, _change_from(request.form.get("action", "")))
    except DomainError as exc:
        if exc.status == 403:
            raise
        flash(error_message(exc), "error")
        return _back_to_queue()
    done = len(result.changed)
    flash(ngettext("%(num)s ticket changed.", "%(num)s tickets changed.", done), "success")
    if result.unchanged:
        flash(gettext("%(num)s already as asked.", num=len(result.unchanged)), "info")
    for ticket_id, why in result.skipped.items():
        number = f"{NUMBER_PREFIX}{ticket_id:06d}"
        flash(
            gettext("%(number)s not changed: %(why)s", number=number, why=error_message(why)),
            "error",
        )
    return _back_to_queue()


@bp.post("/tickets/next")
@login_required
def next_ticket():
    """Claim the most urgent open unassigned ticket that fits the agent's languages."""
    access.require_role(current_user, *STAFF_ROLES)
    ticket = claim_next(current_user)
    if ticket is None:
        flash(gettext("No open unassigned ticket fits your languages right now."), "info")
        return _back_to_queue()
    flash(gettext("You hold %(number)s now.", number=ticket.number), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/tickets/views")
@login_required
def save_view():
    """Save the queue's current filters and sort under a name (shared: managers, admins)."""
    filters = {name: request.form.get(name, "").strip() for name in QUEUE_FILTERS}
    try:
        view = saved_views.save_view(
            current_user,
            request.form.get("name", ""),
            filters,
            request.form.get("sort", ""),
            shared=request.form.get("shared") == "on",
        )
    except DomainError as exc:
        if exc.status == 403 and not exc.fields:
            raise
        reasons = "; ".join(translate(why) for why in exc.fields.values())
        flash(f"{error_message(exc)} {reasons}".strip(), "error")
        return _back_to_queue()
    flash(gettext("View “%(name)s” saved.", name=view.name), "success")
    return redirect(url_for("tickets.queue", **view.filters, sort=view.sort))


@bp.post("/tickets/views/<id:view_id>/delete")
@login_required
def delete_view(view_id: int):
    saved_views.delete_view(current_user, view_id)
    flash(gettext("View deleted."), "success")
    return _back_to_queue()
