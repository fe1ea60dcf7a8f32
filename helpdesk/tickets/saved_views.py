"""Saved queue views: a name for a set of queue filters and a sort.

Anyone who works the queue keeps personal views; managers and admins may share a view
with everyone who works the queue. A view only remembers filters: opening it runs the
queue with them, so it never shows a ticket the reader may not see.
"""

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.errors import Forbidden, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.tickets.models import SavedView
from helpdesk.tickets.queries import parse_sort
from helpdesk.validation import strip_invisible

#: the queue filters a view may hold (tickets.routes.QUEUE_FILTERS)
VIEW_FILTERS = ("status", "priority", "category", "state", "block", "assignee", "q", "triage")
SHARING_ROLES = ("manager", "admin")
QUEUE_ROLES = ("agent", "mentor", "manager", "admin")
MAX_VIEWS = 50


def views_for(user: User) -> list[SavedView]:
    """The user's own views, then those shared by others, each by name."""
    return list(
        db.session.scalars(
            sa.select(SavedView)
            .where(sa.or_(SavedView.owner_id == user.id, SavedView.shared.is_(True)))
            .order_by((SavedView.owner_id != user.id), sa.func.lower(SavedView.name))
        )
    )


def save_view(user: User, name: str, filters: dict, sort: str, *, shared: bool) -> SavedView:
    """Save (or overwrite, by name) one of the user's views. Unknown filter names are
    dropped; a bad sort or name is a ValidationFailed; only managers and admins share."""
    if user.role not in QUEUE_ROLES:
        raise Forbidden(N_("Only those who work the queue save views."))
    if shared and user.role not in SHARING_ROLES:
        raise Forbidden(
            N_("Only managers and admins share views."), {"shared": N_("not for your role")}
        )
    name = strip_invisible(name or "")
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 80:
        errors["name"] = N_("1 to 80 characters")
    try:
        sort = parse_sort(sort)
    except ValidationFailed as exc:
        errors |= exc.fields
    if errors:
        raise ValidationFailed(N_("The view has invalid fields."), errors)
    kept = {
        k: str(v)[:200] for k, v in filters.items() if k in VIEW_FILTERS and v not in (None, "")
    }
    view = db.session.scalar(
        sa.select(SavedView).where(SavedView.owner_id == user.id, SavedView.name == name)
    )
    if view is None:
        count = db.session.scalar(
            sa.select(sa.func.count(SavedView.id)).where(SavedView.owner_id == user.id)
        )
        if count >= MAX_VIEWS:
            raise ValidationFailed(N_("Too many views."), {"name": f"at most {MAX_VIEWS} views"})
        view = SavedView(owner=user, name=name)
        db.session.add(view)
    view.filters, view.sort, view.shared = kept, sort, shared
    db.session.commit()
    return view


def delete_view(user: User, view_id: int) -> None:
    """The owner (or an admin) deletes a view; anyone else: not found."""
    view = db.session.get(SavedView, view_id)
    if view is None or (view.owner_id != user.id and user.role != "admin"):
        raise NotFound(N_("No such view."))
    db.session.delete(view)
    db.session.commit()
