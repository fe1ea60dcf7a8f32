"""Background jobs: a real RQ worker runs them, and a Redis outage loses none."""

import json
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa
from redis import Redis
from rq import SimpleWorker

from helpdesk.extensions import db
from helpdesk.jobs import relay_outbox
from helpdesk.jobs.backends import queue_for_app
from helpdesk.jobs.models import OutboxJob
from helpdesk.tickets.models import Message
from tests.conftest import ROOT

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def automatic_replies(ticket_id: int) -> list[Message]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket_id, Message.automatic.is_(True))
    ).all()


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob))


def test_ticket_job_passes_through_a_real_rq_worker_process(
    app, redis_url, make_ticket, database_url
):
    app.config["REDIS_URL"] = redis_url
    ticket = make_ticket()
    assert automatic_replies(ticket.id) == []  # queued, not run in-process
    # The row stays until the job has run (or the relay sees RQ holding it): the request
    # that queued it spends no second transaction on removing it.
    assert queue_for_app(app).count == 1 and outbox_count() == 1

    # The production worker command, as its own process, against the same database.
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RQ_QUEUE": app.config["RQ_QUEUE"],
            "HELPDESK_ENV": "development",
        },
    )
    assert result.returncode == 0, result.stderr
    replies = automatic_replies(ticket.id)
    assert len(replies) == 1 and ticket.number in replies[0].body
    assert outbox_count() == 0


def test_relay_removes_rows_of_jobs_rq_holds_without_sending_them_again(
    app, redis_url, make_ticket
):
    app.config["REDIS_URL"] = redis_url
    make_ticket()
    assert relay_outbox() == 0 and outbox_count() == 1  # just handed over: left alone
    job = db.session.scalars(sa.select(OutboxJob)).one()
    job.created_at -= timedelta(minutes=1)
    db.session.commit()
    assert relay_outbox() == 0  # RQ has it: nothing sent again...
    assert outbox_count() == 0  # ...and its row is gone
    assert queue_for_app(app).count == 1


def test_a_new_tickets_event_timer_and_job_reach_redis_in_one_round_trip(
    app, redis_url, make_ticket
):
    """After the commit, the live console event, the SLA timer and the acknowledgement job
    go to Redis together (one MULTI/EXEC), and each arrives where it is used."""
    from helpdesk import _socketio_channel
    from helpdesk.sla.timers import due_timers_key

    app.config["REDIS_URL"] = redis_url
    redis = Redis.from_url(redis_url)
    consoles = redis.pubsub(ignore_subscribe_messages=True)
    consoles.subscribe(_socketio_channel(app))
    with Redis.from_url(redis_url, socket_timeout=5).monitor() as monitor:
        ticket = make_ticket()
        commands: list[str] = []
        while "EXEC" not in commands:
            commands.append(monitor.next_command()["command"].split()[0].upper())
    sent = commands[commands.index("MULTI") :]
    assert {"PUBLISH", "ZADD", "RPUSH"} <= set(sent), commands
    assert "PUBLISH" not in commands[: commands.index("MULTI")], commands

    assert queue_for_app(app).count == 1 and outbox_count() == 1
    assert redis.zscore(due_timers_key(app), ticket.id) is not None
    message = None
    for _ in range(5):  # the first read may only take the subscription's confirmation
        message = message or consoles.get_message(timeout=1)
    consoles.close()
    event = json.loads(message["data"])
    assert event["event"] == "ticket.created" and event["data"][0]["id"] == ticket.id


def test_outbox_keeps_jobs_through_a_redis_outage_and_delivers_after(app, redis_url, make_ticket):
    app.config["REDIS_URL"] = UNREACHABLE_REDIS
    ticket = make_ticket()  # Redis is down: the ticket is still saved...
    assert ticket.id is not None
    assert outbox_count() == 1  # ...and its job is kept

    app.config["REDIS_URL"] = redis_url  # Redis is back
    assert relay_outbox() == 1
    assert outbox_count() == 0
    queue = queue_for_app(app)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(automatic_replies(ticket.id)) == 1


def test_running_a_job_twice_has_the_effect_of_once(app, make_ticket):
    from helpdesk.tickets.tasks import acknowledge

    ticket = make_ticket()
    acknowledge(ticket.id)
    acknowledge(ticket.id)
    assert len(automatic_replies(ticket.id)) == 1


def test_failing_in_process_job_does_not_fail_the_ticket(app, make_ticket, monkeypatch):
    if app.config.get("REDIS_URL"):
        app.config["REDIS_URL"] = None  # this test is about the embedded, in-process path
    from helpdesk import jobs

    def broken(ticket_id):
        raise RuntimeError("SMS gateway exploded")

    monkeypatch.setitem(jobs.TASKS, "tickets.acknowledge", broken)
    ticket = make_ticket()
    assert ticket.id is not None
    job = db.session.scalars(sa.select(OutboxJob)).one()
    assert job.attempts == 1 and "SMS gateway exploded" in job.last_error
