"""Message-IDs and ticket numbers in mail headers: how ours are made and theirs are read."""

import hashlib
import re
import uuid

from helpdesk.tickets.models import NUMBER_PREFIX, Ticket

#: the longest Message-ID stored as it is; longer ones are stored as their SHA-256
MAX_ID_LENGTH = 250
_ANGLED = re.compile(r"<([^<>\s]+)>")
#: ``[KS-000123]`` anywhere in a subject
_TICKET_TAG = re.compile(r"\[\s*(" + re.escape(NUMBER_PREFIX) + r"\d{1,12})\s*\]", re.IGNORECASE)
#: "Re:", "Fwd:", "AW:", "Antw:" ... at the start of a subject, repeated
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|antw|sv|vs|wg)\s*(\[\d+\])?\s*:\s*)+", re.I)
#: the local part our Message-IDs start with
OWN_ID_PREFIX = "ks."


def normalize_id(value: str | None) -> str | None:
    """A Message-ID as stored: without angle brackets and surrounding space; one too long
    for the column becomes ``sha256:<hex>`` (the same text always gives the same key)."""
    if not value:
        return None
    value = value.strip()
    match = _ANGLED.search(value)
    if match:
        value = match.group(1)
    value = value.strip("<> \t\r\n")
    if not value:
        return None
    if len(value) > MAX_ID_LENGTH:
        return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    return value


def ids_in(header: str | None) -> list[str]:
    """The Message-IDs of an In-Reply-To or References header, in order, normalized."""
    if not header:
        return []
    found = _ANGLED.findall(header) or header.split()
    ids = [normalize_id(value) for value in found]
    return list(dict.fromkeys(i for i in ids if i))


def new_message_id(sender_address: str) -> str:
    """A fresh Message-ID of ours (without angle brackets) in the sender's domain."""
    domain = sender_address.rpartition("@")[2] or "localhost"
    return f"{OWN_ID_PREFIX}{uuid.uuid4().hex}@{domain}"


def is_own_id(message_id: str, sender_address: str) -> bool:
    """Made by ``new_message_id`` for our address: a mail of ours coming back."""
    domain = sender_address.rpartition("@")[2] or "localhost"
    return message_id.startswith(OWN_ID_PREFIX) and message_id.lower().endswith(
        "@" + domain.lower()
    )


def ticket_id_in_subject(subject: str) -> int | None:
    match = _TICKET_TAG.search(subject or "")
    return Ticket.id_from_number(match.group(1)) if match else None


def tagged_subject(ticket: Ticket, subject: str) -> str:
    """``[KS-000123] subject``: the tag a reply keeps, so it threads whatever the client."""
    return f"[{ticket.number}] {subject}"


def bare_subject(subject: str) -> str:
    """The subject without reply prefixes and ticket tags (a new ticket's subject)."""
    subject = _TICKET_TAG.sub(" ", subject or "")
    subject = _REPLY_PREFIX.sub("", subject)
    return " ".join(subject.split())
