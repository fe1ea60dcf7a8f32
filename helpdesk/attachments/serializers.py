"""Attachments as the contract returns them."""

from helpdesk.attachments.models import Attachment
from helpdesk.timeutil import isoformat

#: the one address of a file, for the API (bearer token) and the browser (session) alike
FILE_PATH = "/api/v1/attachments/{id}/file"
THUMBNAIL_PATH = "/api/v1/attachments/{id}/thumbnail"


def attachment_to_dict(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": FILE_PATH.format(id=attachment.id),
        "thumbnail_url": (
            THUMBNAIL_PATH.format(id=attachment.id) if attachment.thumbnail_type else None
        ),
        "message": attachment.message_id,
        "uploaded_by": attachment.uploaded_by.to_summary() if attachment.uploaded_by else None,
        "created_at": isoformat(attachment.created_at),
    }
