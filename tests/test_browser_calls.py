"""The agent's screen during a call, in a real browser: the incoming-call toast and the
screen-pop with the caller's ticket, driven through the telephony API."""

import re

from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, sign_in  # noqa: F401  (live_server, browser: fixtures)

TOKEN = "cti-shared-secret"


def test_an_answered_call_pops_the_callers_ticket_on_the_agents_screen(
    app, client, live_server, browser, make_user, make_ticket
):
    app.config["CTI_TOKEN"] = TOKEN
    agent = make_user("agent")
    ticket = make_ticket(
        subject="Bank asks for a business plan",
        requester={"name": "Sunita Devi", "phone": "+919876543210"},
    )
    page = browser.new_page()
    sign_in(page, live_server, agent.email)
    page.wait_for_function("() => window.consoleSocket && window.consoleSocket.connected")

    def cti(event, **fields):
        body = {
            "event": event,
            "call_id": "pop-1",
            "from": "098765 43210",
            "to": "08022223333",
            "direction": "in",
        } | fields
        response = client.post("/api/v1/cti/events", json=body, headers={"X-CTI-Token": TOKEN})
        assert response.status_code == 200, response.json

    cti("newCall")
    toast = page.locator(".call-incoming")
    expect(toast).to_contain_text("Sunita Devi")
    expect(toast).to_contain_text(ticket.number)

    cti("answer", user=agent.email)
    pop = page.locator(".call-screenpop")
    expect(pop).to_contain_text("Sunita Devi")
    expect(pop).to_contain_text("+919876543210")
    link = pop.get_by_role("link", name=f"Open {ticket.number}")
    expect(link).to_have_attribute("href", f"/tickets/{ticket.id}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "call-screenpop.png"), full_page=False)

    pop.get_by_role("link", name="Log a new call").click()
    page.wait_for_url(re.compile(r"/tickets/new\?phone="))
    expect(page.locator("#f-requester_phone")).to_have_value("+919876543210")
    expect(page.locator("#f-requester_name")).to_have_value("Sunita Devi")
    page.close()
