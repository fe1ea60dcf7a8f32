"""How attachments join the ticket: its API answer, its page, its reply form, and the
clean-up of files whose transaction failed. Connected once by ``create_app``."""

from helpdesk import signals
from helpdesk.attachments import services, storage
from helpdesk.attachments.routes import upload_field_context
from helpdesk.attachments.serializers import attachment_to_dict


def attachments_of_tickets(_sender, *, tickets, viewer, **kwargs) -> dict:
    """``"attachments"`` on every ticket the API returns, one query per batch."""
    found: dict[int, dict] = {t.id: {"attachments": []} for t in tickets}
    for attachment in services.visible_attachments(tickets, viewer):
        found[attachment.ticket_id]["attachments"].append(attachment_to_dict(attachment))
    return found


def upload_field(_ticket, *, viewer, **kwargs) -> dict:
    """The ticket page's reply form offers a file field (the camera on a phone)."""
    return {"attachment_field": upload_field_context()}


def files_of_reply(ticket, *, message, viewer, files, **kwargs) -> None:
    """The files sent with a reply or note belong to that message (and so are internal
    with a note)."""
    services.attach_uploads(ticket, viewer, files.getlist("file"), message=message)


def connect_signals() -> None:
    signals.ticket_serialized.connect(attachments_of_tickets)
    signals.ticket_page.connect(upload_field)
    signals.reply_posted.connect(files_of_reply)
    signals.unit_of_work_rolled_back.connect(storage.forget_written)
    signals.unit_of_work_committed.connect(storage.keep_written)
