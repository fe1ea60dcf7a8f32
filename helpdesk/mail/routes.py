"""The signed ticket link in mentors' mail, and the mail status shown in a ticket's thread."""

import sqlalchemy as sa
from flask import Blueprint, redirect, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.mail import links
from helpdesk.mail.models import EmailMessage
from helpdesk.templating import render_error_page

bp = Blueprint("mail", __name__)


@bp.get("/mail/t/<token>")
@login_required
def ticket_link(token: str):
    """After sign-in, the ticket the link was made for, for the person it was sent to."""
    try:
        ticket_id, user_id = links.read_ticket_link(token)
    except links.LinkExpired:
        return render_error_page(
            410, gettext("This link has expired. Open the ticket from the helpdesk instead.")
        )
    except links.LinkInvalid:
        return render_error_page(404, gettext("This link is not valid."))
    if user_id != current_user.id:
        return render_error_page(404, gettext("This link was sent to someone else."))
    return redirect(url_for("tickets.show", ticket_id=ticket_id))


@bp.app_context_processor
def mail_status() -> dict:
    """``mail_deliveries(ticket)`` for the thread: message id → its outgoing mail, so the
    call-centre side sees a reply that could not be delivered."""

    def mail_deliveries(ticket) -> dict:
        if not current_user.is_authenticated or current_user.role == "brc":
            return {}
        rows = db.session.scalars(
            sa.select(EmailMessage).where(
                EmailMessage.ticket_id == ticket.id,
                EmailMessage.direction == "out",
                EmailMessage.message_id.is_not(None),
            )
        ).all()
        return {row.message_id: row for row in rows}

    return {"mail_deliveries": mail_deliveries}
