"""`flask --app wsgi tickets import FILE`: JSON and CSV call logs, batch by batch."""

import json

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

CSV_HEADER = (
    "ticket,created_at,created_by,subject,description,category,priority,channel,"
    "language,block,requester_name,requester_phone,event_at,event_type,event_by,"
    "event_body,event_status\n"
)


@pytest.fixture
def setup(make_user, make_block):
    make_block(code="BEGUN")
    make_user("agent", email="agent@example.org")


def ticket(n: int, **overrides) -> dict:
    return {
        "subject": f"Old call {n}",
        "description": "Asked about the MEC fee.",
        "category": "business-plan",
        "block": "BEGUN",
        "created_at": f"2026-09-{n:02d}T10:00:00+05:30",
        "created_by": "agent@example.org",
        "events": [
            {
                "at": f"2026-09-{n:02d}T11:00:00+05:30",
                "type": "reply",
                "by": "agent@example.org",
                "body": "Answered on the phone.",
            }
        ],
    } | overrides


def ticket_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))


def test_json_file_in_batches_with_progress(runner, setup, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"tickets": [ticket(n) for n in range(1, 6)]}))
    result = runner.invoke(args=["tickets", "import", str(path), "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "importing" in result.output and "imported 5 ticket(s) in 3 batch(es)" in result.output
    assert ticket_count() == 5
    first = db.session.scalar(sa.select(Ticket).order_by(Ticket.id))
    assert first.subject == "Old call 1" and first.first_response_at is not None


def test_a_bad_json_ticket_stops_at_its_batch_and_says_what_was_imported(runner, setup, tmp_path):
    tickets = [ticket(n) for n in range(1, 6)]
    tickets[3]["events"][0]["by"] = "ghost@example.org"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(tickets))
    result = runner.invoke(args=["tickets", "import", str(path), "--batch-size", "2"])
    assert result.exit_code == 1
    assert "batch 2 (tickets 3-4 of the file) was not imported" in result.output
    assert "ticket 4 (tickets[3].events[0].by): no such user" in result.output
    assert "1 batch(es) with 2 ticket(s) were imported before it" in result.output
    assert "--skip 2" in result.output
    assert ticket_count() == 2  # the first batch stays, the bad one left nothing

    tickets[3]["events"][0]["by"] = "agent@example.org"
    path.write_text(json.dumps(tickets))
    again = runner.invoke(args=["tickets", "import", str(path), "--skip", "2"])
    assert again.exit_code == 0 and ticket_count() == 5


def write_csv(tmp_path, rows: str):
    path = tmp_path / "calls.csv"
    path.write_text(CSV_HEADER + rows, encoding="utf-8")
    return path


def test_csv_call_log_one_row_per_event(runner, setup, tmp_path):
    path = write_csv(
        tmp_path,
        (
            "C-1,2026-10-01 16:00+05:30,agent@example.org,Loan papers,Which documents?,business-plan,"
            "high,phone,hi,BEGUN,Sunita Devi,09876543210,2026-10-03 10:00+05:30,reply,"
            "agent@example.org,Form 12.,\n"
            "C-1,,,,,,,,,,,,2026-10-03 11:00+05:30,status,agent@example.org,,resolved\n"
            'C-2,2026-10-05 09:30+05:30,agent@example.org,"PTS app, login","It says ""wrong '
            'PIN""",pts-mis,,sms,hi,BEGUN,,,,,,,\n'
        ),
    )
    result = runner.invoke(args=["tickets", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 ticket(s) in 1 batch(es)" in result.output
    first, second = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
    assert first.status == "resolved" and first.priority == "high"
    assert first.requester.phone == "+919876543210" and len(first.messages) == 1
    assert second.subject == "PTS app, login" and second.description == 'It says "wrong PIN"'
    assert second.status == "new" and second.channel == "sms"


def test_csv_bad_row_is_named_by_line_and_column(runner, setup, tmp_path):
    path = write_csv(
        tmp_path,
        (
            "C-1,2026-10-01 16:00+05:30,agent@example.org,Loan papers,Which documents?,business-plan,"
            ",phone,hi,BEGUN,,,,,,,\n"
            "C-2,2026-10-02 16:00+05:30,agent@example.org,Fee,MEC fee?,business-plan,,phone,hi,BEGUN,"
            ",,2026-10-03 10:00+05:30,reply,agent@example.org,Paid by CLF.,\n"
            "C-2,,,,,,,,,,,,2026-10-03 09:00,reply,agent@example.org,Later.,\n"
        ),
    )
    result = runner.invoke(args=["tickets", "import", str(path)])
    assert result.exit_code == 1
    assert "line 4 (event_at): Input should have timezone info" in result.output
    assert "0 batch(es) with 0 ticket(s) were imported before it" in result.output
    assert ticket_count() == 0


def test_csv_missing_columns_and_unreadable_json_are_refused(runner, setup, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("ticket,subject\nC-1,Hello\n")
    result = runner.invoke(args=["tickets", "import", str(path)])
    assert result.exit_code == 1 and "missing CSV column(s): created_at" in result.output
    path = tmp_path / "calls.json"
    path.write_text("{not json")
    result = runner.invoke(args=["tickets", "import", str(path)])
    assert result.exit_code == 1 and "not a JSON file" in result.output
