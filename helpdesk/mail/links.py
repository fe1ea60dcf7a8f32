"""Signed links to a ticket in mentors' mail.

The link names the ticket and the mentor, signed with the site's secret key
(itsdangerous) and valid for ``MAIL_LINK_DAYS``. It does not sign anyone in: a mail is
forwarded, kept in archives and previewed by scanners, so a link that opened a session
would be a password in plain text. It opens the ticket after the usual sign-in, and only
for the mentor it was sent to; anyone else, an altered link or an expired one gets a
plain "not valid" page.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "mail-ticket-link"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ticket_link_token(ticket_id: int, user_id: int) -> str:
    return _serializer().dumps({"t": ticket_id, "u": user_id})


def ticket_link(ticket_id: int, user_id: int) -> str:
    base = (current_app.config.get("HELPDESK_URL") or "").rstrip("/")
    return f"{base}/mail/t/{ticket_link_token(ticket_id, user_id)}"


def read_ticket_link(token: str) -> tuple[int, int]:
    """(ticket id, user id) of a valid token; LinkExpired or LinkInvalid otherwise."""
    max_age = current_app.config.get("MAIL_LINK_DAYS", 14) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkInvalid() from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("t", "u")):
        raise LinkInvalid()
    return data["t"], data["u"]
