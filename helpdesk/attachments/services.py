"""Attaching files to tickets, and who may see them.

Rules: whoever may see a ticket may attach to it and fetch its files (BRC staff too);
another block's ticket is a 404. A file sent with an internal note is as internal as the
note: BRC staff never see it, nor learn its name from the audit trail. The type is decided
from the bytes (``detection``); a file over MAX_ATTACHMENT_MB is a 413 and leaves nothing.
"""

import time
import unicodedata
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.attachments import detection, storage, thumbnails
from helpdesk.attachments.models import Attachment
from helpdesk.errors import Conflict, DomainError, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.services import record_event
from helpdesk.tickets.unit_of_work import unit_of_work
from helpdesk.timeutil import utcnow

#: files one reply or new ticket may carry
MAX_FILES = 5


class FileTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedFile(DomainError):
    status = 415
    code = "unsupported_media_type"


def max_mb() -> int:
    return current_app.config["MAX_ATTACHMENT_MB"]


def max_bytes() -> int:
    return max_mb() * 1024 * 1024


def too_large_message() -> str:
    return f"The file is larger than {max_mb()} MB."


def attach_upload(
    ticket: Ticket,
    uploader: User,
    upload: FileStorage,
    *,
    message: Message | None = None,
    now: datetime | None = None,
) -> Attachment:
    """Store ``upload`` and attach it to ``ticket`` (to ``message`` if given), audited as a
    ticket event, in one unit of work (joining the caller's): the file is written first and
    deleted again if the transaction does not commit."""
    if ticket.status == "closed":
        raise Conflict("This ticket is closed; raise a new ticket instead.")
    if message is not None and message.ticket is not ticket:
        raise ValidationFailed("No such message on this ticket.", {"message": "not found"})
    now = now or utcnow()
    name = clean_filename(upload.filename or "")
    with unit_of_work():
        try:
            stored = storage.save_stream(upload.stream, max_bytes())
        except storage.TooLarge:
            raise FileTooLarge(
                too_large_message(), {"file": f"{name} is larger than {max_mb()} MB."}
            ) from None
        if stored.size == 0:
            raise ValidationFailed("The file is empty.", {"file": f"{name} is empty."})
        content_type = detection.detect(stored.path, name)
        if content_type is None:
            raise UnsupportedFile(
                f"This kind of file cannot be attached. Send {detection.ACCEPTED_WORDS}.",
                {"file": f"{name}: this kind of file cannot be attached."},
            )
        may_have_files(ticket)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            uploaded_by=uploader,
            filename=with_extension(name, content_type),
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            created_at=now,
        )
        if thumbnails.can_preview(content_type):
            _add_thumbnail(attachment)
        db.session.add(attachment)
        internal = message is not None and message.internal
        record_event(
            ticket,
            uploader,
            "attachment",
            "internal" if internal else None,
            attachment.filename,
            at=now,
        )
        ticket.updated_at = now
    return attachment


def attach_uploads(
    ticket: Ticket, uploader: User, uploads: list[FileStorage], *, message: Message | None = None
) -> list[Attachment]:
    """The files of a form (empty file inputs skipped), all or none."""
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(f"Send at most {MAX_FILES} files at once.", {"file": "too many"})
    with unit_of_work():
        return [attach_upload(ticket, uploader, u, message=message) for u in uploads]


def _add_thumbnail(attachment: Attachment) -> None:
    target = storage.thumbnail_path_for(attachment.storage_key)
    storage.note_written(target)
    made = thumbnails.make_thumbnail(storage.path_for(attachment.storage_key), target)
    if made is not None:
        attachment.thumbnail_type = made.content_type
        attachment.thumbnail_width, attachment.thumbnail_height = made.width, made.height


def message_for_upload(ticket: Ticket, viewer: User, message_id: str | None) -> Message | None:
    """The message an upload names (a form field, so text): one of this ticket's that the
    uploader may see; anything else is a 422 that reveals nothing about internal notes."""
    if not message_id:
        return None
    is_id = message_id.isdigit() and len(message_id) < 10  # beyond: no such id, no overflow
    found = db.session.get(Message, int(message_id)) if is_id else None
    if (
        found is None
        or found.ticket_id != ticket.id
        or (found.internal and not access.may_write_internal_notes(viewer))
    ):
        raise ValidationFailed("No such message on this ticket.", {"message": "not found"})
    return found


