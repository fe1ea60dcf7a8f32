"""How attachments join the ticket: its API answer, its page, its reply form, a merge, and
the clean-up of files whose transaction failed. Connected once by ``create_app``."""

import sqlalchemy as sa

from helpdesk import signals
from helpdesk.attachments import services, storage
from helpdesk.attachments.models import Attachment
from helpdesk.attachments.routes import upload_field_context
from helpdesk.attachments.serializers import attachment_to_dict
from helpdesk.extensions import db


def attachments_of_tickets(_sender, *, tickets, viewer, **kwargs) -> dict:
    """``"attachments"`` on every ticket the API returns, one query per batch (none for
    tickets opened in this session and given no file since: their list is empty)."""
    found: dict[int, dict] = {t.id: {"attachments": []} for t in tickets}
    without_files = services.opened_without_files()
    queried = [t for t in tickets if t.id not in without_files]
    for attachment in services.visible_attachments(queried, viewer):
        found[attachment.ticket_id]["attachments"].append(attachment_to_dict(attachment))
    return found


def upload_field(_ticket, *, viewer, **kwargs) -> dict:
    """The ticket page's reply form offers a file field (the camera on a phone)."""
    return {"attachment_field": upload_field_context()}


def files_of_reply(ticket, *, message, viewer, files, **kwargs) -> None:
    """The files sent with a reply or note belong to that message (and so are internal
    with a note)."""
    services.attach_uploads(ticket, viewer, files.getlist("file"), message=message)


def move_to_merged_target(source, *, target, **kwargs) -> None:
    """A merged duplicate's files belong to the ticket it was merged into: those sent with
    its messages follow the messages (``message_id`` is unchanged), and those attached to
    the ticket itself show on the target. In the merge's transaction."""
    services.may_have_files(target)
    db.session.execute(
        sa.update(Attachment)
        .where(Attachment.ticket_id == source.id)
        .values(ticket_id=target.id)
        .execution_options(synchronize_session="fetch")
    )


def connect_signals() -> None:
    signals.ticket_created.connect(services.note_opened_without_files)
    signals.unit_of_work_rolled_back.connect(services.forget_opened_without_files)
    signals.ticket_serialized.connect(attachments_of_tickets)
    signals.ticket_page.connect(upload_field)
    signals.reply_posted.connect(files_of_reply)
    signals.tickets_merged.connect(move_to_merged_target)
    signals.unit_of_work_rolled_back.connect(storage.forget_written)
    signals.unit_of_work_committed.connect(storage.keep_written)
