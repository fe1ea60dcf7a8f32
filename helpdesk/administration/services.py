"""Admin changes to blocks, categories and SLA settings, each written to the admin audit
with its old and new value in the same transaction. Only admins change; every function
checks so, whoever calls it (a page or the API).
"""

from datetime import date

import sqlalchemy as sa

from helpdesk.administration import audit
from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District
from helpdesk.geography.services import create_block, state_by_code
from helpdesk.i18n import N_
from helpdesk.sla import configuration
from helpdesk.sla.forms import slots_text
from helpdesk.sla.models import SlaCalendar, SlaHoliday, SlaPolicy
from helpdesk.tickets.models import Category
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow
from helpdesk.validation import strip_invisible

DOMAINS = ("enterprise", "convergence")
#: the longest English or Hindi name of a category (its columns hold 120 characters)
NAME_LENGTH = 120
#: the domains as pages name them (templates translate them with |t)
DOMAIN_NAMES = {"enterprise": N_("Enterprise"), "convergence": N_("Convergence")}


def _admin(actor: User) -> None:
    access.require_role(actor, "admin")


def _block_place(block: Block) -> str:
    return f"{block.district.name}, {block.district.state.code}"


# --- blocks ------------------------------------------------------------------------------


def add_block(actor: User, *, code: str, name: str, district: str, state: str) -> Block:
    _admin(actor)
    block = create_block(code=code, name=name, district=district, state=state, commit=False)
    audit.record(actor, "block", block.code, "created", None, f"{name} ({district}, {state})")
    db.session.commit()
    return block


def change_block(
    actor: User,
    block: Block,
    *,
    name: str | None = None,
    district: str | None = None,
    state: str | None = None,
) -> Block:
    """Rename a block and/or move it to another district (created on first use within
    its state). The block's code, tickets and staff stay."""
    _admin(actor)
    target_state = block.district.state
    if state and state != target_state.code:
        target_state = state_by_code(state)
        if target_state is None:
            raise ValidationFailed(
                N_("Unknown state."), {"state": N_("not an ISO 3166-2 code of India")}
            )
    with unit_of_work():
        if name and name != block.name:
            audit.record(actor, "block", block.code, "renamed", block.name, name)
            block.name = name
        wanted = district or block.district.name
        if wanted != block.district.name or target_state.id != block.district.state_id:
            old = _block_place(block)
            found = db.session.scalar(
                sa.select(District).where(
                    District.state_id == target_state.id, District.name == wanted
                )
            )
            block.district = found or District(state=target_state, name=wanted)
            db.session.flush()
            audit.record(actor, "block", block.code, "moved", old, _block_place(block))
    return block


# --- categories --------------------------------------------------------------------------


def _hindi_name(name_hi: str | None) -> str | None:
    """The Hindi name as stored: trimmed like every name; empty is None (Hindi pages then
    show the catalogue's translation of the English name)."""
    name_hi = strip_invisible(name_hi or "")
    if len(name_hi) > NAME_LENGTH:
        raise ValidationFailed(
            N_("The category has invalid fields."),
            {"name_hi": N_("at most 120 characters")},
        )
    return name_hi or None


def add_category(
    actor: User,
    *,
    slug: str,
    name: str,
    name_hi: str | None = None,
    description: str = "",
    domain: str = "enterprise",
) -> Category:
    _admin(actor)
    errors = {}
    if db.session.scalar(sa.select(Category.id).where(Category.slug == slug)):
        errors["slug"] = N_("already in use")
    if domain not in DOMAINS:
        errors["domain"] = N_("enterprise or convergence")
    if errors:
        raise ValidationFailed(N_("The category has invalid fields."), errors)
    name_hi = _hindi_name(name_hi)
    with unit_of_work():
        category = Category(
            slug=slug, name=name, name_hi=name_hi, description=description, domain=domain
        )
        db.session.add(category)
        audit.record(actor, "category", slug, "created", None, name)
        if name_hi:
            audit.record(actor, "category", slug, "renamed_in_hindi", None, name_hi)
    return category


def change_category(
    actor: User,
    category: Category,
    *,
    name: str | None = None,
    name_hi: str | None = None,
    description: str | None = None,
    retired: bool | None = None,
) -> Category:
    """Rename (in English and/or Hindi), describe, retire or restore a category. A retired
    one is not offered for new tickets; the tickets that have it keep it. ``name_hi``
    None leaves the Hindi name as it is; ``""`` removes it."""
    _admin(actor)
    hindi_given = name_hi is not None
    name_hi = _hindi_name(name_hi)
    with unit_of_work():
        if name and name != category.name:
            audit.record(actor, "category", category.slug, "renamed", category.name, name)
            category.name = name
        if hindi_given and name_hi != category.name_hi:
            audit.record(
                actor, "category", category.slug, "renamed_in_hindi", category.name_hi, name_hi
            )
            category.name_hi = name_hi
        if description is not None and description != category.description:
            audit.record(
                actor, "category", category.slug, "described", category.description, description
            )
            category.description = description
        if retired is not None and retired != category.retired:
            action = "retired" if retired else "restored"
            audit.record(
                actor,
                "category",
                category.slug,
                action,
                "retired" if category.retired else "in use",
                "retired" if retired else "in use",
            )
            category.retired = retired
    return category


# --- SLA calendars, policies and business-hours exceptions -------------------------------


def add_calendar(actor: User, name: str) -> SlaCalendar:
    _admin(actor)
    with unit_of_work():
        calendar = configuration.create_calendar(name)
        audit.record(actor, "sla_calendar", calendar.name, "created", None, calendar.name)
    return calendar


def rename_calendar(actor: User, calendar: SlaCalendar, name: str) -> None:
    _admin(actor)
    old = calendar.name
    if name == old:
        return
    with unit_of_work():
        configuration.rename_calendar(calendar, name)
        audit.record(actor, "sla_calendar", old, "renamed", old, calendar.name)


def delete_calendar(actor: User, calendar: SlaCalendar) -> None:
    _admin(actor)
    name = calendar.name
    with unit_of_work():
        configuration.delete_calendar(calendar)
        audit.record(actor, "sla_calendar", name, "deleted", name, None)


def delete_policy(actor: User, policy: SlaPolicy) -> int:
    """Delete a non-default policy; returns how many open tickets took another one."""
    _admin(actor)
    name = policy.name
    with unit_of_work():
        count = configuration.delete_policy(policy, now=utcnow())
        audit.record(actor, "sla_policy", name, "deleted", name, None)
    return count


def _exception_text(hours: list | None) -> str:
    return "closed" if not hours else slots_text(hours)


def add_hours_exception(
    actor: User, calendar: SlaCalendar, day: date, name: str, hours: list | None
) -> SlaHoliday:
    """A date closed (``hours`` None) or open at special hours in ``calendar``."""
    _admin(actor)
    with unit_of_work():
        exception = configuration.add_holiday(calendar.name, day, name, now=utcnow(), hours=hours)
        audit.record(
            actor,
            "hours_exception",
            f"{calendar.name} {day.isoformat()}",
            "created",
            None,
            _exception_text(hours) + (f" ({name})" if name else ""),
        )
    return exception


def remove_hours_exception(actor: User, exception: SlaHoliday) -> None:
    _admin(actor)
    key = f"{exception.calendar.name} {exception.day.isoformat()}"
    old = _exception_text(exception.hours)
    with unit_of_work():
        configuration.remove_holiday(exception, now=utcnow())
        audit.record(actor, "hours_exception", key, "deleted", old, None)
