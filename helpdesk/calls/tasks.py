"""SMS jobs. Each takes primary keys and is idempotent."""

import logging

import sqlalchemy as sa

from helpdesk import jobs
from helpdesk.calls.gateways import gateway_for_app
from helpdesk.calls.models import SmsMessage
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


@jobs.task("sms.send")
def send_sms(sms_id: int) -> None:
    """Send a queued text once: the job claims it (queued → sending) before calling the
    gateway, so a second run, or a second worker, finds nothing to do. A gateway error marks
    it failed with the error; nothing retries it by itself (a person decides)."""
    claimed = db.session.execute(
        sa.update(SmsMessage)
        .where(SmsMessage.id == sms_id, SmsMessage.status == "queued")
        .values(status="sending")
    ).rowcount
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
