"""API of the live console: the notification tray and the queue's counters."""

import sqlalchemy as sa
from flask import g, jsonify, request
from pydantic import model_validator

from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.console import board, services
from helpdesk.console.models import Notification
from helpdesk.console.routes import CONSOLE_ROLES
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets.queries import parse_paging
from helpdesk.tickets.schemas import Strict
from helpdesk.validation import Id

TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


class NotificationsRead(Strict):
    """Either ``{"ids": [1, 2]}`` or ``{"all": true}``."""

    ids: list[Id] | None = None
    all: bool = False

    @model_validator(mode="after")
    def one_of_ids_or_all(self):
        if self.ids is None and not self.all:
            raise ValueError("send ids (a list of notification ids) or all: true")
        if self.ids is not None and len(self.ids) > 1000:
            raise ValueError("at most 1000 ids at a time")
        return self


@api_v1.get("/notifications")
@endpoint(
    summary="Your notifications, newest first",
    query={
        "unread": "true: only those not read yet",
        "page": "page number, from 1",
        "per_page": "items per page, 1 to 200 (default 20)",
    },
    tag="notifications",
)
def get_notifications():
    """Only the caller's own notifications; ``unread`` is the caller's unread count."""
    user = api_user()
    unread_only = (request.args.get("unread") or "").lower()
    if unread_only not in TRUE + FALSE:
        raise ValidationFailed("Invalid filter.", {"unread": "must be true or false"})
    page, per_page = parse_paging(request.args.get("page"), request.args.get("per_page"), 20)
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only in TRUE:
        query = query.where(Notification.read_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Notification.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return jsonify(
        {
            "items": [row.to_dict() for row in rows],
            "page": page,
            "per_page": per_page,
            "total": total,
            "unread": services.unread_count(user),
        }
    )


@api_v1.post("/notifications/read")
@endpoint(summary="Mark notifications read", body=NotificationsRead, tag="notifications")
def post_notifications_read():
    """Ids of notifications that are not yours are left alone; answers your unread count."""
    body: NotificationsRead = g.body
    unread = services.mark_read(api_user(), body.ids or [], everything=body.all)
    return jsonify({"unread": unread})


@api_v1.get("/console/counters")
@endpoint(
    summary="Open tickets you may see, per status and per priority",
    roles=CONSOLE_ROLES,
    tag="console",
)
def get_console_counters():
    return jsonify(board.counters(api_user()))
