"""Attaching files to tickets through the API: types from the bytes, size limit, who may
attach and fetch, internal notes, download headers, and nothing left behind on failure."""

import json
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpdesk import signals
from helpdesk.attachments.models import Attachment
from helpdesk.extensions import db
from helpdesk.tickets.models import TicketEvent
from tests.attachment_files import (
    DOCM,
    DOCX,
    EXE,
    ODS,
    ODT,
    PDF,
    XLSX,
    fetch,
    files_on_disk,
    photo,
    plain_zip,
    upload,
)

HINDI_CSV = "नाम,राशि\nसुनीता देवी,5000\n".encode()


def attachment_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment))


@pytest.fixture
def agent(make_user):
    return make_user("agent")


@pytest.fixture
def ticket(make_ticket, agent):
    return make_ticket(agent)


ACCEPTED = [
    ("ledger.jpg", lambda: photo((64, 48)), "image/jpeg", "ledger.jpg"),
    ("passbook.png", lambda: photo((64, 48), fmt="PNG"), "image/png", "passbook.png"),
    ("plan.webp", lambda: photo((64, 48), fmt="WEBP"), "image/webp", "plan.webp"),
    ("IMG_0001.HEIC", lambda: photo((64, 48), fmt="HEIF"), "image/heic", "IMG_0001.HEIC"),
    ("plan.pdf", lambda: PDF, "application/pdf", "plan.pdf"),
    # The name says photo, the bytes say PDF: it is a PDF, and downloads as one.
    ("ledger.jpg", lambda: PDF, "application/pdf", "ledger.pdf"),
    ("notes.txt", lambda: "बैंक खाता नंबर सही है\n".encode(), "text/plain", "notes.txt"),
    ("members.csv", lambda: HINDI_CSV, "text/csv", "members.csv"),
    (
        "plan.docx",
        lambda: DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "plan.docx",
    ),
    (
        "accounts.xlsx",
        lambda: XLSX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "accounts.xlsx",
    ),
    ("plan.odt", lambda: ODT, "application/vnd.oasis.opendocument.text", "plan.odt"),
    ("sheet.ods", lambda: ODS, "application/vnd.oasis.opendocument.spreadsheet", "sheet.ods"),
    # A document saved without its extension is still the document.
    (
        "plan",
        lambda: DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "plan.docx",
    ),
]


