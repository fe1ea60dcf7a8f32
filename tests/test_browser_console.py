"""A real browser on the live console: tickets, counters, the tray, presence and the ticket
page change while the agent watches, without a reload. Screenshots go to test-artifacts/."""

import re

from helpdesk.console import presence, viewers
from helpdesk.console.notifications import notify
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import unit_of_work
from tests.conftest import ARTIFACTS, sign_in


def _open_console(browser, base, user):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, base, user.email)
    page.goto(f"{base}/console")
    expect(page.locator("html")).to_have_attribute("data-console", "connected")
    # Survives only as long as the page is never reloaded.
    page.evaluate("window.__notReloaded = true")
    return page


def test_a_new_ticket_and_a_notification_appear_live(
    live_server, browser, make_user, make_block, make_ticket, api_as
):
    from playwright.sync_api import expect

    presence.reset()
    ARTIFACTS.mkdir(exist_ok=True)
    agent = make_user("agent", name="Asha Menon")
    block = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    make_ticket(actor=agent, block=block.code, subject="Bank asks for a business plan")
    page = _open_console(browser, live_server, agent)
    queue = page.locator("[data-live-queue] tbody tr")
    expect(queue).to_have_count(1)
    expect(page.locator('[data-count-status="new"]')).to_have_text("1")
    expect(page.locator('[data-count-priority="urgent"]')).to_have_text("0")
    expect(queue.first.locator("[data-sla-chip]")).to_contain_text("1st response")

    created = api_as(agent).post(
        "/api/v1/tickets",
        json={
            "subject": "PTS app does not sync",
            "description": "Records of 12 enterprises missing.",
            "category": "pts-mis",
            "priority": "urgent",
            "channel": "phone",
            "language": "hi",
            "block": block.code,
            "requester": {"name": "Sunita Devi", "phone": "9876543210"},
        },
    )
    assert created.status_code == 201
    number = created.get_json()["number"]

    expect(queue).to_have_count(2)
    expect(queue.first).to_contain_text(number)
    expect(queue.first).to_contain_text("PTS app does not sync")
    expect(page.locator('[data-count-status="new"]')).to_have_text("2")
    expect(page.locator('[data-count-priority="urgent"]')).to_have_text("1")
    expect(queue.first.locator("[data-sla-chip]")).to_have_class(re.compile(r"sla-(ok|amber|red)"))

    ticket = db.session.get(Ticket, created.get_json()["id"])
    with unit_of_work():
        notify([agent.id], "escalated", f"{number} was escalated to you", ticket=ticket)
    count = page.locator("[data-tray-count]")
    expect(count).to_have_text("1")
    expect(count).to_be_visible()
    page.locator(".tray-bell").click()
    item = page.locator(".tray-item").first
    expect(item).to_contain_text(f"{number} was escalated to you")
    page.screenshot(path=str(ARTIFACTS / "console.png"), full_page=True)
    item.get_by_role("button", name="Mark read").click()
    expect(count).to_be_hidden()
    assert page.evaluate("window.__notReloaded") is True

    # A resolved ticket leaves the live queue and the counters.
    api_as(agent).patch(f"/api/v1/tickets/{ticket.id}", json={"status": "resolved"})
    expect(queue).to_have_count(1)
    expect(page.locator('[data-count-priority="urgent"]')).to_have_text("0")
    assert page.evaluate("window.__notReloaded") is True


def test_colleagues_viewers_typing_and_a_mentors_answer_appear_live(
    live_server, browser, make_user, make_block, make_ticket, api_as
):
    from playwright.sync_api import expect

    presence.reset()
    viewers.reset()
    asha, ravi = make_user("agent", name="Asha Menon"), make_user("agent", name="Ravi Kumar")
    mentor = make_user("mentor", name="Meera Nair", states=["IN-JH"])
    ticket = make_ticket(actor=asha, block=make_block().code)

    first = _open_console(browser, live_server, asha)
    second = _open_console(browser, live_server, ravi)
    colleagues = first.locator("[data-colleagues]")
    expect(colleagues).to_contain_text("Ravi Kumar")
    second.get_by_role("button", name="Away").click()
    expect(colleagues.locator(".colleague", has_text="Ravi Kumar")).to_contain_text("away")

    first.goto(f"{live_server}/tickets/{ticket.id}")
    second.goto(f"{live_server}/tickets/{ticket.id}")
    expect(first.locator("[data-ticket-viewing]")).to_have_text("Also viewing: Ravi Kumar")
    second.locator("#f-body").press_sequentially("Please send the ")
    expect(first.locator("[data-ticket-viewing]")).to_contain_text("Ravi Kumar is typing")
    first.evaluate("window.__notReloaded = true")

    answer = api_as(mentor).post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Use the benchmarking sheet for the projections."},
    )
    assert answer.status_code == 201
    expect(first.locator("#thread-messages")).to_contain_text("Use the benchmarking sheet")
    expect(first.locator("#thread-messages")).to_contain_text("Meera Nair")
    expect(first.locator(".ticket-title .badges")).to_contain_text("Open")
    expect(first.locator("[data-live-changed]")).to_contain_text("This ticket is now open.")
    assert first.evaluate("window.__notReloaded") is True
    first.screenshot(path=str(ARTIFACTS / "ticket-live.png"), full_page=True)

    second.close()
    expect(first.locator("[data-ticket-viewing]")).to_be_hidden()
