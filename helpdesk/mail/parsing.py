"""Reading a raw RFC 822 mail (standard library ``email``, ``policy.default``) into what
intake needs. Never raises on a malformed mail: what cannot be read is left empty."""

import hashlib
import logging
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage as MimeMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from helpdesk.mail import headers
from helpdesk.mail.text import html_to_text, strip_quoted

log = logging.getLogger(__name__)
#: Precedence values of mail no person wrote
_BULK = {"bulk", "junk", "auto_reply", "list"}
_DAEMONS = ("mailer-daemon", "postmaster")


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class InboundMail:
    #: normalized Message-ID; a mail without one gets ``sha256:`` of its bytes
    message_id: str
    #: lower-case address of the From header ("" when there is none)
    sender: str
    sender_name: str
    recipient: str
    subject: str
    in_reply_to: list[str]
    references: list[str]
    #: the new words (quoted history and signature cut), and the whole text
    text: str
    full_text: str
    attachments: list[Attachment] = field(default_factory=list)
    #: why no ticket should come of it (an auto-reply, a bounce), or None
    ignore_reason: str | None = None


def _header(mail: MimeMessage, name: str) -> str:
    try:
        value = mail.get(name)
    except Exception:  # a header the parser chokes on reads as absent
        log.debug("unreadable %s header", name, exc_info=True)
        return ""
    # PostgreSQL stores no NUL character; folded headers become one line.
    return " ".join(str(value).replace("\x00", "").split()) if value is not None else ""


def _address(mail: MimeMessage, name: str) -> tuple[str, str]:
    """(display name, lower-case address) of the first address in header ``name``."""
    value = _header(mail, name)
    pairs = getaddresses([value]) if value else []
    display, address = pairs[0] if pairs else parseaddr(value)
    address = address.strip().lower()
    valid = "@" in address and len(address) <= 254  # the longest address SMTP carries
    return display.strip(), address if valid else ""


def _part_text(part) -> str:
    try:
        content = part.get_content()
    except Exception:  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        try:
            content = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know: read it as UTF-8
            content = payload.decode("utf-8", errors="replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    return content.replace("\x00", "")


def _body_text(mail: MimeMessage) -> str:
    """The text/plain body, or the HTML one made plain when there is no plain one."""
    try:
        part = mail.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return ""
    text = _part_text(part)
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def _attachments(mail: MimeMessage) -> list[Attachment]:
    found = []
    for part in mail.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            continue
        found.append(
            Attachment(
                filename=(filename or "attachment").replace("\x00", "")[:200],
                content_type=part.get_content_type(),
                data=data,
            )
        )
    return found


def _ignore_reason(mail: MimeMessage, sender: str) -> str | None:
    """RFC 3834: never answer or ticket what a machine sent (auto-replies, bounces)."""
    auto = _header(mail, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"auto-submitted: {auto}"[:100]
    if _header(mail, "X-Autoreply") or _header(mail, "X-Autorespond"):
        return "auto-reply"
    if _header(mail, "Precedence").lower() in _BULK:
        return "bulk"
    if mail.get_content_type() == "multipart/report":
        return "bounce"
    if sender.partition("@")[0] in _DAEMONS or _header(mail, "Return-Path") == "<>":
        return "bounce"
    if not sender:
        return "no sender"
    return None


def parse_mail(raw: bytes) -> InboundMail:
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    sender_name, sender = _address(mail, "From")
    _, recipient = _address(mail, "To")
    message_id = headers.normalize_id(_header(mail, "Message-ID"))
    if message_id is None:
        # Still taken once when delivered twice: the same bytes give the same key.
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    ignore = _ignore_reason(mail, sender)
    full_text = _body_text(mail).strip()
    return InboundMail(
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        recipient=recipient,
        subject=_header(mail, "Subject").replace("\x00", "")[:300],
        in_reply_to=headers.ids_in(_header(mail, "In-Reply-To")),
        references=headers.ids_in(_header(mail, "References")),
        text=strip_quoted(full_text) if full_text else "",
        full_text=full_text,
        attachments=[] if ignore else _attachments(mail),
        ignore_reason=ignore,
    )
