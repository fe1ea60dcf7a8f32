"""Who may see and change which ticket: the one place these rules live.

agent, manager, admin: every ticket. mentor: tickets escalated to them and tickets of their
states. brc: only their block's tickets. A ticket without a block (awaiting triage) is
staff's only. A ticket someone may not see does not exist for
them (404, never 403), so ticket numbers leak nothing.
"""

import sqlalchemy as sa

from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.errors import Forbidden, NotFound
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_
from helpdesk.tickets.models import Ticket

#: fields each role may change with PATCH on a ticket it can see
EDITABLE_FIELDS = {
    "agent": {"status", "priority", "category", "assignee", "language", "block"},
    "manager": {"status", "priority", "category", "assignee", "language", "block"},
    "admin": {"status", "priority", "category", "assignee", "language", "block"},
    "mentor": {"status", "category", "language"},
    "brc": set(),
}

#: who may see the people behind a phone number: the call-centre side, not BRC staff
CALLER_LOOKUP_ROLES = ("agent", "mentor", "manager", "admin")


def ticket_visibility(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause selecting exactly the tickets ``user`` may see."""
    if user.role in STAFF_ROLES:
        return sa.true()
    if user.role == "brc":
        return Ticket.block_id == user.block_id if user.block_id else sa.false()
    if user.role == "mentor":
        in_my_states = Ticket.block_id.in_(
            sa.select(Block.id)
            .join(District, Block.district_id == District.id)
            .join(State, District.state_id == State.id)
            .where(State.code.in_(user.states or []))
        )
        return sa.or_(Ticket.mentor_id == user.id, in_my_states)
    return sa.false()


def can_view(user: User, ticket: Ticket) -> bool:
    if user.role in STAFF_ROLES:
        return True
    if user.role == "brc":
        return user.block_id is not None and ticket.block_id == user.block_id
    if user.role == "mentor":
        in_my_states = ticket.block is not None and ticket.block.state.code in (user.states or [])
        return ticket.mentor_id == user.id or in_my_states
    return False


def may_open_ticket_in(user: User, block: Block) -> bool:
    """Mentors open tickets only in the blocks of their states: a ticket elsewhere would be
    one they cannot see. (BRC staff's tickets always go to their own block.)"""
    return user.role != "mentor" or block.state.code in (user.states or [])


def require_block_in_reach(user: User, block: Block) -> None:
    """403 naming ``block`` when ``user`` may not open tickets there. Blocks are no secret
    (everyone lists them), so this is a refusal of the action, not a 404."""
    if not may_open_ticket_in(user, block):
        raise Forbidden(
            "You may open tickets only in the blocks of your states.",
            {"block": "outside your states"},
        )


def visible_ticket_or_404(user: User, ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not can_view(user, ticket):
        raise NotFound(N_("No such ticket."))
    return ticket


def require_editable(user: User, fields: set[str]) -> None:
    refused = fields - EDITABLE_FIELDS.get(user.role, set())
    if refused:
        raise Forbidden(
            N_("Your role may not change these fields."),
            {name: "not allowed for your role" for name in sorted(refused)},
        )


def may_write_internal_notes(user: User) -> bool:
    return user.role != "brc"


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise Forbidden(N_("Your role may not do this."))


#: may write drafts (agents capture answers from tickets)
ARTICLE_AUTHOR_ROLES = ("agent", "mentor", "manager", "admin")
#: may review, edit anyone's article and publish
ARTICLE_EDITOR_ROLES = ("mentor", "manager", "admin")


def may_edit_article(user: User, article) -> bool:
    if user.role in ARTICLE_EDITOR_ROLES:
        return True
    return (
        user.role in ARTICLE_AUTHOR_ROLES
        and article.author_id == user.id
        and (article.status == "draft")
    )


def can_view_article(user: User, article) -> bool:
    return article.status == "published" or may_edit_article(user, article)
