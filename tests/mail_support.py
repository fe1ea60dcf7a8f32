"""Real mail servers for the e-mail tests: an SMTP server (aiosmtpd) in the test process
that records what the helpdesk sends, and Debian's Dovecot serving the mailbox the worker
polls, started from a throw-away configuration (never /etc/dovecot)."""

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from email import policy
from email.message import EmailMessage as MimeMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid

import pytest
from aiosmtpd.controller import Controller

from helpdesk.timeutil import utcnow

HELPDESK_ADDRESS = "helpdesk@ks-helpdesk.example"
EMAIL_TOKEN = "email-shared-secret"
DOVECOT = "/usr/sbin/dovecot"
IMAP_USER, IMAP_PASSWORD = "helpdesk", "imap-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts every mail, except recipients given replies to answer first (``"451 ..."``
    for a temporary refusal, ``"550 ..."`` for a permanent one)."""

    def __init__(self):
        self.received: list[MimeMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusals: dict[str, list[str]] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        queued = self.refusals.get(address.lower())
        if queued:
            return queued.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[MimeMessage]:
        return [m for m in self.received if m["To"] and address in str(m["To"]).lower()]


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mail_on(app, smtp_server):
    """The app sends through the test SMTP server; returns its recording handler."""
    controller, handler = smtp_server
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_FROM=f"Helpdesk <{HELPDESK_ADDRESS}>",
        MAIL_TIMEOUT_S=5,
        HELPDESK_URL="https://helpdesk.example",
    )
    return handler


def make_mail(
    *,
    sender: str = "sunita@shg.example",
    name: str = "Sunita Devi",
    subject: str = "Loan for a tailoring unit",
    body: str = "Which papers does the bank need for the loan?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    charset_encoding: str | None = None,
    extra: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> tuple[bytes, str]:
    """A raw mail as a client would send it, and its Message-ID (without brackets).
    ``charset_encoding``: "quoted-printable" or "base64" for the text part."""
    mime = MimeMessage(policy=policy.SMTP)
    mime["From"] = f"{name} <{sender}>" if name else sender
    mime["To"] = HELPDESK_ADDRESS
    mime["Subject"] = subject
    mime["Date"] = format_datetime(utcnow())
    message_id = message_id or make_msgid(domain="shg.example")[1:-1]
    mime["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        mime["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        mime["References"] = " ".join(f"<{r}>" for r in references)
    for key, value in (extra or {}).items():
        mime[key] = value
    if body is not None:
        mime.set_content(body, cte=charset_encoding) if charset_encoding else mime.set_content(body)
    if html is not None:
        if body is None:
            mime.set_content(html, subtype="html")
        else:
            mime.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        mime.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mime.as_bytes(), message_id


@pytest.fixture
def email_in(app, client):
    """Post a raw mail to the webhook with the right token."""
    app.config["EMAIL_TOKEN"] = EMAIL_TOKEN

    def post(raw: bytes, *, token: str = EMAIL_TOKEN, content_type: str = "message/rfc822"):
        return client.post(
            "/api/v1/email/inbound",
            data=raw,
            headers={"X-Email-Token": token, "Content-Type": content_type},
        )

    return post


DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
auth_mechanisms = plain
disable_plaintext_auth = no
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """A Dovecot IMAP server on 127.0.0.1 and a free port, with one user; everything it
    writes is under a temporary directory (never /etc/dovecot). Mail belongs to ``nobody``
    (Dovecot refuses uid 0 for mail), so the directory is readable by it."""

    def __init__(self):
        assert os.path.exists(DOVECOT), (
            "Dovecot is missing: `bash scripts/setup` installs it (apt-get install dovecot-imapd)"
        )
        self.root = tempfile.mkdtemp(prefix="helpdesk-dovecot-")
        os.chmod(self.root, 0o755)
        uid, gid = 65534, 65534
        for sub in ("mail", "home"):
            os.makedirs(os.path.join(self.root, sub))
            os.chown(os.path.join(self.root, sub), uid, gid)
        with open(os.path.join(self.root, "users"), "w") as users:
            users.write(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
        self.port = free_port()
        conf = os.path.join(self.root, "dovecot.conf")
        with open(conf, "w") as file:
            file.write(DOVECOT_CONF.format(root=self.root, port=self.port, uid=uid, gid=gid))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Dovecot did not start: {self._log()}") from None
                time.sleep(0.1)

    def _log(self) -> str:
        path = os.path.join(self.root, "dovecot.log")
        return open(path).read()[-2000:] if os.path.exists(path) else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot():
    """The port of a Dovecot started for this test run."""
    server = Dovecot()
    yield server.port
    server.stop()


def imap_connection(port: int) -> imaplib.IMAP4:
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(IMAP_USER, IMAP_PASSWORD)
    return imap
