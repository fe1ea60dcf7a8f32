"""Inbound e-mail benchmark: mails/s through the webhook and through IMAP polling.

    .venv/bin/python bench/email_in.py [--mails 1000] [--database-url URL]

1,000 varied mails (English and Hindi; plain, HTML-only, quoted-printable and base64
bodies; quoted history to cut; a third of them replies threading onto the sender's earlier
ticket by References; 200 senders, some on file in a block, most unknown and triaged) are
taken, each on a fresh schema:

- webhook: POST /api/v1/email/inbound, one mail after another (Flask's test client, so the
  figure is the app's own work: parse, thread, write, acknowledge; no HTTP server);
- IMAP: the mails appended to a Dovecot mailbox (started from a throw-away configuration,
  as the tests do; not timed), then one ``poll_mailbox`` pass (fetch in batches of 100,
  intake, mark seen) is timed;
- references in the same run: the bare parse of the same 1,000 mails
  (``helpdesk.mail.parsing.parse_mail``), and SMS intake of the same texts
  (POST /api/v1/sms/inbound), the nearest other channel.

The database is a SQLite file in a temporary directory (the embedded default) unless
``--database-url`` names another one: ITS TABLES ARE DROPPED. Jobs run in-process; no mail
is sent (MAIL_SERVER unset). Prints figures; exits 0 whether the goal holds or not.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 20.0  # mails/s
TOKEN = "bench-email-token"
HINDI = [
    "नमस्ते, हमारे समूह को सिलाई इकाई के लिए बैंक ऋण चाहिए। कौन से कागज़ लगेंगे?",
    "व्यवसाय योजना बनाने में मदद चाहिए, बैंक ने लौटा दी है।",
    "सीआईएफ की राशि अभी तक खाते में नहीं आई है, कृपया देखें।",
]
ENGLISH = [
    "Our SHG needs a loan for a tailoring unit. Which papers does the bank need?",
    "The bank returned our business plan. Can a mentor help us rewrite it?",
    "The community investment fund has not reached our account yet.",
]


def build_mails(count: int, seed: int = 7) -> list[bytes]:
    from tests.mail_support import make_mail

    rng = random.Random(seed)
    senders = [f"shg{n:03d}@villages.example" for n in range(200)]
    first_ids: dict[str, str] = {}
    mails = []
    for n in range(count):
        sender = senders[n % len(senders)]
        hindi = n % 2 == 0
        text = rng.choice(HINDI if hindi else ENGLISH)
        quoted = (
            "\n\nOn Mon, 5 Jan 2026 at 10:00, Helpdesk <helpdesk@ks-helpdesk.example> wrote:\n"
            "> We have received your query."
        )
        references = [first_ids[sender]] if sender in first_ids and n % 3 == 0 else None
        style = n % 4
        raw, message_id = make_mail(
            sender=sender,
            name=f"SHG {n % 200}",
            subject=("बैंक ऋण" if hindi else "Bank loan") + f" {n}",
            body=None if style == 3 else text + quoted,
            html=f"<div>{text}</div><blockquote>old</blockquote>" if style == 3 else None,
            charset_encoding={1: "quoted-printable", 2: "base64"}.get(style),
            references=references,
        )
        first_ids.setdefault(sender, message_id)
        mails.append(raw)
    return mails


def fresh_app(database_url: str):
    from config import TestingConfig
    from helpdesk import create_app
    from helpdesk.contacts.models import Contact
    from helpdesk.extensions import db
    from helpdesk.geography.services import create_block
    from helpdesk.reference import reference_rows

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = None
        EMAIL_TOKEN = TOKEN
        SMS_TOKEN = TOKEN
        MAIL_SERVER = None
        SEARCH_INDEX_DIR = tempfile.mkdtemp(prefix="bench-email-index-")

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        with db.engine.begin() as conn:
            for table, rows in reference_rows().items():
                conn.execute(db.metadata.tables[table].insert(), rows)
        block = create_block(code="JH-KHT", name="Khunti", district="Khunti", state="IN-JH")
        # A fifth of the senders are on file in the block; the others are triaged.
        for n in range(0, 200, 5):
            db.session.add(
                Contact(name=f"SHG {n}", email=f"shg{n:03d}@villages.example", block=block)
            )
        db.session.commit()
    return app


def timed(label: str, count: int, run) -> float:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    rate = count / seconds
    print(f"{label:<34} {count:>5} in {seconds:6.2f} s = {rate:8.1f} /s", flush=True)
    return rate


def bare_parse(mails: list[bytes]) -> float:
    from helpdesk.mail.parsing import parse_mail

    return timed("reference: bare parse", len(mails), lambda: [parse_mail(m) for m in mails])


def through_webhook(database_url: str, mails: list[bytes]) -> float:
    app = fresh_app(database_url)
    client = app.test_client()
    headers = {"X-Email-Token": TOKEN, "Content-Type": "message/rfc822"}

    def run():
        for raw in mails:
            status = client.post("/api/v1/email/inbound", data=raw, headers=headers).status_code
            assert status in (200, 201), status

    rate = timed("webhook POST /api/v1/email/inbound", len(mails), run)
    report_counts(app)
    return rate


def sms_reference(database_url: str, mails: list[bytes]) -> float:
    from helpdesk.mail.parsing import parse_mail

    app = fresh_app(database_url)
    client = app.test_client()
    texts = [(f"+9198{n % 200:08d}", parse_mail(raw).text) for n, raw in enumerate(mails)]

    def run():
        for phone, text in texts:
            response = client.post(
                "/api/v1/sms/inbound",
                json={"from": phone, "text": text},
                headers={"X-SMS-Token": TOKEN},
            )
            assert response.status_code in (200, 201), response.status_code

    return timed("reference: SMS intake, same texts", len(texts), run)


def through_imap(database_url: str, mails: list[bytes]) -> float:
    from helpdesk.mail.imap import poll_mailbox
    from tests.mail_support import IMAP_PASSWORD, IMAP_USER, Dovecot, imap_connection

    app = fresh_app(database_url)
    server = Dovecot()
    try:
        imap = imap_connection(server.port)
        imap.create("bench")
        for raw in mails:
            imap.append("bench", None, None, raw)
        imap.logout()
        url = f"imap://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{server.port}/bench"
        counts = {}

        def run():
            with app.app_context():
                counts.update(poll_mailbox(url))

        rate = timed("IMAP poll (one pass)", len(mails), run)
        assert counts == {"taken": len(mails), "failed": 0}, counts
        report_counts(app)
        return rate
    finally:
        server.stop()


def report_counts(app) -> None:
    import sqlalchemy as sa

    from helpdesk.extensions import db
    from helpdesk.tickets.models import Message, Ticket

    with app.app_context():
        tickets = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
        triage = db.session.scalar(
            sa.select(sa.func.count()).select_from(Ticket).where(Ticket.block_id.is_(None))
        )
        replies = db.session.scalar(
            sa.select(sa.func.count()).select_from(Message).where(~Message.automatic)
        )
        print(f"{'':<34} → {tickets} tickets ({triage} in triage), {replies} replies")
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="its tables are dropped")
    args = parser.parse_args()
    database_url = args.database_url or (
        f"sqlite:///{tempfile.mkdtemp(prefix='bench-email-')}/helpdesk.sqlite3"
    )
    print(f"database: {database_url.split('@')[-1]}; {args.mails} mails; goal ≥ {GOAL:.0f} mails/s")
    mails = build_mails(args.mails)
    parse_rate = bare_parse(mails)
    sms_rate = sms_reference(database_url, mails)
    webhook_rate = through_webhook(database_url, mails)
    imap_rate = through_imap(database_url, mails)
    for label, rate in (("webhook", webhook_rate), ("IMAP", imap_rate)):
        verdict = "meets" if rate >= GOAL else "MISSES"
        print(
            f"{label}: {rate:.1f} mails/s ({verdict} the goal of {GOAL:.0f}); "
            f"{rate / sms_rate:.2f}× SMS intake of the same texts, "
            f"{rate / parse_rate:.3f}× the bare parse"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