_OPENED_WITHOUT_FILES_KEY = "attachments_opened_without_files"


def note_opened_without_files(ticket, **kwargs) -> None:
    """A ticket just opened has no files: serialising it needs no query (the API answer
    and the console's live event of every new ticket would each ask). Kept by object:
    the ticket gets its id only at the commit's flush."""
    db.session.info.setdefault(_OPENED_WITHOUT_FILES_KEY, {})[id(ticket)] = ticket


def may_have_files(ticket) -> None:
    """``ticket`` is getting files in this session: its list must be queried again."""
    db.session.info.get(_OPENED_WITHOUT_FILES_KEY, {}).pop(id(ticket), None)


def forget_opened_without_files(_sender=None, **kwargs) -> None:
    """After a rollback the tickets noted were never written."""
    db.session.info.pop(_OPENED_WITHOUT_FILES_KEY, None)


def opened_without_files() -> set[int]:
    """Ids of the tickets opened in this session that have been given no file since."""
    noted = db.session.info.get(_OPENED_WITHOUT_FILES_KEY, {})
    return {t.id for t in noted.values() if t.id is not None}


def visible_attachments(tickets: list[Ticket], viewer: User | None) -> list[Attachment]:
    """The attachments of ``tickets`` that ``viewer`` may see, oldest first (``viewer``
    None: what every viewer of the tickets may see, i.e. no internal ones)."""
    if not tickets:
        return []
    query = (
        sa.select(Attachment)
        .outerjoin(Message, Attachment.message_id == Message.id)
        .where(Attachment.ticket_id.in_([t.id for t in tickets]))
        .options(selectinload(Attachment.message), selectinload(Attachment.uploaded_by))
        .order_by(Attachment.id)
    )
    if viewer is None or not access.may_write_internal_notes(viewer):
        query = query.where(sa.or_(Attachment.message_id.is_(None), Message.internal.is_(False)))
    return list(db.session.scalars(query))


def attachment_or_404(viewer: User, attachment_id: int) -> Attachment:
    """Another block's file, an internal note's file for BRC staff, or none: 404 alike."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("No such attachment.")
    try:
        access.visible_ticket_or_404(viewer, attachment.ticket_id)
    except NotFound:
        raise NotFound("No such attachment.") from None
    if attachment.internal and not access.may_write_internal_notes(viewer):
        raise NotFound("No such attachment.")
    return attachment


def clean_filename(raw: str) -> str:
    """The sender's file name without folders, control characters or odd Unicode forms;
    never used on disk, only shown and offered as the download name."""
    name = PureWindowsPath(PurePosixPath(raw).name).name  # phones send "C:\\...\\x.jpg" too
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:200] or "file"


def with_extension(name: str, content_type: str) -> str:
    """``ledger.jpg`` holding a PDF downloads as ``ledger.pdf``: the name follows the bytes."""
    wanted = detection.EXTENSIONS[content_type]
    stem, dot, extension = name.rpartition(".")
    if dot and f".{extension.lower()}" in _SYNONYMS.get(wanted, {wanted}):
        return name
    return f"{stem if dot and stem else name}{wanted}"


_SYNONYMS = {
    ".jpg": {".jpg", ".jpeg", ".jfif"},
    ".heic": {".heic", ".heif"},
    ".heif": {".heic", ".heif"},
    ".txt": {".txt", ".text", ".log"},
}


def sweep_orphans(older_than_s: float = 24 * 3600) -> int:
    """Delete files that no attachment row names, written more than ``older_than_s`` ago:
    what a process killed between writing a file and committing its row left behind (a
    rolled-back transaction deletes its own). Younger files may belong to an upload still
    committing. Returns how many files went."""
    cutoff, removed = time.time() - older_than_s, 0
    if not storage.root().is_dir():
        return 0
    for folder in sorted(p for p in storage.root().iterdir() if p.is_dir() and len(p.name) == 2):
        old = {}
        for path in folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    old[path] = path.name.removesuffix(storage.THUMBNAIL_SUFFIX)
            except FileNotFoundError:
                continue
        if not old:
            continue
        kept = set(
            db.session.scalars(
                sa.select(Attachment.storage_key).where(
                    Attachment.storage_key.in_(set(old.values()))
                )
            )
        )
        for path, key in old.items():
            if key not in kept:
                storage.delete(path)
                removed += 1
    return removed