@pytest.mark.parametrize(
    "name, make, content_type, stored_name", ACCEPTED, ids=[f"{a[0]}-{a[2]}" for a in ACCEPTED]
)
def test_the_type_is_decided_by_the_bytes(
    api_as, agent, ticket, name, make, content_type, stored_name
):
    data = make()
    response = upload(api_as(agent), ticket.id, data, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == content_type
    assert body["filename"] == stored_name
    assert body["size"] == len(data)
    assert body["url"] == f"/api/v1/attachments/{body['id']}/file"
    fetched = fetch(api_as(agent), body["url"])
    assert fetched.status_code == 200
    assert fetched.data == data
    assert fetched.mimetype == content_type


REFUSED = [
    ("photo.jpg", EXE),  # a program renamed as a photo
    ("setup.exe", EXE),
    ("documents.zip", plain_zip()),
    ("plan.docx", DOCM),  # a Word document with macros, named as one without
    ("data.jpg", bytes(range(256)) * 4),  # binary that is nothing known
    ("song.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 200),
    ("page.txt", b"<html>\x00\x01\x02</html>"),
]


@pytest.mark.parametrize("name, data", REFUSED, ids=[r[0] for r in REFUSED])
def test_other_types_are_refused_and_nothing_is_kept(app, api_as, agent, ticket, name, data):
    response = upload(api_as(agent), ticket.id, data, name)
    assert response.status_code == 415
    error = response.get_json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "PDF" in error["message"]
    assert error["fields"] == {"file": f"{name}: this kind of file cannot be attached."}
    assert files_on_disk(app) == []
    assert attachment_count() == 0


def test_a_file_over_the_limit_is_413_with_nothing_on_disk_or_in_the_database(
    app, api_as, agent, ticket
):
    app.config["MAX_ATTACHMENT_MB"] = 1
    too_big = PDF + b" " * (1024 * 1024)
    response = upload(api_as(agent), ticket.id, too_big, "plan.pdf")
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == "The file is larger than 1 MB."
    # Far past the limit the request itself is refused before it is read.
    response = upload(api_as(agent), ticket.id, too_big * 3, "plan.pdf")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert files_on_disk(app) == []
    assert attachment_count() == 0
    events = db.session.scalars(sa.select(TicketEvent.kind)).all()
    assert "attachment" not in events


def test_a_10_mb_upload_goes_through_while_json_bodies_keep_their_1_mb_limit(api_as, agent, ticket):
    assert (
        upload(api_as(agent), ticket.id, PDF + b" " * (9 * 1024 * 1024), "plan.pdf").status_code
        == 201
    )
    big_json = json.dumps({"body": "x" * (2 * 1024 * 1024)})
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages", data=big_json, content_type="application/json"
    )
    assert response.status_code == 413


def test_bad_uploads_get_clear_4xx(api_as, agent, ticket):
    api = api_as(agent)
    as_json = api.post(f"/api/v1/tickets/{ticket.id}/attachments", json={"file": "x"})
    assert as_json.status_code == 415
    no_part = api.post(
        f"/api/v1/tickets/{ticket.id}/attachments",
        data={"other": "x"},
        content_type="multipart/form-data",
    )
    assert no_part.status_code == 422 and no_part.get_json()["error"]["fields"] == {
        "file": "required"
    }
    empty = upload(api, ticket.id, b"", "empty.pdf")
    assert empty.status_code == 422
    assert upload(api, ticket.id, PDF, "a.pdf", message="12345").status_code == 422
    assert upload(api, ticket.id, PDF, "a.pdf", message="abc").status_code == 422
    assert upload(api, ticket.id, PDF, "a.pdf", message="9" * 30).status_code == 422
    assert upload(api, 999999, PDF, "a.pdf").status_code == 404


def test_brc_staff_attach_to_their_blocks_tickets_and_another_block_gets_404(
    app, api_as, make_user, make_ticket
):
    brc = make_user("brc")
    stranger = make_user("brc")  # BRC staff of another block
    ticket = make_ticket(brc)
    response = upload(api_as(brc), ticket.id, photo((80, 60)), "ledger.jpg")
    assert response.status_code == 201
    url = response.get_json()["url"]

    assert upload(api_as(stranger), ticket.id, PDF, "plan.pdf").status_code == 404
    assert fetch(api_as(stranger), url).status_code == 404
    thumbnail = response.get_json()["thumbnail_url"]
    assert fetch(api_as(stranger), thumbnail).status_code == 404
    assert api_as(stranger).get(url.removesuffix("/file")).status_code == 404
    assert len(files_on_disk(app)) == 2  # the photo and its preview, nothing of the stranger's
    assert app.test_client().get(url).status_code == 401

    listed = api_as(make_user("agent")).get(f"/api/v1/tickets/{ticket.id}").get_json()
    assert [a["filename"] for a in listed["attachments"]] == ["ledger.jpg"]


def test_a_file_of_an_internal_note_is_never_shown_to_brc_staff(api_as, make_user, make_ticket):
    brc, agent = make_user("brc"), make_user("agent")
    ticket = make_ticket(brc)
    note = api_as(agent).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Bank manager's letter, for us only", "internal": True},
    )
    secret = upload(api_as(agent), ticket.id, PDF, "letter.pdf", message=str(note.get_json()["id"]))
    assert secret.status_code == 201 and secret.get_json()["message"] == note.get_json()["id"]
    public = upload(api_as(agent), ticket.id, PDF, "form.pdf")

    as_brc = api_as(brc).get(f"/api/v1/tickets/{ticket.id}").get_json()
    assert [a["filename"] for a in as_brc["attachments"]] == ["form.pdf"]
    assert fetch(api_as(brc), secret.get_json()["url"]).status_code == 404
    assert fetch(api_as(brc), public.get_json()["url"]).status_code == 200
    as_agent = api_as(agent).get(f"/api/v1/tickets/{ticket.id}").get_json()
    assert [a["filename"] for a in as_agent["attachments"]] == ["letter.pdf", "form.pdf"]
    listed = api_as(brc).get("/api/v1/tickets").get_json()["items"][0]
    assert [a["filename"] for a in listed["attachments"]] == ["form.pdf"]

    # BRC staff cannot attach to the note either: to them it does not exist.
    note_id = str(note.get_json()["id"])
    refused = upload(api_as(brc), ticket.id, PDF, "mine.pdf", message=note_id)
    assert refused.status_code == 422


