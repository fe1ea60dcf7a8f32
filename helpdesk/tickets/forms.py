"""Web forms become the same pydantic models the API validates, so a rule holds everywhere.

Each ``*_from_form`` returns ``(model, {})`` or ``(None, errors)`` with errors keyed by the
form's field names, ready to show next to each field.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext
from pydantic import BaseModel, ValidationError

from helpdesk.errors import DomainError
from helpdesk.i18n import validation
from helpdesk.i18n.errors import error_message
from helpdesk.tickets import services
from helpdesk.tickets.escalation import EscalationIn
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import MessageCreate, TicketCreate, TicketUpdate
from helpdesk.validation import id_or_text

#: pydantic error location → the form field that shows it
FORM_FIELDS = {
    "requester.phone": "requester_phone",
    "requester.name": "requester_name",
    "requester": "requester_name",
}
TICKET_FIELDS = ("subject", "description", "category", "priority", "channel", "language")
UPDATE_FIELDS = ("status", "priority", "category", "assignee", "language", "block", "enterprise")


def _text(form: Mapping, name: str) -> str:
    return (form.get(name) or "").strip()


def form_errors(exc: ValidationError, form: Mapping) -> dict[str, str]:
    """Sentences in the page's language keyed by form field; an empty field simply reads
    "<field> is required"."""
    errors = validation.form_errors(exc, lambda loc: FORM_FIELDS.get(loc, loc))
    return {
        name: validation.required(name) if not _text(form, name) else message
        for name, message in errors.items()
    }


def _validate(model: type[BaseModel], data: dict, form: Mapping):
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, form_errors(exc, form)


def ticket_create_from_form(
    form: Mapping, *, with_block: bool, with_requester: bool, channel: str
) -> tuple[TicketCreate | None, dict[str, str]]:
    """Empty optional fields fall back to the schema's defaults."""
    data: dict = {name: _text(form, name) for name in TICKET_FIELDS}
    for name in ("priority", "channel", "language"):
        if not data[name]:
            del data[name]
    data.setdefault("channel", channel)
    if with_block:
        data["block"] = _text(form, "block") or None
    if _text(form, "enterprise"):  # optional: the MIS code of the enterprise it is about
        data["enterprise"] = _text(form, "enterprise")
    if with_requester:
        name, phone = _text(form, "requester_name"), _text(form, "requester_phone")
        if name or phone:
            data["requester"] = {"name": name, "phone": phone or None}
    model, errors = _validate(TicketCreate, data, form)
    if errors and with_block and not data["block"]:
        # create_ticket() would say so too, but only once the rest is valid: say it now.
        errors.setdefault("block", validation.required("block"))
    return model, errors


@dataclass
class TicketFormResult:
    ticket: Ticket | None
    errors: dict[str, str]
    message: str | None = None
    status: int = 200


def create_ticket_from_form(form: Mapping, user, **options) -> TicketFormResult:
    """Validate a log-a-call or raise-a-ticket form and create the ticket; on any error
    nothing is written and the result says what to show next to which field."""
    data, errors = ticket_create_from_form(form, **options)
    if errors:
        return TicketFormResult(None, errors, gettext("Please correct the marked fields."), 422)
    try:
        return TicketFormResult(services.create_ticket(data, user), {})
    except DomainError as exc:
        return TicketFormResult(None, exc.fields, error_message(exc), exc.status)


def message_from_form(
    form: Mapping, *, files: list[str] = ()
) -> tuple[MessageCreate | None, dict[str, str]]:
    """The reply box; its "Send and resolve" button sends ``status=resolved`` too.
    ``files``: the names of the files sent with the reply; a reply of files alone (a
    photo of a ledger) says so in its text."""
    body = _text(form, "body")
    if not body and files:
        body = "Sent " + ", ".join(files)
    data = {"body": body, "internal": form.get("internal") in ("on", "1", "true")}
    if _text(form, "status"):
        data["status"] = _text(form, "status")
    return _validate(MessageCreate, data, form)


def ticket_update_from_form(form: Mapping) -> tuple[TicketUpdate | None, dict[str, str]]:
    """Only the fields the form carried are sent, so a mentor's shorter form is not refused."""
    data: dict = {name: _text(form, name) for name in UPDATE_FIELDS if name in form}
    if "assignee" in data:
        data["assignee"] = id_or_text(data["assignee"])
    for name in ("status", "priority", "category", "language", "block"):
        if name in data and not data[name]:
            del data[name]  # "no change" rather than "set to nothing"
    if "enterprise" in data:
        data["enterprise"] = data["enterprise"] or None  # the "None" choice unlinks it
    return _validate(TicketUpdate, data, form)


def escalation_from_form(form: Mapping):
    """The ticket page's "Escalate" form: a mentor's id, or empty for "pick automatically",
    and the reason."""
    mentor = _text(form, "mentor")
    data = {
        "reason": _text(form, "reason"),
        "mentor": id_or_text(mentor),
    }
    return _validate(EscalationIn, data, form)
