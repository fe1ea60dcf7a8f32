"""The files of an incoming mail become ticket attachments, by the attachments service's
rules (type from the bytes, MAX_ATTACHMENT_MB, at most MAX_FILES at once).

Files are screened before anything is written, so a refused one (a program, a file too
large) never costs the mail its ticket or reply: the mail is taken, the file is named in
its text as not attached, and the sender's words are kept.
"""

import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.datastructures import FileStorage

from helpdesk.agents.models import User
from helpdesk.attachments import detection
from helpdesk.attachments.services import (
    MAX_FILES,
    attach_upload,
    clean_filename,
    max_bytes,
    max_mb,
)
from helpdesk.mail.parsing import Attachment as MailFile
from helpdesk.tickets.models import Message, Ticket


@dataclass
class Screened:
    accepted: list[MailFile] = field(default_factory=list)
    #: "name: why", for each file not attached
    refused: list[str] = field(default_factory=list)

    def note(self) -> str:
        """A line for the mail's text naming the files not attached ("" when none)."""
        if not self.refused:
            return ""
        return "(Not attached: " + "; ".join(self.refused) + ".)"


def screen(files: list[MailFile]) -> Screened:
    screened = Screened()
    for file in files:
        name = clean_filename(file.filename)
        if len(screened.accepted) >= MAX_FILES:
            screened.refused.append(f"{name}: more than {MAX_FILES} files in one mail")
        elif not file.data:
            screened.refused.append(f"{name}: empty")
        elif len(file.data) > max_bytes():
            screened.refused.append(f"{name}: larger than {max_mb()} MB")
        elif _kind(file.data, name) is None:
            screened.refused.append(f"{name}: this kind of file cannot be attached")
        else:
            screened.accepted.append(file)
    return screened


def _kind(data: bytes, name: str) -> str | None:
    with tempfile.NamedTemporaryFile() as probe:
        probe.write(data)
        probe.flush()
        return detection.detect(Path(probe.name), name)


def attach(
    ticket: Ticket, uploader: User | None, files: list[MailFile], message: Message | None
) -> None:
    """Attach screened files inside the caller's unit of work."""
    for file in files:
        upload = FileStorage(io.BytesIO(file.data), filename=file.filename)
        attach_upload(ticket, uploader, upload, message=message)
