"""API: attach a file to a ticket, and fetch it."""

from flask import jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from helpdesk.agents import access
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.errors import ApiError
from helpdesk.api.spec import endpoint
from helpdesk.attachments import services
from helpdesk.attachments.files import send_attachment, send_thumbnail
from helpdesk.attachments.serializers import attachment_to_dict
from helpdesk.errors import ValidationFailed


@api_v1.post("/tickets/<id:ticket_id>/attachments")
@endpoint(
    summary="Attach a file to a ticket (multipart/form-data)",
    responses={
        201: '{"id", "filename", "content_type", "size", "url", "thumbnail_url", "message"}',
        404: "Not a ticket you may see",
        413: "Larger than MAX_ATTACHMENT_MB (default 10 MB); nothing is kept",
        415: "Not multipart/form-data, or not a file type that may be attached",
        422: "No file part, an empty file, or a message that is not this ticket's",
    },
    tag="attachments",
)
def post_attachment(ticket_id: int):
    """Send the file in a part named ``file``; an optional ``message`` part (a message id
    of this ticket) attaches it to that reply or note: a file of an internal note is as
    internal as the note, BRC staff never see it. The type is decided from the bytes, not
    the name: JPEG, PNG, WebP and HEIC photos, PDF, UTF-8 plain text and CSV, docx, xlsx,
    odt and ods; anything else is a 415. Photos get a small upright preview without EXIF
    (``thumbnail_url``). Whoever may see the ticket may attach to it, BRC staff too."""
    viewer = api_user()
    ticket = access.visible_ticket_or_404(viewer, ticket_id)
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send the file as multipart/form-data, in a part named 'file'.")
    try:
        upload = request.files.get("file")
        message_id = request.form.get("message")
    except RequestEntityTooLarge:
        raise services.FileTooLarge(
            services.too_large_message(), {"file": services.too_large_message()}
        ) from None
    if upload is None or not upload.filename:
        raise ValidationFailed("Send the file in a part named 'file'.", {"file": "required"})
    message = services.message_for_upload(ticket, viewer, message_id)
    attachment = services.attach_upload(ticket, viewer, upload, message=message)
    return jsonify(attachment_to_dict(attachment)), 201


@api_v1.get("/attachments/<id:attachment_id>")
@endpoint(summary="An attachment's details", tag="attachments")
def get_attachment(attachment_id: int):
    """Only those who may see its ticket (and, for a file of an internal note, its
    internal notes) see it; others get a 404."""
    return jsonify(attachment_to_dict(services.attachment_or_404(api_user(), attachment_id)))


@api_v1.get("/attachments/<id:attachment_id>/file")
@endpoint(summary="Download an attachment", responses={200: "The file"}, tag="attachments")
def get_attachment_file(attachment_id: int):
    """Images and PDFs are served ``inline``, everything else as ``attachment``; always
    with ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private``."""
    return send_attachment(services.attachment_or_404(api_user(), attachment_id))


@api_v1.get("/attachments/<id:attachment_id>/thumbnail")
@endpoint(
    summary="A photo's small preview (at most 480 px, WebP)",
    responses={200: "The preview", 404: "No such attachment, or no preview of it"},
    tag="attachments",
)
def get_attachment_thumbnail(attachment_id: int):
    return send_thumbnail(services.attachment_or_404(api_user(), attachment_id))
