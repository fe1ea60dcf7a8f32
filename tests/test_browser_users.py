"""A real browser: an admin creates a user from the Users page and deactivates them; the
new user's open page is sent to the sign-in page at once. Screenshots go to test-artifacts/."""

import re

from helpdesk.console import connections, presence
from tests.conftest import ARTIFACTS, sign_in


def test_admin_creates_a_user_then_deactivates_them_and_their_page_signs_out(
    live_server, browser, make_user
):
    from playwright.sync_api import expect

    presence.reset()
    connections.reset()
    ARTIFACTS.mkdir(exist_ok=True)
    admin = make_user("admin", name="Anita Admin")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(page, live_server, admin.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("link", name="New user").click()
    page.fill("#f-name", "Ravi Kumar")
    page.fill("#f-email", "ravi.kumar@example.org")
    page.select_option("#f-role", "agent")
    page.fill("#f-password", "short")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator("#password-error")).to_have_text("at least 8 characters")
    page.fill("#f-password", "correct-horse-1")  # the conftest password: sign_in types it
    page.get_by_label("हिन्दी (Hindi)").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".flash-success")).to_contain_text("Ravi Kumar can now sign in")
    page.screenshot(path=str(ARTIFACTS / "users-edit.png"), full_page=True)

    # Ravi signs in elsewhere and has a live page open.
    ravi = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(ravi, live_server, "ravi.kumar@example.org")
    expect(ravi.locator("html")).to_have_attribute("data-console", "connected")

    page.get_by_role("button", name="Deactivate Ravi Kumar").click()
    expect(page.locator(".flash-success")).to_contain_text("deactivated")
    expect(page.get_by_role("button", name="Reactivate Ravi Kumar")).to_be_visible()
    # Within 5 seconds Ravi's console is closed and his page shows the sign-in form.
    expect(ravi).to_have_url(re.compile(r"/login"), timeout=5000)
    expect(ravi.locator("#f-email")).to_be_visible()
    ravi.screenshot(path=str(ARTIFACTS / "users-deactivated-signed-out.png"))

    page.goto(f"{live_server}/admin/users?active=false")
    expect(page.locator("#users tbody tr")).to_have_count(1)
    expect(page.locator("#users")).to_contain_text("Ravi Kumar")
    page.screenshot(path=str(ARTIFACTS / "users-list.png"), full_page=True)
