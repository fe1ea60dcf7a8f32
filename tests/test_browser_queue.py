"""A real browser: an agent checks two tickets on the queue and closes them in one go;
each gets its own audit event and the queue says so. Screenshot in test-artifacts/."""

import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket, TicketEvent
from tests.conftest import ARTIFACTS, sign_in


def test_an_agent_closes_two_checked_tickets_from_the_queue(
    live_server, browser, make_user, make_ticket
):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    agent = make_user("agent", name="Asha Agent")
    first = make_ticket(subject="Loan papers for the bank")
    second = make_ticket(subject="MEC fee receipt")
    kept = make_ticket(subject="Keep this one open")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(page, live_server, agent.email)
    page.goto(f"{live_server}/tickets")

    page.get_by_label(f"Select {first.number}").check()
    page.get_by_label(f"Select {second.number}").check()
    page.select_option("#bulk-action", "status:closed")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flash-success")).to_contain_text("2 tickets changed.")
    expect(page.locator("table.queue")).not_to_contain_text(first.number)
    expect(page.locator("table.queue")).to_contain_text(kept.number)
    page.screenshot(path=str(ARTIFACTS / "queue-bulk-close.png"), full_page=True)

    db.session.expire_all()
    assert [db.session.get(Ticket, t.id).status for t in (first, second, kept)] == [
        "closed",
        "closed",
        "new",
    ]
    status_events = db.session.execute(
        sa.select(TicketEvent.ticket_id, TicketEvent.new_value).where(TicketEvent.kind == "status")
    ).all()
    assert sorted(status_events) == sorted([(first.id, "closed"), (second.id, "closed")])
