"""Serving attachment files: safe headers whatever the file holds."""

from flask import Response, send_file

from helpdesk.attachments import storage
from helpdesk.attachments.models import Attachment
from helpdesk.errors import NotFound

#: the browser may keep a file an hour on this device only (never a shared proxy): a phone
#: on 2G does not fetch a ledger again each time the thread redraws
CACHE_CONTROL = "private, max-age=3600"
#: a file opened on its own runs nothing and loads nothing (PDFs keep the site's policy:
#: the browser's PDF viewer does not work in a sandbox)
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def send_attachment(attachment: Attachment) -> Response:
    path = storage.path_for(attachment.storage_key)
    if not path.is_file():
        raise NotFound("The file of this attachment is missing.")
    response = send_file(
        path,
        mimetype=attachment.content_type,  # werkzeug adds "; charset=utf-8" to text/*
        as_attachment=not attachment.shown_inline,
        download_name=attachment.filename,
        conditional=True,
    )
    return _protected(response, pdf=attachment.content_type == "application/pdf")


def send_thumbnail(attachment: Attachment) -> Response:
    path = storage.thumbnail_path_for(attachment.storage_key)
    if not attachment.thumbnail_type or not path.is_file():
        raise NotFound("This attachment has no preview.")
    response = send_file(path, mimetype=attachment.thumbnail_type, conditional=True)
    return _protected(response, pdf=False)


def _protected(response: Response, *, pdf: bool) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = CACHE_CONTROL
    if not pdf:
        response.headers["Content-Security-Policy"] = FILE_POLICY
    return response
