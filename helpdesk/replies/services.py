"""Canned responses: who keeps which, and filling one in for a ticket.

Shared responses are everyone's and kept by managers and admins; a personal one is its
author's alone (anyone else: 404). Call-centre staff and mentors use them; BRC staff,
who write from the requester's side, do not (403). A response is counted each time it
is put into a reply.
"""

import sqlalchemy as sa

from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.errors import Forbidden, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.languages import LANGUAGES
from helpdesk.replies.models import CannedResponse
from helpdesk.replies.schemas import ResponseIn, ResponseUpdate
from helpdesk.tickets.models import Category, Ticket
from helpdesk.timeutil import utcnow

#: who uses canned responses (and keeps personal ones)
RESPONSE_ROLES = ("agent", "mentor", "manager", "admin")
#: who keeps the shared ones
SHARED_EDITORS = ("manager", "admin")


def _visible(viewer: User) -> sa.ColumnElement[bool]:
    return sa.or_(CannedResponse.owner_id.is_(None), CannedResponse.owner_id == viewer.id)


def list_responses(
    viewer: User, *, language: str | None = None, q: str | None = None
) -> list[CannedResponse]:
    """Shared responses and the viewer's own, most used first; ``language`` (a tag) and
    ``q`` (words in the title or text) narrow them."""
    access.require_role(viewer, *RESPONSE_ROLES)
    query = sa.select(CannedResponse).where(_visible(viewer))
    if language:
        if language not in LANGUAGES:
            raise ValidationFailed(N_("Unknown language."), {"language": N_("unknown language")})
        query = query.where(CannedResponse.language == language)
    for word in (q or "").lower().split()[:8]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                sa.func.lower(CannedResponse.title).like(pattern, escape="\\"),
                sa.func.lower(CannedResponse.body).like(pattern, escape="\\"),
            )
        )
    order = (CannedResponse.usage_count.desc(), CannedResponse.title, CannedResponse.id)
    return list(db.session.scalars(query.order_by(*order)))


def response_or_404(viewer: User, response_id: int) -> CannedResponse:
    access.require_role(viewer, *RESPONSE_ROLES)
    response = db.session.get(CannedResponse, response_id)
    if response is None or not (response.shared or response.owner_id == viewer.id):
        raise NotFound(N_("No such response."))
    return response


def may_edit(viewer: User, response: CannedResponse) -> bool:
    if response.shared:
        return viewer.role in SHARED_EDITORS
    return response.owner_id == viewer.id


def _category(slug: str | None) -> Category | None:
    if slug is None:
        return None
    category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if category is None:
        raise ValidationFailed(
            N_("The response has invalid fields."), {"category": N_("unknown category")}
        )
    return category


def _require_may_share(viewer: User) -> None:
    if viewer.role not in SHARED_EDITORS:
        raise Forbidden(
            N_("Only managers and admins keep shared responses."),
            {"shared": N_("not for your role")},
        )


def create_response(viewer: User, data: ResponseIn) -> CannedResponse:
    access.require_role(viewer, *RESPONSE_ROLES)
    if data.shared:
        _require_may_share(viewer)
    response = CannedResponse(
        title=data.title,
        body=data.body,
        language=data.language,
        category=_category(data.category),
        owner=None if data.shared else viewer,
        usage_count=0,
    )
    db.session.add(response)
    db.session.commit()
    return response


def update_response(viewer: User, response: CannedResponse, data: ResponseUpdate) -> CannedResponse:
    sent = data.model_fields_set
    if not may_edit(viewer, response):
        raise Forbidden(N_("Only managers and admins change shared responses."))
    if "shared" in sent and data.shared != response.shared:
        _require_may_share(viewer)
    nulls = {
        f: N_("may not be null")
        for f in ("title", "body", "language", "shared")
        if f in sent and getattr(data, f) is None
    }
    if nulls:
        raise ValidationFailed(N_("The response has invalid fields."), nulls)
    category = _category(data.category) if "category" in sent else response.category
    for field in ("title", "body", "language"):
        if field in sent:
            setattr(response, field, getattr(data, field))
    response.category = category
    if "shared" in sent:
        response.owner = None if data.shared else viewer
    response.updated_at = utcnow()
    db.session.commit()
    return response


def delete_response(viewer: User, response: CannedResponse) -> None:
    if not may_edit(viewer, response):
        raise Forbidden(N_("Only managers and admins delete shared responses."))
    db.session.delete(response)
    db.session.commit()


def fill(response: CannedResponse, ticket: Ticket, author: User | None) -> str:
    """The response's text for ``ticket``: each placeholder replaced by its value (empty
    when the ticket has none); any other braces are left as written."""
    values = {
        "{requester_name}": ticket.requester.name if ticket.requester else "",
        "{ticket_number}": ticket.number,
        "{agent_name}": author.name if author else "",
        "{block_name}": ticket.block.name if ticket.block else "",
    }
    text = response.body
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def use_response(response: CannedResponse, ticket: Ticket, author: User | None) -> str:
    """Fill ``response`` in for ``ticket`` and count the use (in the caller's transaction;
    an atomic increment, so two agents at once both count)."""
    db.session.execute(
        sa.update(CannedResponse)
        .where(CannedResponse.id == response.id)
        .values(usage_count=CannedResponse.usage_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(response, ["usage_count"])
    return fill(response, ticket, author)


def fill_for_ticket(response: CannedResponse, ticket: Ticket, author: User) -> str:
    """The picker inserted ``response`` into a reply on ``ticket``: its text, the use
    counted and committed."""
    text = use_response(response, ticket, author)
    db.session.commit()
    return text
