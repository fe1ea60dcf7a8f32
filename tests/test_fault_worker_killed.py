"""Fault: a worker process killed in the middle of a job. The job runs again (a surviving or
restarted worker hands it back to RQ, which retries it), and what it produces, a text to a
requester or an acknowledgement, is not duplicated."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from helpdesk.calls import tasks as sms_tasks
from helpdesk.calls.gateways import LoggingGateway
from helpdesk.calls.models import SmsMessage
from helpdesk.calls.tasks import send_sms
from helpdesk.extensions import db
from helpdesk.tickets.models import Message
from tests.conftest import ROOT

SMS_TOKEN = "sms-shared-secret"


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def outgoing_sms() -> SmsMessage:
    db.session.expire_all()
    return db.session.scalars(sa.select(SmsMessage).where(SmsMessage.direction == "out")).one()


@pytest.fixture
def fault_queue(app, redis_url):
    """A queue name of this test's own, so nothing left in Redis by other runs interferes."""
    from helpdesk.jobs.backends import redis_connection

    app.config["REDIS_URL"] = redis_url
    app.config["RQ_QUEUE"] = f"helpdesk-fault-{uuid.uuid4().hex[:8]}"
    yield app.config["RQ_QUEUE"]
    connection = redis_connection(redis_url)
    for key in connection.scan_iter(f"*{app.config['RQ_QUEUE']}*"):
        connection.delete(key)


def start_worker(env: dict, log_path) -> subprocess.Popen:
    """The production worker command, in a process group of its own (its RQ scheduler is a
    child process: a crash takes both)."""
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "jobs",
                "worker",
                "--relay-every",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def test_sms_of_a_worker_killed_mid_send_is_retried_exactly_once(
    app, client, fault_queue, database_url, make_user, api_as, tmp_path
):
    app.config["SMS_TOKEN"] = SMS_TOKEN
    make_user("brc", phone="+919812345678")
    ticket_id = client.post(
        "/api/v1/sms/inbound",
        json={"from": "9812345678", "text": "When will the MEC fee be paid?"},
        headers={"X-SMS-Token": SMS_TOKEN},
    ).json["ticket"]
    reply = api_as(make_user("agent")).post(
        f"/api/v1/tickets/{ticket_id}/messages", json={"body": "The CLF pays it by the 10th."}
    )
    assert reply.status_code == 201 and outgoing_sms().status == "queued"

    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "REDIS_URL": app.config["REDIS_URL"],
        "RQ_QUEUE": fault_queue,
        "HELPDESK_ENV": "development",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SMS_GATEWAY": "tests.fault_gateways:HangingGateway",
        "FAULT_DIR": str(tmp_path),
    }
    (tmp_path / "block").touch()
    first = start_worker(env, tmp_path / "worker-1.log")
    try:
        wait_until((tmp_path / "sending").exists, 40, "the first worker to call the gateway")
    finally:
        stop(first)  # SIGKILL: no cleanup, the job is left "started" in Redis
    assert outgoing_sms().status == "sending"

    (tmp_path / "block").unlink()
    second = start_worker(env, tmp_path / "worker-2.log")
    try:
        wait_until(
            lambda: outgoing_sms().status != "sending", 40, "the job to run again after the kill"
        )
    finally:
        stop(second, signal.SIGTERM)
    log = (tmp_path / "worker-2.log").read_text()
    sms = outgoing_sms()
    assert sms.status == "sent", log
    sends = (tmp_path / "sends.log").read_text().splitlines()
    # The attempt that died (it may or may not have reached the phone) and one retry.
    assert sends == ["+919812345678\tThe CLF pays it by the 10th."] * 2
    assert sms.error == sms_tasks.SENT_AGAIN_NOTE  # staff can see the text may have arrived twice

    send_sms(sms.id)  # any later delivery of the job sends nothing
    assert len((tmp_path / "sends.log").read_text().splitlines()) == 2


@pytest.fixture
def sent():
    LoggingGateway.sent.clear()
    yield LoggingGateway.sent
    LoggingGateway.sent.clear()


@pytest.fixture
def queued_sms(app, make_ticket):
    def make(status: str, error: str | None = None) -> int:
        ticket = make_ticket(channel="sms")
        sms = SmsMessage(
            direction="out",
            phone="+919812345678",
            text="Next batch starts 5 March.",
            ticket=ticket,
            status=status,
            error=error,
        )
        db.session.add(sms)
        db.session.commit()
        return sms.id

    return make


def test_a_text_left_sending_is_sent_once_more_then_never_again(app, queued_sms, sent):
    sms_id = queued_sms("sending")  # its sender stopped mid-send
    send_sms(sms_id)
    send_sms(sms_id)
    sms = db.session.get(SmsMessage, sms_id)
    assert len(sent) == 1 and sms.status == "sent" and sms.error == sms_tasks.SENT_AGAIN_NOTE


def test_a_text_whose_retry_also_stopped_mid_send_is_failed_for_a_person(app, queued_sms, sent):
    sms_id = queued_sms("sending", sms_tasks.SENT_AGAIN_NOTE)
    send_sms(sms_id)
    sms = db.session.get(SmsMessage, sms_id)
    assert len(sent) == 0 and sms.status == "failed"
    assert "stopped twice" in sms.error


def test_a_text_another_live_process_is_sending_is_left_to_it(app, queued_sms, sent):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the live-sender lock is PostgreSQL's (SQLite runs jobs in one process)")
    sms_id = queued_sms("sending")
    with db.engine.connect() as other_process:  # holds the sender lock, as a live sender does
        other_process.execute(
            sa.select(sa.func.pg_advisory_lock(sms_tasks.SENDER_LOCK_CLASS, sms_id))
        ).scalar()
        send_sms(sms_id)
        assert len(sent) == 0 and db.session.get(SmsMessage, sms_id).status == "sending"
        other_process.execute(
            sa.select(sa.func.pg_advisory_unlock(sms_tasks.SENDER_LOCK_CLASS, sms_id))
        )
    send_sms(sms_id)  # the other process died: its lock went with its connection
    assert len(sent) == 1


def test_two_acknowledgement_runs_at_once_write_one_acknowledgement(app, make_ticket):
    """A retried acknowledgement can overlap with a run still committing: the second waits
    for the ticket's row lock and then sees the first one's message."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs jobs in one process, in turn")
    ticket = make_ticket()
    ticket_id, number = ticket.id, ticket.number
    db.session.commit()
    db.session.expire_all()

    with db.engine.connect() as first_run:
        first_run.execute(
            sa.text("SELECT id FROM tickets WHERE id = :id FOR UPDATE"), {"id": ticket_id}
        )
        second = threading.Thread(target=_acknowledge_in_own_context, args=(app, ticket_id))
        second.start()
        time.sleep(1.0)  # the second run is now waiting for the lock (or, unfixed, done)
        first_run.execute(
            sa.insert(Message).values(
                ticket_id=ticket_id,
                body=f"We have received your query {number}.",
                internal=False,
                automatic=True,
                channel="phone",
            )
        )
        first_run.commit()
        second.join(timeout=15)
    acks = db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket_id, Message.automatic.is_(True))
    ).all()
    assert len(acks) == 1


def _acknowledge_in_own_context(app, ticket_id: int) -> None:
    from helpdesk.tickets.tasks import acknowledge

    with app.app_context():
        try:
            acknowledge(ticket_id)
        finally:
            db.session.remove()
