"""In a real browser: the reply box's canned-response picker driven by the keyboard, and
merging a duplicate from the ticket page (with its confirmation)."""

import re

from playwright.sync_api import expect

from helpdesk.extensions import db
from helpdesk.replies.models import CannedResponse
from tests.conftest import ARTIFACTS, sign_in  # noqa: F401  (live_server, browser: fixtures)


def test_slash_opens_the_picker_typing_filters_and_enter_inserts_the_filled_text(
    live_server, browser, make_user, make_ticket
):
    agent = make_user("agent", name="Asha Menon")
    ticket = make_ticket(agent, requester={"name": "Sunita Devi", "phone": "9876543210"})
    for title, body in (
        (
            "Bank visit",
            "Namaste {requester_name}, please take the papers to the bank. ({ticket_number})",
        ),
        ("Training dates", "The next training is on Monday. {agent_name}"),
    ):
        db.session.add(
            CannedResponse(title=title, body=body, language="hi", owner=None, usage_count=0)
        )
    db.session.commit()

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, agent.email)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    box = page.locator("#f-body")
    box.focus()
    page.keyboard.type("/")
    picker = page.locator("[data-response-picker]")
    expect(picker).to_be_visible()
    expect(picker.get_by_role("option")).to_have_count(2)
    page.keyboard.type("bank")
    expect(picker.get_by_role("option")).to_have_count(1)
    expect(picker.get_by_role("option")).to_contain_text("Bank visit")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reply-picker.png"), full_page=False)
    page.keyboard.press("Enter")

    filled = f"Namaste Sunita Devi, please take the papers to the bank. ({ticket.number})"
    expect(box).to_have_value(filled)
    expect(picker).to_be_hidden()
    page.keyboard.press("Control+Enter")
    expect(page.locator(".flash-success")).to_contain_text("Reply sent.")
    expect(page.locator("#thread-messages")).to_contain_text(filled)
    db.session.expire_all()
    assert db.session.query(CannedResponse).filter_by(title="Bank visit").one().usage_count == 1
    page.close()


def test_an_agent_merges_a_duplicate_from_the_ticket_page(
    live_server, browser, make_user, make_block, make_ticket
):
    agent = make_user("agent")
    block = make_block()
    target = make_ticket(agent, block=block.code, subject="Loan papers for the bank")
    source = make_ticket(agent, block=block.code, subject="Loan papers again")

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, agent.email)
    page.goto(f"{live_server}/tickets/{source.id}")
    panel = page.locator(".duplicates-panel")
    expect(panel).to_contain_text(target.number)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    button = panel.get_by_role("button", name=f"Merge into {target.number}")
    button.click()  # dismissed: nothing happens
    expect(page).to_have_url(re.compile(rf"/tickets/{source.id}$"))
    button.click()  # accepted
    expect(page).to_have_url(re.compile(rf"/tickets/{target.id}$"))
    assert asked[0].startswith(f"Merge {source.number} into {target.number}?")
    expect(page.locator(".flash-success")).to_contain_text(
        f"{source.number} merged into {target.number}."
    )
    expect(page.locator("#thread-messages")).to_contain_text(f"Merged from {source.number}")

    page.goto(f"{live_server}/tickets/{source.id}")
    expect(page.locator(".merged-note")).to_contain_text(f"Merged into {target.number}")
    page.locator(".merged-note").get_by_role("link", name=target.number).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{target.id}$"))
    page.close()
