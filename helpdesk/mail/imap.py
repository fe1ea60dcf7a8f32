"""Polling a mailbox (``IMAP_URL``) into the same intake as the webhook.

``imaps://user:password@host[:port]/MAILBOX`` (``imap://`` for a server on this machine or
in tests); user and password URL-encoded. Each pass takes the unseen mails, in batches,
passes each to ``receive_email`` and marks it seen once it is taken (or ignored). A mail
whose intake failed stays unseen and is tried on the next pass; a mail taken twice (the
pass died before marking it) is found by its Message-ID and changes nothing.
"""

import imaplib
import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from helpdesk.extensions import db
from helpdesk.mail.intake import receive_email

log = logging.getLogger(__name__)
BATCH = 100
_UID = re.compile(rb"UID (\d+)")


@dataclass
class MailboxAddress:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    mailbox: str


def parse_imap_url(url: str) -> MailboxAddress:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("IMAP_URL must look like imaps://user:password@host/INBOX")
    secure = parts.scheme == "imaps"
    return MailboxAddress(
        secure=secure,
        host=parts.hostname,
        port=parts.port or (993 if secure else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _connect(address: MailboxAddress, timeout: float) -> imaplib.IMAP4:
    if address.secure:
        return imaplib.IMAP4_SSL(address.host, address.port, timeout=timeout)
    return imaplib.IMAP4(address.host, address.port, timeout=timeout)


def _fetched(data: list) -> list[tuple[bytes, bytes]]:
    """(uid, raw mail) pairs of a ``UID FETCH ... (UID BODY.PEEK[])`` answer."""
    found = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            match = _UID.search(item[0])
            if match:
                found.append((match.group(1), item[1]))
    return found


def poll_mailbox(url: str, *, timeout: float = 30.0, batch: int = BATCH) -> dict[str, int]:
    """One pass over the unseen mail of the mailbox. Returns {"taken", "failed"}."""
    address = parse_imap_url(url)
    taken = failed = 0
    with _connect(address, timeout) as imap:
        imap.login(address.user, address.password)
        imap.select(_quoted(address.mailbox))
        _, data = imap.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if data and data[0] else []
        for start in range(0, len(uids), batch):
            chunk = b",".join(uids[start : start + batch]).decode()
            _, data = imap.uid("FETCH", chunk, "(UID BODY.PEEK[])")
            done = []
            for uid, raw in _fetched(data):
                try:
                    receive_email(raw)
                except Exception:  # one bad mail must not stop the others
                    log.exception("mail with IMAP UID %s not taken; tried again next pass", uid)
                    db.session.rollback()
                    failed += 1
                    continue
                done.append(uid)
                taken += 1
            if done:
                imap.uid("STORE", b",".join(done).decode(), "+FLAGS", r"(\Seen)")
        imap.logout()
    return {"taken": taken, "failed": failed}


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
