"""Words for the values pages show: statuses, priorities, channels, roles, form fields.

The database and the API keep the English codes (``pending``, ``urgent``); pages show these
labels in the reader's language. ``lazy_gettext``: each is translated when it is shown.
"""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from helpdesk.i18n import translate

STATUSES = {
    "new": _l("New"),
    "open": _l("Open"),
    "pending": _l("Pending"),
    "escalated": _l("Escalated"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
PRIORITIES = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
CHANNELS = {
    "phone": _l("Phone"),
    "web": _l("Web"),
    "sms": _l("SMS"),
    "email": _l("E-mail"),
    "api": _l("API"),
}
ROLES = {
    "agent": _l("Call-centre agent"),
    "mentor": _l("Mentor"),
    "brc": _l("BRC staff"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}
#: the SLA targets, as the ticket's history and the SLA pages name them
SLA_TARGETS = {
    "first_response": _l("First response"),
    "next_response": _l("Next response"),
    "resolution": _l("Resolution"),
    "mentor_response": _l("Mentor response"),
}
#: what a ticket's history says changed
EVENT_FIELDS = {
    "status": _l("status"),
    "priority": _l("priority"),
    "category": _l("category"),
    "assignee": _l("assignee"),
    "language": _l("language"),
    "block": _l("block"),
    "mentor": _l("mentor"),
    "requester": _l("requester"),
    "channel": _l("channel"),
    "subject": _l("subject"),
    "enterprise": _l("enterprise"),
    "call": _l("call"),
    "sla_escalation": _l("SLA escalation"),
    "warning": _l("SLA warning"),
    "breached": _l("SLA breach"),
}
#: form fields by their name, for validation messages that name the field
FIELDS = {
    "subject": _l("Subject"),
    "description": _l("Description"),
    "category": _l("Category"),
    "priority": _l("Priority"),
    "channel": _l("Channel"),
    "language": _l("Language"),
    "block": _l("Block"),
    "requester_phone": _l("Phone number"),
    "requester_name": _l("Caller's name"),
    "body": _l("Message"),
    "reason": _l("Reason"),
    "mentor": _l("Mentor"),
    "status": _l("Status"),
    "assignee": _l("Assignee"),
    "title": _l("Title"),
    "answer": _l("Answer"),
    "tags": _l("Tags"),
    "name": _l("Name"),
    "name_hi": _l("Name in Hindi"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "password": _l("Password"),
    "password_confirm": _l("Password again"),
    "current_password": _l("Current password"),
    "role": _l("Role"),
    "languages": _l("Languages"),
    "skills": _l("Skills"),
    "states": _l("States"),
    "state": _l("State"),
    "ui_language": _l("Interface language"),
    "enterprise": _l("Enterprise"),
    "shared": _l("Shared"),
    "into": _l("Merge into"),
    "calendar": _l("Calendar"),
    "day": _l("Date"),
    "from": _l("From"),
    "to": _l("To"),
    "group_by": _l("Group by"),
    "first_response_minutes": _l("First response"),
    "next_response_minutes": _l("Next response"),
    "resolution_minutes": _l("Resolution"),
    "mentor_response_minutes": _l("Mentor response"),
    "code": _l("Code"),
    "district": _l("District"),
    "slug": _l("Short code"),
    "domain": _l("Domain"),
    "hours": _l("Special hours"),
    "rating": _l("Rating"),
    "comment": _l("Comment"),
}


def _label(table: dict, value) -> str:
    found = table.get(value)
    return str(found) if found is not None else translate(value or "—")


def status_label(value: str | None) -> str:
    return _label(STATUSES, value)


def priority_label(value: str | None) -> str:
    return _label(PRIORITIES, value)


def channel_label(value: str | None) -> str:
    return _label(CHANNELS, value)


def role_label(value: str | None) -> str:
    return _label(ROLES, value)


def category_name(category) -> str:
    """A category's name in the page's language: on a Hindi page the Hindi name its admin
    gave (``name_hi``), else the catalogue's translation of ``name`` (which knows the seeded
    categories); on an English page ``name``. ``category``: a Category, or a row with
    ``name`` and ``name_hi``."""
    if category is None:
        return ""
    if category.name_hi and str(get_locale()) == "hi":
        return category.name_hi
    return translate(category.name)


def by_category_name(categories) -> list:
    """``categories`` in the order of the names the page shows (``category_name``), so a
    Hindi picker reads in Hindi order rather than in the order of the English names."""
    return sorted(categories, key=lambda category: category_name(category).casefold())


def event_field_label(value: str | None) -> str:
    return _label(EVENT_FIELDS, value)


def sla_target_label(value: str | None) -> str:
    return _label(SLA_TARGETS, value)


def field_label(name: str) -> str:
    """A form field's label; an unknown field by its name (``hours_2``, ``tickets[3]``)."""
    return _label(FIELDS, name)
