"""Enterprises: recording them, finding them, and who may see which.

Who sees what, as with tickets: the call-centre side (agent, manager, admin) every
enterprise; mentors those of their states; BRC staff their own block's only. An
enterprise someone may not see does not exist for them (404).
"""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.contacts.models import Contact
from helpdesk.contacts.services import find_or_create_contact
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.schemas import EnterpriseCreate
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_
from helpdesk.tickets.models import Ticket


def enterprise_by_code(code: str) -> Enterprise | None:
    return db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code.strip()))


def enterprise_visibility(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause selecting exactly the enterprises ``user`` may see."""
    if user.role in STAFF_ROLES:
        return sa.true()
    if user.role == "brc":
        return Enterprise.block_id == user.block_id if user.block_id else sa.false()
    if user.role == "mentor":
        return Enterprise.block_id.in_(
            sa.select(Block.id)
            .join(District, Block.district_id == District.id)
            .join(State, District.state_id == State.id)
            .where(State.code.in_(user.states or []))
        )
    return sa.false()


def visible_enterprise_or_404(user: User, code: str) -> Enterprise:
    enterprise = db.session.scalar(
        sa.select(Enterprise).where(Enterprise.code == code.strip(), enterprise_visibility(user))
    )
    if enterprise is None:
        raise NotFound(N_("No such enterprise."))
    return enterprise


def create_enterprise(data: EnterpriseCreate, actor: User) -> Enterprise:
    """Record an enterprise from the MIS; its owner becomes (or is) a contact of its block.
    A code already on file is a 409; an unknown block a 422. Commits."""
    access.require_role(actor, *STAFF_ROLES)
    block = db.session.scalar(sa.select(Block).where(Block.code == data.block))
    if block is None:
        raise ValidationFailed(
            N_("The enterprise has invalid fields."), {"block": N_("unknown block")}
        )
    if enterprise_by_code(data.code) is not None:
        raise Conflict(
            N_("An enterprise with this code is on file."), {"code": N_("already on file")}
        )
    try:
        owner = find_or_create_contact(data.owner.name, data.owner.phone, block, confirmed=True)
        enterprise = Enterprise(
            code=data.code,
            name=data.name,
            activity=data.activity,
            block=block,
            owner=owner,
        )
        db.session.add(enterprise)
        db.session.commit()
    except IntegrityError as exc:  # the same code recorded by someone else just now
        db.session.rollback()
        raise Conflict(
            N_("An enterprise with this code is on file."), {"code": N_("already on file")}
        ) from exc
    except BaseException:
        db.session.rollback()
        raise
    return enterprise


def filtered_enterprises(viewer: User, *, block: str | None, q: str | None) -> sa.Select:
    """The enterprises ``viewer`` may see, of ``block`` (a code) and matching ``q`` (in
    the code, name, activity, or the owner's name or number), by name."""
    query = (
        sa.select(Enterprise)
        .join(Contact, Enterprise.owner_id == Contact.id)
        .where(enterprise_visibility(viewer))
        .options(joinedload(Enterprise.owner), joinedload(Enterprise.block))
    )
    if block:
        query = query.where(Enterprise.block_id.in_(sa.select(Block.id).where(Block.code == block)))
    if q and q.strip():
        pattern = f"%{_escape_like(q.strip().lower())}%"
        digits = "".join(ch for ch in q if ch in "0123456789")
        matches = [
            sa.func.lower(Enterprise.code).like(pattern, escape="\\"),
            sa.func.lower(Enterprise.name).like(pattern, escape="\\"),
            sa.func.lower(Enterprise.activity).like(pattern, escape="\\"),
            sa.func.lower(Contact.name).like(pattern, escape="\\"),
        ]
        if len(digits) >= 4:
            # Any written form of a number: its last ten digits are in the E.164 one.
            matches.append(Contact.phone.like(f"%{digits[-10:]}%"))
        query = query.where(sa.or_(*matches))
    return query.order_by(Enterprise.name, Enterprise.id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_enterprises(
    viewer: User, *, block: str | None, q: str | None, page: int, per_page: int
) -> tuple[list[Enterprise], int]:
    query = filtered_enterprises(viewer, block=block, q=q)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return items, total or 0


def enterprises_of_contact(contact: Contact | None) -> list[Enterprise]:
    """The enterprises a caller runs, in the caller's block (the ticket page offers them)."""
    if contact is None:
        return []
    owners = [contact.id]
    if contact.phone:
        owners = sa.select(Contact.id).where(Contact.phone == contact.phone)
    return list(
        db.session.scalars(
            sa.select(Enterprise)
            .where(Enterprise.owner_id.in_(owners), Enterprise.block_id == contact.block_id)
            .order_by(Enterprise.name)
        )
    )


def tickets_of(enterprise: Enterprise, viewer: User, *, limit: int = 200) -> list[Ticket]:
    """The enterprise's tickets ``viewer`` may see, newest first."""
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(Ticket.enterprise_id == enterprise.id, access.ticket_visibility(viewer))
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
    )
