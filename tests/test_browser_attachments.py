"""A real browser: BRC staff photograph a passbook on a phone and raise a ticket with it;
the agent sees the preview on the ticket page and answers with a PDF from the reply box."""

import re

from tests.attachment_files import EXE, PDF, photo
from tests.conftest import ARTIFACTS, sign_in  # noqa: F401  (live_server, browser: fixtures)


def test_a_photo_from_the_portal_on_a_phone_reaches_the_agent_as_a_preview(
    live_server, browser, make_user, make_block
):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    block = make_block(code="JH-TORPA", name="Torpa", district="Khunti", state="IN-JH")
    brc = make_user("brc", block=block, name="Sushila Kandulna")
    agent = make_user("agent", name="Asha Menon")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    sign_in(page, live_server, brc.email)
    page.goto(f"{live_server}/brc/new")
    page.fill("#f-subject", "Passbook entry of the loan is missing")
    page.select_option("#f-category", "bank-linkage")
    page.fill("#f-description", "बैंक ने ऋण की प्रविष्टि नहीं की। Photo of the passbook attached.")

    # A program renamed as a photo: refused, in plain words next to the field.
    page.set_input_files(
        "#f-file-camera", {"name": "passbook.jpg", "mimeType": "image/jpeg", "buffer": EXE}
    )
    expect(page.locator("[data-upload-chosen]")).to_contain_text("passbook.jpg")
    page.get_by_role("button", name="Raise ticket").click()
    expect(page.locator("#file-error")).to_contain_text("this kind of file cannot be attached")
    expect(page.locator("#f-subject")).to_have_value("Passbook entry of the loan is missing")
    page.screenshot(path=str(ARTIFACTS / "attachment-refused-phone.png"), full_page=True)

    # The camera's photo (sideways, as phones store it): accepted, the ticket is raised.
    picture = photo((2000, 1500), orientation=6, gps=True)
    page.set_input_files(
        "#f-file-camera", {"name": "IMG_20260114.jpg", "mimeType": "image/jpeg", "buffer": picture}
    )
    page.get_by_role("button", name="Raise ticket").click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    ticket_url = page.url
    preview = page.locator(".thread .attachment-photo img")
    expect(preview).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "attachment-portal-phone.png"), full_page=True)
    phone.close()

    desk = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(desk, live_server, agent.email)
    desk.goto(ticket_url)
    preview = desk.locator(".thread .attachment-photo img")
    expect(preview).to_have_count(1)
    # A function, not a bare expression: Playwright evaluates those with eval, which the
    # Content-Security-Policy refuses.
    desk.wait_for_function(
        "() => document.querySelector('.thread .attachment-photo img').naturalWidth > 0"
    )
    # Upright (portrait) and small: the preview, not the 2000 px original.
    size = preview.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [360, 480]
    href = desk.locator(".thread .attachment-photo").get_attribute("href")
    full = desk.request.get(f"{live_server}{href}")
    assert full.status == 200 and full.body() == picture

    # The agent answers with a 3 MB scan from the reply box: past the 1 MB of ordinary
    # forms, through the CSRF check as in production.
    desk.fill("#f-body", "Please take this letter to the bank manager.")
    scan = PDF + b" " * (3 * 1024 * 1024)
    desk.set_input_files(
        "#f-file", {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": scan}
    )
    desk.get_by_role("button", name="Send").click()
    expect(desk.locator(".flash-success")).to_contain_text("Reply sent.")
    expect(desk.locator(".thread .attachment-chip")).to_contain_text("letter.pdf")
    desk.screenshot(path=str(ARTIFACTS / "attachment-agent-ticket.png"), full_page=True)
