from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from helpdesk.timeutil import UTCDateTime, utcnow


class Attachment(db.Model):
    """A file attached to a ticket, or to one message of its thread.

    Linked by ``ticket_id`` and ``message_id`` only: merging tickets moves an attachment by
    changing those. An attachment of an internal note is as internal as the note.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    #: the reply or note it was sent with; None: attached to the ticket itself
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the name to show and download as (the sender's, cleaned; its extension fits the type)
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: decided from the bytes, never from the name or the browser's word
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: the random name the file is stored under in ATTACHMENTS_DIR (never the sender's name)
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: the small preview of an image (WebP or JPEG); None: no preview (not an image, or HEIC
    #: without a decoder)
    thumbnail_type: Mapped[str | None] = mapped_column(sa.String(20))
    thumbnail_width: Mapped[int | None]
    thumbnail_height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    message: Mapped[Message | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def internal(self) -> bool:
        return self.message is not None and self.message.internal

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def shown_inline(self) -> bool:
        """Images and PDFs open in the browser; everything else is downloaded."""
        return self.is_image or self.content_type == "application/pdf"
