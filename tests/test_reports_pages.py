"""The SLA report as CSV and as the managers' page with its charts (a real browser too)."""

import csv
import io
import re
from datetime import timedelta

from helpdesk.reports.csv_export import safe_cell
from helpdesk.timeutil import IST, utcnow
from tests.conftest import ARTIFACTS, sign_in


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_escapes_cells_a_spreadsheet_would_run(app, api_as, make_user, make_block, make_ticket):
    manager = make_user("manager")
    agent = make_user("agent")
    evil = make_block(code="JH-EVIL", name='=HYPERLINK("http://evil.example","click")')
    phone = make_block(code="JH-PHONE", name="+91 98765 43210")
    make_ticket(actor=agent, block=evil.code)
    make_ticket(actor=agent, block=phone.code)
    make_ticket(actor=agent, block=phone.code)

    response = api_as(manager).get(
        "/api/v1/reports/sla?group_by=block", headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    today = utcnow().astimezone(IST).date()
    first = (today - timedelta(days=29)).isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="sla-report_block_{first}_{today.isoformat()}.csv"'
    )
    rows = _csv(response)
    assert rows[0][:4] == ["block", "label", "tickets", "first_response_met"]
    assert "resolution_p90_minutes" in rows[0]
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["JH-PHONE"][1:3] == ["'+91 98765 43210", "2"]
    assert by_key["JH-EVIL"][1] == '\'=HYPERLINK("http://evil.example","click")'
    assert by_key["Total"][2] == "3"
    # ?format=csv answers the same; JSON stays the default
    assert _csv(api_as(manager).get("/api/v1/reports/sla?group_by=block&format=csv")) == rows
    assert api_as(manager).get("/api/v1/reports/sla?group_by=block").mimetype == "application/json"


def test_safe_cell_prefixes_every_formula_start():
    for text in ("=1+1", "+91", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Khuntpani") == "Khuntpani"
    assert safe_cell(12) == 12 and safe_cell(None) == ""


def test_report_page_for_managers_only(app, client, login_as, make_user, make_ticket):
    make_ticket(subject="Loan papers")
    login_as(make_user("agent"))
    assert client.get("/reports/sla").status_code == 403
    client.post("/logout")
    manager = make_user("manager")
    login_as(manager)
    page = client.get("/reports/sla?group_by=category")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/reports/sla"' in html  # in the navigation
    assert "Business plan" in html and 'id="report-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert re.search(r'href="/api/v1/reports/sla\?[^"]*format=csv', html)
    bad = client.get("/reports/sla?from=2026-02-30&group_by=colour")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="from-error"' in text and 'id="group_by-error"' in text


def test_embedded_data_cannot_break_out_of_its_script(
    app, client, login_as, make_user, make_block, make_ticket
):
    block = make_block(code="JH-X", name="</script><script>alert(1)</script>")
    make_ticket(block=block.code)
    login_as(make_user("admin"))
    html = client.get("/reports/sla?group_by=block").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_report_page_draws_its_charts(live_server, browser, make_user, make_block, make_ticket):
    manager = make_user("manager")
    agent = make_user("agent")
    for state in ("IN-JH", "IN-KA"):
        block = make_block(district="Koppal" if state == "IN-KA" else "Ranchi", state=state)
        make_ticket(actor=agent, block=block.code)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, manager.email)  # (the login page's favicon is a 404: not ours)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(re.compile(r"/reports/sla"))
    page.wait_for_function(
        "() => window.reportCharts && Object.keys(window.reportCharts).length === 4"
    )
    for canvas in ("chart-compliance", "chart-minutes", "chart-backlog", "chart-trend"):
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{canvas}'))"), canvas
        assert page.evaluate(f"document.getElementById('{canvas}').height") > 0
    assert page.evaluate("window.reportCharts['chart-compliance'].data.labels.length") == 2
    assert (
        page.evaluate(
            "window.reportCharts['chart-backlog'].data.datasets[0].data.reduce((a, b) => a + b, 0)"
        )
        == 2
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sla-report.png"), full_page=True)
    page.select_option("#f-group_by", "category")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"group_by=category"))
    page.wait_for_function(
        "() => window.reportCharts && Object.keys(window.reportCharts).length === 4"
    )
    assert errors == []
