"""An agent with a caller waiting, on a 1366x768 screen: the ticket's status, priority,
assignee and escalation are in view without scrolling, and one click sends the answer and
resolves the ticket."""

import re

from flask_babel import force_locale

from helpdesk.templating import duration
from helpdesk.tickets.schemas import MessageCreate
from helpdesk.tickets.services import add_message
from tests.conftest import ARTIFACTS, sign_in


def test_an_agent_answers_and_resolves_without_scrolling(
    app, live_server, browser, make_user, make_ticket
):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    agent = make_user("agent", name="Asha Menon")
    make_user("mentor", skills=["business-plan"], languages=["hi"], states=["IN-JH"])
    ticket = make_ticket(actor=agent, description="The bank asked for a business plan. " * 12)
    earlier = make_ticket(actor=agent, subject="Earlier question about the MoU")
    for n in range(4):
        add_message(ticket, agent, MessageCreate(body=f"Follow-up {n}: " + "details " * 30))

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, live_server, agent.email)
    expect(page).to_have_url(re.compile(r"/console$"))
    page.goto(f"{live_server}/tickets/{ticket.id}")

    assert page.evaluate("window.scrollY") == 0
    for control in (
        page.locator("#u-status"),
        page.locator("#u-priority"),
        page.locator("#u-assignee"),
        page.get_by_role("button", name="Save changes"),
        page.locator("summary", has_text="Escalate to a mentor"),
    ):
        box = control.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    expect(page.locator(".caller-tickets")).to_contain_text(earlier.number)
    page.screenshot(path=str(ARTIFACTS / "ticket-1366x768.png"))

    # The console's JavaScript reads durations by the same rule as the server.
    for minutes in (0, 45, 60, 200, 1440, 3150):
        assert page.evaluate(f"helpdeskDuration({minutes})") == duration(minutes)

    page.fill("#f-body", "Use the CREAM business plan format; the bank accepts it.")
    page.get_by_role("button", name="Send and resolve", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text("Reply sent and the ticket is resolved.")
    expect(page.locator(".ticket-head .badges")).to_contain_text("Resolved")
    expect(page.locator(".thread")).to_contain_text("CREAM business plan format")

    # In Hindi too, the script and the server say a duration alike ("2 दिन 4 घंटे").
    page.locator("a[data-lang=hi]").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    with app.test_request_context(), force_locale("hi"):
        hindi = {minutes: duration(minutes) for minutes in (0, 1, 45, 60, 200, 1440, 3150)}
    assert hindi[3150] == "2 दिन 4 घंटे" and hindi[60] == "1 घंटा"
    for minutes, words in hindi.items():
        assert page.evaluate(f"helpdeskDuration({minutes})") == words
