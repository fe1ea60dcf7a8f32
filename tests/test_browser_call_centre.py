"""The callback queue on the live console, in a real browser: a missed call appears live,
"Mark done" asks for a note, and the callback leaves the queue once it is saved."""

import re

from playwright.sync_api import expect

from helpdesk.calls.models import Callback
from helpdesk.extensions import db
from tests.conftest import ARTIFACTS, sign_in  # noqa: F401  (live_server, browser: fixtures)

TOKEN = "cti-shared-secret"


def test_an_agent_returns_a_missed_call_from_the_console(
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
    page.goto(f"{live_server}/console")
    expect(page.locator("html")).to_have_attribute("data-console", "connected")
    queue = page.locator("[data-callbacks]")
    expect(queue.locator("[data-callbacks-empty]")).to_be_visible()

    def cti(event, call_id):
        body = {"event": event, "call_id": call_id, "from": "098765 43210", "direction": "in"}
        response = client.post("/api/v1/cti/events", json=body, headers={"X-CTI-Token": TOKEN})
        assert response.status_code == 200, response.json

    for call_id in ("miss-1", "miss-2"):
        cti("newCall", call_id)
        cti("hangup", call_id)

    item = queue.locator(".callback")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Sunita Devi")
    expect(item).to_contain_text("2 missed calls")
    expect(
        item.get_by_role("link", name=ticket.number + " · Bank asks for a business plan")
    ).to_be_visible()
    expect(item.get_by_role("link", name="Call back")).to_have_attribute(
        "href", "tel:+919876543210"
    )
    expect(queue.locator("[data-callback-count]")).to_have_text("1")
    expect(page.locator(".call-incoming")).to_have_count(0)  # the missed call's toast gave way

    item.get_by_role("button", name="Mark done").click()
    item.get_by_role("button", name="Save").click()  # an empty note is refused by the form
    expect(item).to_be_visible()
    item.get_by_label("What came of it?").fill("Rang back: she will bring the papers on Monday.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-callbacks.png"), full_page=False)
    item.get_by_role("button", name="Save").click()

    expect(queue.locator(".callback")).to_have_count(0)
    expect(queue.locator("[data-callbacks-empty]")).to_be_visible()
    expect(queue.locator("[data-callback-count]")).to_have_text("0")
    db.session.expire_all()
    [callback] = db.session.query(Callback).all()
    assert callback.status == "done"
    assert callback.note == "Rang back: she will bring the papers on Monday."
    assert callback.done_by_id == agent.id
    page.close()


def test_a_manager_sees_the_call_figures_with_their_charts(
    app, client, live_server, browser, make_user
):
    app.config["CTI_TOKEN"] = TOKEN
    manager, agent = make_user("manager"), make_user("agent")
    for n, answered in enumerate((True, True, False)):
        body = {"call_id": f"r-{n}", "from": f"+91900000000{n}", "direction": "in"}
        for event in ("newCall", "answer", "hangup") if answered else ("newCall", "hangup"):
            extra = {"user": agent.email} if event == "answer" else {}
            response = client.post(
                "/api/v1/cti/events",
                json=body | {"event": event} | extra,
                headers={"X-CTI-Token": TOKEN},
            )
            assert response.status_code == 200, response.json
    page = browser.new_page(viewport={"width": 1366, "height": 1100})
    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/reports/sla")
    page.get_by_role("link", name="Call figures").click()
    expect(page.locator("h1")).to_have_text("Call figures")
    total = page.locator("#call-table .report-total")
    expect(total).to_contain_text("66.7 %")  # 2 of 3 calls answered at once
    page.wait_for_load_state("networkidle")
    charts = page.evaluate(
        "Object.keys(window.reportCharts || {}).sort().map(function (k) {"
        " return k + ':' + window.reportCharts[k].data.datasets.length; }).join()"
    )
    assert charts == "chart-heatmap:1,chart-hours:3,chart-service-level:2"
    offered = page.evaluate(
        "window.reportCharts['chart-heatmap'].data.datasets[0].data"
        ".reduce(function (s, c) { return s + c.n; }, 0)"
    )
    assert offered == 3
    page.screenshot(path=str(ARTIFACTS / "call-report.png"), full_page=True)
    page.select_option("#f-group_by", "agent")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#call-table")).to_contain_text(agent.name)
    expect(page.locator("#csv-link")).to_have_attribute("href", re.compile("group_by=agent"))
    page.close()