def test_downloads_carry_protective_headers(api_as, agent, ticket):
    api = api_as(agent)
    image = upload(api, ticket.id, photo((64, 48)), "खाता बही.jpg").get_json()
    pdf = upload(api, ticket.id, PDF, "plan.pdf").get_json()
    sheet = upload(api, ticket.id, XLSX, "accounts.xlsx").get_json()
    text = upload(api, ticket.id, HINDI_CSV, "members.csv").get_json()

    for item in (image, pdf, sheet, text):
        response = fetch(api, item["url"])
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"].startswith("private")
    image_disposition = fetch(api, image["url"]).headers["Content-Disposition"]
    assert image_disposition.startswith("inline")
    # A Unicode name in RFC 5987 form, with an ASCII fallback.
    assert "filename*=UTF-8''%E0%A4%96" in image_disposition
    assert fetch(api, pdf["url"]).headers["Content-Disposition"] == "inline; filename=plan.pdf"
    assert fetch(api, sheet["url"]).headers["Content-Disposition"] == (
        "attachment; filename=accounts.xlsx"
    )
    csv = fetch(api, text["url"])
    assert csv.headers["Content-Disposition"].startswith("attachment")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    # A file opened on its own runs nothing.
    assert "sandbox" in fetch(api, image["url"]).headers["Content-Security-Policy"]


def test_attaching_is_a_ticket_event_and_the_file_is_stored_under_a_random_name(
    app, api_as, agent, ticket
):
    body = upload(api_as(agent), ticket.id, PDF, "../../etc/plan.pdf").get_json()
    assert body["filename"] == "plan.pdf"
    event = db.session.scalars(sa.select(TicketEvent).where(TicketEvent.kind == "attachment")).one()
    assert (event.actor_id, event.new_value) == (agent.id, "plan.pdf")
    stored = files_on_disk(app)
    assert len(stored) == 1 and "plan" not in stored[0].name
    assert stored[0].is_relative_to(Path(app.config["ATTACHMENTS_DIR"]))


def test_the_file_is_removed_when_the_commit_fails(app, api_as, agent, ticket):
    def fail(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    signals.unit_of_work_before_commit.connect(fail)
    try:
        response = upload(api_as(agent), ticket.id, photo((640, 480)), "ledger.jpg")
    finally:
        signals.unit_of_work_before_commit.disconnect(fail)
    assert response.status_code == 500
    assert files_on_disk(app) == []  # neither the photo nor its preview
    assert attachment_count() == 0
    # And the next upload works as usual.
    assert upload(api_as(agent), ticket.id, PDF, "plan.pdf").status_code == 201
    assert len(files_on_disk(app)) == 1


def test_a_closed_ticket_takes_no_more_files(api_as, agent, ticket):
    api = api_as(agent)
    assert api.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "closed"}).status_code == 200
    assert upload(api, ticket.id, PDF, "late.pdf").status_code == 409


def test_the_sweep_deletes_old_files_no_attachment_names_and_keeps_the_rest(
    app, runner, api_as, agent, ticket
):
    assert upload(api_as(agent), ticket.id, photo((64, 48)), "ledger.jpg").status_code == 201
    kept = files_on_disk(app)
    assert kept  # the photo (and its thumbnail, if made)
    root = Path(app.config["ATTACHMENTS_DIR"])
    (root / "ab").mkdir(exist_ok=True)
    orphan, fresh = root / "ab" / ("ab" + "0" * 38), root / "ab" / ("ab" + "1" * 38)
    orphan.write_bytes(b"left by a crash")
    fresh.write_bytes(b"an upload still committing")
    two_days_ago = time.time() - 2 * 86400
    for path in [orphan, *kept]:
        os.utime(path, (two_days_ago, two_days_ago))

    result = runner.invoke(args=["attachments", "sweep"])
    assert result.exit_code == 0 and "deleted 1 orphan file(s)" in result.output
    assert sorted(files_on_disk(app)) == sorted([*kept, fresh])
