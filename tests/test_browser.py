"""A real browser against a real server: an agent logs a call from a known number with the
keyboard, and finds the new ticket in the queue. Screenshots go to test-artifacts/."""

import re

from tests.conftest import ARTIFACTS, sign_in  # noqa: F401  (live_server, browser: fixtures)


def test_agent_logs_a_call_with_the_keyboard(
    live_server, browser, make_user, make_block, make_ticket
):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    agent = make_user("agent", name="Asha Menon")
    block = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    make_block(code="KA-GANGAVATHI", name="Gangavathi", district="Koppal", state="IN-KA")
    earlier = make_ticket(actor=agent, block=block.code, subject="Bank asks for a business plan")
    make_ticket(actor=agent, subject="PTS app does not sync", priority="urgent", category="pts-mis")

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, agent.email)
    expect(page).to_have_url(re.compile(r"/tickets$"))

    page.get_by_role("link", name="Log a call").first.click()
    expect(page).to_have_url(re.compile(r"/tickets/new$"))
    # the URL changes before the page has loaded; the phone field takes focus when it has
    expect(page.locator("[name=requester_phone]")).to_be_focused()
    page.keyboard.press("Control+Enter")  # nothing filled in: errors, next to the fields
    expect(page.locator("#subject-error")).to_have_text("Subject is required.")
    expect(page.locator("#category-error")).to_have_text("Category is required.")
    page.screenshot(path=str(ARTIFACTS / "log-a-call-errors.png"), full_page=True)
    assert page.evaluate("document.activeElement.name") == "requester_phone"
    page.keyboard.type("098765 43210")
    expect(page.locator("#f-requester_name")).to_have_value("Sunita Devi")
    expect(page.locator("#f-block")).to_have_value("JH-KHUNTPANI")
    expect(page.locator("#caller-info")).to_contain_text(earlier.number)

    page.select_option("#f-category", "bank-linkage")
    page.select_option("#f-priority", "high")
    page.fill("#f-subject", "Loan for a Nutrimix unit")
    page.fill("#f-description", "बैंक ने व्यवसाय योजना माँगी है। Needs help with projections.")
    page.screenshot(path=str(ARTIFACTS / "log-a-call.png"), full_page=True)
    page.focus("#f-description")
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    number = f"KS-{int(page.url.rsplit('/', 1)[1]):06d}"
    expect(page.locator(".flash-success")).to_contain_text(f"Ticket {number} logged.")
    expect(page.locator("h1")).to_have_text("Loan for a Nutrimix unit")
    page.screenshot(path=str(ARTIFACTS / "ticket.png"), full_page=True)

    page.get_by_role("link", name="Queue").first.click()
    expect(page.locator("table.queue")).to_contain_text(number)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)


def test_brc_portal_on_a_phone(live_server, browser, make_user, make_block, make_ticket):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    block = make_block(code="KL-VADAVUCODE", name="Vadavucode", district="Ernakulam", state="IN-KL")
    brc = make_user("brc", block=block, name="Rekha Nair")
    ticket = make_ticket(block=block.code, subject="Café Kudumbashree menu costing")

    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(page, live_server, brc.email)
    expect(page).to_have_url(re.compile(r"/brc$"))
    expect(page.locator(".cards")).to_contain_text(ticket.number)
    page.screenshot(path=str(ARTIFACTS / "brc-portal-phone.png"), full_page=True)

    page.get_by_role("link", name=ticket.subject).click()
    page.fill("#f-body", "We have sent the menu and the price list.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash-success")).to_contain_text("Reply sent.")
    expect(page.locator(".thread")).to_contain_text("We have sent the menu")
    assert page.locator("input[name=internal]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "brc-ticket-phone.png"), full_page=True)
