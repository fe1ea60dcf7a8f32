"""SMS jobs. Each takes primary keys and is idempotent."""

import contextlib
import logging
from collections.abc import Iterator

import sqlalchemy as sa

from helpdesk import jobs
from helpdesk.calls.gateways import gateway_for_app
from helpdesk.calls.models import SmsMessage
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

#: noted on a text sent a second time because its first sender stopped mid-send
SENT_AGAIN_NOTE = "sent again: the process sending it stopped mid-send"
#: noted on a text given up because that happened twice
STOPPED_TWICE_NOTE = "not sent: the processes sending it stopped twice mid-send"
#: first key of the PostgreSQL advisory lock a live sender holds ("SMS" in ASCII)
SENDER_LOCK_CLASS = 0x534D53


@jobs.task("sms.send")
def send_sms(sms_id: int) -> None:
    """Send a queued text once: the job claims it (queued → sending) before calling the
    gateway, so a second run, or a second worker, finds nothing to do. A gateway error marks
    it failed with the error; nothing retries it by itself (a person decides).

    A text left ``sending`` by a process that stopped mid-send (killed, out of memory) is
    sent once more when the job is retried, with ``SENT_AGAIN_NOTE`` (the first attempt may
    have reached the phone); left so a second time, it is failed for a person to decide.
    Whether its sender is alive is told by the lock a sender holds on its own connection,
    which PostgreSQL releases when that process dies."""
    with _sender_lock(sms_id) as ours:
        if ours:
            _claim_and_send(sms_id)


def _claim_and_send(sms_id: int) -> None:
    claimed = _update(sms_id, "queued", status="sending")
    if not claimed:  # nobody alive is sending it: is it a text a dead sender left?
        claimed = _update(sms_id, "sending", SmsMessage.error.is_(None), error=SENT_AGAIN_NOTE)
    if not claimed:
        _update(
            sms_id,
            "sending",
            SmsMessage.error.is_not(None),
            status="failed",
            error=STOPPED_TWICE_NOTE,
        )
    db.session.commit()
    if not claimed:
        return
    sms = db.session.get(SmsMessage, sms_id)
    try:
        provider_id = gateway_for_app().send(sms.phone, sms.text)
    except Exception as exc:  # any provider failure is recorded, never lost in a traceback
        log.warning("SMS %s to %s failed: %s", sms_id, sms.phone, exc)
        sms.status, sms.error = "failed", (str(exc) or exc.__class__.__name__)[:500]
    else:
        sms.status, sms.provider_id, sms.sent_at = "sent", str(provider_id)[:100], utcnow()
    db.session.commit()


def _update(sms_id: int, current: str, *conditions, **values) -> bool:
    """One conditional UPDATE of a text whose status is ``current``: of two runs, one wins."""
    return bool(
        db.session.execute(
            sa.update(SmsMessage)
            .where(SmsMessage.id == sms_id, SmsMessage.status == current, *conditions)
            .values(**values)
        ).rowcount
    )


@contextlib.contextmanager
def _sender_lock(sms_id: int) -> Iterator[bool]:
    """Hold PostgreSQL's advisory lock for this text on a connection of its own while it is
    claimed and sent; yields False if a live process holds it. Other databases (SQLite runs
    jobs in its one process) yield True."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        key = (SENDER_LOCK_CLASS, sms_id)
        ours = connection.execute(sa.select(sa.func.pg_try_advisory_lock(*key))).scalar()
        connection.commit()
        try:
            yield bool(ours)
        finally:
            if ours:
                try:
                    connection.execute(sa.select(sa.func.pg_advisory_unlock(*key)))
                    connection.commit()
                except sa.exc.DBAPIError:  # a lost connection took the lock with it
                    connection.invalidate()
