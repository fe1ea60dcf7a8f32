"""The inbound-mail webhook: a mail provider (or a local MTA's pipe) posts each raw mail."""

from flask import current_app, jsonify, request

from helpdesk.api import api_v1
from helpdesk.api.errors import ApiError
from helpdesk.api.spec import endpoint
from helpdesk.calls.api import gateway_token_failures
from helpdesk.calls.services import check_gateway_token
from helpdesk.mail.intake import receive_email

RAW_MAIL_TYPE = "message/rfc822"


def _require_email_token() -> None:
    check_gateway_token(
        request.headers.get("X-Email-Token"),
        current_app.config.get("EMAIL_TOKEN"),
        header="X-Email-Token",
        setting="EMAIL_TOKEN",
    )


@api_v1.post("/email/inbound")
@gateway_token_failures
@endpoint(
    summary="A raw e-mail received for the helpdesk",
    auth=False,
    guard=_require_email_token,
    header_secret=("emailToken", "X-Email-Token"),
    raw_body=(RAW_MAIL_TYPE, "the whole mail as received (RFC 822 / RFC 5322), headers first"),
    responses={
        201: "{ticket, message, email, created, ignored}: a new ticket, or a reply on one",
        200: "the same answer for a Message-ID already taken, or an ignored mail "
        "(`ignored` says why: an auto-reply, a bounce, our own mail)",
        400: "The body is empty.",
        401: "The X-Email-Token header is missing or wrong (code unauthorized).",
        413: "The mail is larger than EMAIL_MAX_MB (code payload_too_large).",
        415: "The body is not sent as message/rfc822.",
        429: "Too many requests with a missing or wrong secret from this address "
        "(GATEWAY_TOKEN_FAILURE_LIMIT, counted with the CTI and SMS webhooks).",
        503: "EMAIL_TOKEN is not configured: the endpoint is off (code "
        "email_token_not_configured).",
    },
    tag="email",
)
def post_email_inbound():
    """Send the `X-Email-Token` header with the `EMAIL_TOKEN` secret and the raw mail as a
    `message/rfc822` body (at most `EMAIL_MAX_MB`, default 25 MB). The same intake as the
    IMAP poller: a mail naming a ticket (`[KS-000123]` in the subject, or In-Reply-To /
    References matching a mail of its thread) from its requester or its mentor is a reply
    on it (`created: false`); any other mail opens an `email` ticket (`created: true`), in
    the sender's block when their address is on file, else without a block for triage.
    Auto-replies (Auto-Submitted other than `no`), bounces and our own mail are logged and
    ignored. A Message-ID delivered twice is taken once (200, the first answer)."""
    if request.mimetype != RAW_MAIL_TYPE:
        raise ApiError(415, f"Send the mail as {RAW_MAIL_TYPE}.")
    request.max_content_length = current_app.config.get("EMAIL_MAX_MB", 25) * 1024 * 1024
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise ApiError(400, "The body is empty.")
    result = receive_email(raw)
    answer = {
        "ticket": result.ticket.id if result.ticket else None,
        "message": result.message.id if result.message else None,
        "email": result.email.id,
        "created": result.created,
        "ignored": result.ignored,
    }
    written = not result.repeat and result.ignored is None
    return jsonify(answer), (201 if written else 200)
