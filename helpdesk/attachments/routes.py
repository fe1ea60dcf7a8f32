"""What attachments add to the web pages: the files in a ticket's thread, and room for
uploads in the forms that carry them."""

from flask import Blueprint, current_app, request
from flask_login import current_user

from helpdesk.attachments import detection, services
from helpdesk.attachments.serializers import attachment_to_dict

bp = Blueprint("attachments", __name__)

#: endpoints that take files, and how many at once; every other request keeps the app's
#: MAX_CONTENT_LENGTH (1 MB), JSON bodies included
UPLOAD_ENDPOINTS = {
    "api_v1.post_attachment": 1,
    "tickets.reply": services.MAX_FILES,
    "portal.new": services.MAX_FILES,
}
#: room for the form's other fields beside the files
FORM_ALLOWANCE = 1024 * 1024
#: sent by static/js/attachments.js; browsers keep it on the redirect they follow
FOLLOWED_REDIRECT_HEADER = "X-Upload-Follow"


@bp.app_url_value_preprocessor
def allow_uploads(endpoint: str | None, _values) -> None:
    """Raise the request size limit for the forms that carry files. URL value preprocessors
    run before every ``before_request`` function, so before the CSRF check reads the form
    with the smaller limit. A file over MAX_ATTACHMENT_MB still gets a 413 from the
    service, which stops copying it at the limit."""
    files = UPLOAD_ENDPOINTS.get(endpoint or "")
    if files and request.mimetype == "multipart/form-data":
        request.max_content_length = files * services.max_bytes() + FORM_ALLOWANCE


@bp.before_app_request
def answer_followed_redirect():
    """The upload script follows a form's redirect only to learn where it leads, then goes
    there itself: answer that GET with an empty 204, so a 2G phone does not download the
    page twice and the page's "Reply sent." waits for the real visit."""
    if request.method == "GET" and request.headers.get(FOLLOWED_REDIRECT_HEADER) == "1":
        return "", 204
    return None


@bp.app_template_global()
def thread_attachments(ticket) -> dict:
    """``{message id: [attachment]}`` of the files the signed-in user may see on ``ticket``
    (key None: files of the ticket itself), each as the API returns it plus its preview's
    size, so the thread keeps its layout while previews load."""
    grouped: dict = {}
    for attachment in services.visible_attachments([ticket], current_user):
        shown = attachment_to_dict(attachment) | {
            "width": attachment.thumbnail_width,
            "height": attachment.thumbnail_height,
            "is_image": attachment.is_image,
        }
        grouped.setdefault(attachment.message_id, []).append(shown)
    return grouped


def upload_field_context() -> dict:
    """What a form's file fields need (templates/attachments/_field.html)."""
    max_mb = current_app.config["MAX_ATTACHMENT_MB"]
    return {
        "accept": detection.ACCEPT,
        "max_bytes": max_mb * 1024 * 1024,
        "max_mb": max_mb,
        "max_files": services.MAX_FILES,
    }
