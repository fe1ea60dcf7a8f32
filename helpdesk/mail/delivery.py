"""Sending a logged mail by SMTP (``smtplib``), with retries after temporary failures.

The ``mail.send`` job claims the mail (queued/retrying → sending) before talking to the
server, so a second run or a second worker finds nothing to do. A temporary failure (a
4xx answer, a refused or dropped connection, a timeout) puts it back as ``retrying`` with
``next_attempt_at`` after the next of ``MAIL_RETRY_DELAYS``; with Redis an RQ job is
scheduled at that moment, and ``retry_due_mail`` (run by ``flask --app wsgi email poll``
each pass) sends whatever is due whether or not a job was scheduled. A permanent failure
(5xx), or the last retry failing, marks it ``failed`` with the server's answer, which the
ticket's thread shows to the staff.
"""

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, formataddr, parseaddr

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError

from helpdesk import jobs
from helpdesk.extensions import db
from helpdesk.knowledge.rendering import render_markdown
from helpdesk.mail.models import EmailMessage
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)
SITE_NAME = "Kudumbashree NRO Helpdesk"
#: a mail left "sending" this long was lost with its worker: it is tried again
STUCK_AFTER = timedelta(minutes=15)


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def compose(row: EmailMessage) -> MimeMessage:
    """The MIME message of a logged mail: plain text and HTML alternatives of the same
    Markdown (the HTML rendered and sanitized like knowledge-base articles)."""
    configured_name, _ = parseaddr(current_app.config.get("MAIL_FROM") or "")
    mime = MimeMessage(policy=policy.SMTP)
    mime["From"] = formataddr((configured_name or SITE_NAME, row.sender))
    mime["To"] = row.recipient
    mime["Subject"] = row.subject
    mime["Date"] = format_datetime(row.created_at)
    mime["Message-ID"] = f"<{row.rfc_message_id}>"
    if row.in_reply_to:
        mime["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        mime["References"] = " ".join(f"<{i}>" for i in row.references)
    if row.auto_submitted:
        mime["Auto-Submitted"] = row.auto_submitted
        # Out-of-office assistants that ignore Auto-Submitted honour this one.
        mime["X-Auto-Response-Suppress"] = "All"
    footer = "Kudumbashree NRO Enterprise Call-Centre"
    mime.set_content(f"{row.body}\n\n-- \n{footer}\n")
    html = render_markdown(row.body)
    mime.add_alternative(
        f"<!DOCTYPE html><html><body>{html}<hr><p>{footer}</p></body></html>", subtype="html"
    )
    return mime


def _smtp_send(mime: MimeMessage, sender: str, recipient: str) -> None:
    """Hand the mail to MAIL_SERVER; TemporaryFailure or PermanentFailure when it is not."""
    config = current_app.config
    timeout = config.get("MAIL_TIMEOUT_S", 20)
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(
                config["MAIL_SERVER"],
                config["MAIL_PORT"],
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(mime, from_addr=sender, to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
        if codes and all(400 <= code < 500 for code in codes):
            raise TemporaryFailure(text) from exc
        raise PermanentFailure(text) from exc
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        if exc.smtp_code >= 500:
            raise PermanentFailure(text) from exc
        raise TemporaryFailure(text) from exc
    except smtplib.SMTPNotSupportedError as exc:  # STARTTLS or AUTH the server lacks
        raise PermanentFailure(str(exc) or "not supported by the server") from exc
    except (smtplib.SMTPException, OSError) as exc:  # refused, dropped, timed out, DNS
        raise TemporaryFailure(f"{exc.__class__.__name__}: {exc}") from exc


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def retry_delays() -> list[int]:
    raw = str(current_app.config.get("MAIL_RETRY_DELAYS") or "")
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


@jobs.task("mail.send")
def send_mail(email_id: int, now: datetime | None = None) -> str | None:
    """Send one logged mail if it is waiting (see the module). Returns its new status, or
    None when there was nothing to do."""
    if not current_app.config.get("MAIL_SERVER"):
        return None  # nothing is sent; the mail waits, nothing fails
    now = now or utcnow()
    claimed = db.session.execute(
        sa.update(EmailMessage)
        .where(
            EmailMessage.id == email_id,
            EmailMessage.direction == "out",
            EmailMessage.status.in_(("queued", "retrying")),
        )
        .values(status="sending", attempts=EmailMessage.attempts + 1, next_attempt_at=now)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    row = db.session.get(EmailMessage, email_id)
    db.session.refresh(row)
    try:
        _smtp_send(compose(row), row.sender, row.recipient)
    except TemporaryFailure as exc:
        delays = retry_delays()
        row.error = str(exc)[:500]
        if row.attempts <= len(delays):
            row.status = "retrying"
            row.next_attempt_at = now + timedelta(seconds=delays[row.attempts - 1])
            log.warning(
                "mail %s to %s: %s; again at %s", row.id, row.recipient, exc, row.next_attempt_at
            )
        else:
            row.status, row.next_attempt_at = "failed", None
            log.warning(
                "mail %s to %s failed after %s attempts: %s",
                row.id,
                row.recipient,
                row.attempts,
                exc,
            )
    except PermanentFailure as exc:
        row.status, row.error, row.next_attempt_at = "failed", str(exc)[:500], None
        log.warning("mail %s to %s refused: %s", row.id, row.recipient, exc)
    else:
        row.status, row.sent_at, row.next_attempt_at = "sent", utcnow(), None
    db.session.commit()
    if row.status == "retrying":
        _schedule_retry(row.id, row.next_attempt_at)
    return row.status


def _schedule_retry(email_id: int, at: datetime) -> None:
    """With Redis, an RQ job at the retry moment (the worker runs RQ's scheduler); without,
    ``retry_due_mail`` catches it on its next pass."""
    if not current_app.config.get("REDIS_URL"):
        return
    from helpdesk.jobs.backends import queue_for_app

    try:
        queue_for_app(current_app).enqueue_at(
            at, retry_job, email_id, job_id=f"mail-retry-{email_id}-{int(at.timestamp())}"
        )
    except RedisError as exc:
        log.warning("mail %s retry not scheduled (the poll pass will catch it): %s", email_id, exc)


def retry_job(email_id: int) -> None:
    """What a scheduled retry runs (in an RQ worker)."""
    from helpdesk.jobs.backends import app_context_for_worker

    with app_context_for_worker():
        send_mail(email_id)


def retry_due_mail(now: datetime | None = None, *, limit: int = 200) -> dict[str, int]:
    """Send the mail whose retry is due, and mail left "sending" by a lost worker.
    Returns {"tried", "sent"}."""
    if not current_app.config.get("MAIL_SERVER"):
        return {"tried": 0, "sent": 0}
    now = now or utcnow()
    db.session.execute(
        sa.update(EmailMessage)
        .where(
            EmailMessage.direction == "out",
            EmailMessage.status == "sending",
            EmailMessage.next_attempt_at < now - STUCK_AFTER,
        )
        .values(status="retrying")
    )
    db.session.commit()
    due = db.session.scalars(
        sa.select(EmailMessage.id)
        .where(
            EmailMessage.direction == "out",
            EmailMessage.status == "retrying",
            EmailMessage.next_attempt_at <= now,
        )
        .order_by(EmailMessage.next_attempt_at)
        .limit(limit)
    ).all()
    sent = sum(send_mail(email_id, now) == "sent" for email_id in due)
    return {"tried": len(due), "sent": sent}
