"""Attachments on the web pages: the reply box of the ticket page (agents and BRC staff)
and the portal's new-ticket form; the thread shows previews and file chips."""

import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from helpdesk.attachments.models import Attachment
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket
from tests.attachment_files import EXE, PDF, files_on_disk, multipart, photo


def post_form(client, url: str, fields: dict, files: list[tuple[bytes, str]] = ()):
    body = dict(fields)
    parts = [("file", FileStorage(io.BytesIO(data), name)) for data, name in files]
    return client.post(url, **multipart(list(body.items()) + parts))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def agent(make_user):
    return make_user("agent")


def test_an_agent_replies_with_a_photo_and_the_thread_shows_its_preview(
    client, login_as, agent, make_ticket
):
    ticket = make_ticket(agent)
    login_as(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page

    response = post_form(
        client,
        f"/tickets/{ticket.id}/messages",
        {"body": "Here is the corrected page"},
        [(photo((1200, 900)), "ledger.jpg"), (PDF, "plan.pdf")],
    )
    assert response.status_code == 302
    message = db.session.scalars(sa.select(Message).where(Message.author_id == agent.id)).one()
    attachments = db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()
    assert [(a.filename, a.message_id) for a in attachments] == [
        ("ledger.jpg", message.id),
        ("plan.pdf", message.id),
    ]
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    photo_id, pdf_id = attachments[0].id, attachments[1].id
    assert f'<img src="/api/v1/attachments/{photo_id}/thumbnail"' in page
    assert f'href="/api/v1/attachments/{photo_id}/file"' in page
    assert f'href="/api/v1/attachments/{pdf_id}/file"' in page and "plan.pdf" in page
    assert 'attached <span class="to">ledger.jpg</span>' in page  # the history
    # The live console's redraw of the thread shows them too.
    thread = client.get(f"/console/tickets/{ticket.id}/thread").get_data(as_text=True)
    assert f"/api/v1/attachments/{photo_id}/thumbnail" in thread


def test_a_reply_of_a_photo_alone_says_so_and_reopens_a_pending_ticket(
    client, login_as, make_user, make_ticket, api_as
):
    brc = make_user("brc")
    ticket = make_ticket(brc)
    patched = api_as(make_user("agent")).patch(
        f"/api/v1/tickets/{ticket.id}", json={"status": "pending"}
    )
    assert patched.get_json()["status"] == "pending"
    login_as(brc)
    response = post_form(
        client, f"/tickets/{ticket.id}/messages", {"body": ""}, [(photo((300, 200)), "IMG.jpg")]
    )
    assert response.status_code == 302
    message = db.session.scalars(sa.select(Message).where(Message.author_id == brc.id)).one()
    assert message.body == "Sent IMG.jpg"
    db.session.refresh(ticket)
    assert ticket.status == "open"


def test_a_refused_file_is_explained_next_to_the_field_and_nothing_is_written(
    app, client, login_as, agent, make_ticket
):
    ticket = make_ticket(agent)
    login_as(agent)
    response = post_form(
        client,
        f"/tickets/{ticket.id}/messages",
        {"body": "See the photo"},
        [(photo((300, 200)), "ok.jpg"), (EXE, "ledger.jpg")],
    )
    assert response.status_code == 415
    page = response.get_data(as_text=True)
    assert re.search(
        r'<p class="field-error" id="file-error">ledger.jpg: this kind of file cannot', page
    )
    assert "See the photo" in page  # what was typed is kept
    assert db.session.scalars(sa.select(Message).where(Message.author_id == agent.id)).all() == []
    assert count(Attachment) == 0 and files_on_disk(app) == []


def test_a_too_large_file_is_refused_in_plain_words(app, client, login_as, agent, make_ticket):
    app.config["MAX_ATTACHMENT_MB"] = 1
    ticket = make_ticket(agent)
    login_as(agent)
    response = post_form(
        client,
        f"/tickets/{ticket.id}/messages",
        {"body": "Scan"},
        [(PDF + b" " * (1024 * 1024), "scan.pdf")],
    )
    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)
    assert count(Attachment) == 0 and files_on_disk(app) == []


def test_files_of_an_internal_note_stay_with_the_call_centre(
    client, login_as, make_user, make_ticket
):
    brc, agent = make_user("brc"), make_user("agent")
    ticket = make_ticket(brc)
    login_as(agent)
    post_form(
        client,
        f"/tickets/{ticket.id}/messages",
        {"body": "Manager's letter", "internal": "on"},
        [(PDF, "bank-letter.pdf")],
    )
    assert "bank-letter.pdf" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    client.post("/logout")
    login_as(brc)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "bank-letter.pdf" not in page  # neither in the thread nor in the history
    thread = client.get(f"/console/tickets/{ticket.id}/thread").get_data(as_text=True)
    assert "bank-letter.pdf" not in thread


def test_brc_staff_raise_a_ticket_with_a_photo_from_the_portal(app, client, login_as, make_user):
    brc = make_user("brc")
    login_as(brc)
    form = client.get("/brc/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'capture="environment"' in form
    fields = {
        "subject": "Passbook entry missing",
        "category": "bank-linkage",
        "description": "The bank did not enter the loan. Photo attached.",
        "language": "hi",
        "priority": "normal",
    }
    response = post_form(client, "/brc/new", fields, [(photo((2000, 1500)), "passbook.jpg")])
    assert response.status_code == 302
    ticket = db.session.scalars(sa.select(Ticket)).one()
    attachment = db.session.scalars(sa.select(Attachment)).one()
    assert (attachment.ticket_id, attachment.message_id) == (ticket.id, None)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f"/api/v1/attachments/{attachment.id}/thumbnail" in page


def test_a_portal_ticket_with_a_refused_file_is_not_raised(app, client, login_as, make_user):
    login_as(make_user("brc"))
    fields = {
        "subject": "Passbook entry missing",
        "category": "bank-linkage",
        "description": "Photo attached.",
    }
    response = post_form(client, "/brc/new", fields, [(EXE, "passbook.jpg")])
    assert response.status_code == 415
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert count(Ticket) == 0 and count(Attachment) == 0 and files_on_disk(app) == []


def test_the_redirect_the_upload_script_follows_is_answered_empty_and_keeps_the_flash(
    client, login_as, agent, make_ticket
):
    """The script goes to the page itself after: a 2G phone downloads it once, and
    "Reply sent." shows on that visit."""
    ticket = make_ticket(agent)
    login_as(agent)
    post_form(client, f"/tickets/{ticket.id}/messages", {"body": "Done"}, [(PDF, "plan.pdf")])
    followed = client.get(f"/tickets/{ticket.id}", headers={"X-Upload-Follow": "1"})
    assert followed.status_code == 204 and followed.data == b""
    assert "Reply sent." in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
