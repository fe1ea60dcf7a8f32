"""A real browser under the Content-Security-Policy: every role's main pages load and work,
and none of them makes the browser report a policy violation."""

import pytest

from helpdesk.knowledge import services as knowledge
from helpdesk.knowledge.schemas import ArticleCreate
from helpdesk.tickets.escalation import EscalationIn, escalate
from tests.conftest import sign_in  # noqa: F401  (live_server, browser: fixtures)

#: Runs before any page script on every navigation: the violations the page reports itself.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


class Visitor:
    """One signed-in browser page that records CSP reports and script errors as it goes."""

    def __init__(self, browser, base: str, email: str):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1366, "height": 900})
        self.page.add_init_script(WATCH_VIOLATIONS)
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        sign_in(self.page, base, email)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def visit(self, path: str, *, live: bool = True):
        """Open ``path``, check it came with the policy, and (``live``) that its socket
        connected; returns the page for the caller's own checks."""
        from playwright.sync_api import expect

        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        if live:
            expect(self.page.locator("html")).to_have_attribute("data-console", "connected")
        return self.page

    def violations(self) -> list[str]:
        """Everything reported so far, on this page (its event) and on earlier ones (console)."""
        here = self.page.evaluate("window.__cspViolations || []")
        return self.problems + [f"event: {v}" for v in here]

    def assert_clean(self, path: str) -> None:
        self.page.wait_for_load_state("networkidle")
        assert self.violations() == [], path


@pytest.fixture
def site(make_user, make_block, make_ticket, run_jobs):
    block = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    people = {
        role: make_user(role, **extra)
        for role, extra in {
            "agent": {"name": "Asha Menon", "languages": ["hi", "en"]},
            "mentor": {
                "name": "Meera Nair",
                "languages": ["hi", "en"],
                "states": ["IN-JH"],
                "skills": ["bank-linkage"],
            },
            "brc": {"name": "Salomi Bodra", "block": block},
            "manager": {"name": "Deepa Menon"},
            "admin": {"name": "Vishnu Prasad"},
        }.items()
    }
    ticket = make_ticket(
        actor=people["agent"],
        block=block.code,
        category="bank-linkage",
        language="en",
        subject="Bank asks for a business plan",
    )
    escalate(ticket, people["agent"], EscalationIn(mentor=people["mentor"].id, reason="Plan"))
    article = knowledge.create_article(
        ArticleCreate.model_validate(
            {
                "title": "How an MEC prepares a business plan for a bank loan",
                "body": "## Steps\n\n1. Note the costs and sales.\n2. Write the **business plan**.",
                "language": "en",
                "category": "business-plan",
                "tags": ["bank loan", "business plan"],
                "status": "published",
            }
        ),
        people["mentor"],
    )
    run_jobs()
    return people, ticket, article


def test_every_roles_main_pages_load_without_a_policy_violation(live_server, browser, site):
    from playwright.sync_api import expect

    people, ticket, article = site
    number = ticket.number

    agent = Visitor(browser, live_server, people["agent"].email)
    expect(agent.visit("/tickets").locator("table.queue")).to_contain_text(number)
    expect(agent.visit(f"/tickets/{ticket.id}").locator("h1")).to_have_text(ticket.subject)
    expect(agent.visit("/console").locator("[data-live-queue] tbody tr")).to_have_count(1)
    page = agent.visit("/tickets/new")
    page.keyboard.type("098765 43210")  # the caller lookup and the suggestions run their scripts
    expect(page.locator("#f-requester_name")).to_have_value("Sunita Devi")
    page.select_option("#f-language", "en")
    page.click("#f-description")
    page.keyboard.type("The bank wants a business plan before the loan", delay=10)
    expect(page.locator("#kb-suggest")).to_contain_text(article.title)
    agent.visit("/calls")
    expect(agent.visit("/kb/search?q=business+plan").locator("main")).to_contain_text(article.title)
    expect(agent.visit("/kb").locator("main")).to_contain_text(article.title)
    expect(agent.visit(f"/kb/{article.id}").locator("h1")).to_have_text(article.title)
    agent.assert_clean("agent pages")

    mentor = Visitor(browser, live_server, people["mentor"].email)
    expect(mentor.visit("/mentor").locator("main")).to_contain_text(number)
    expect(mentor.visit(f"/tickets/{ticket.id}").locator(".thread")).to_contain_text("Plan")
    mentor.visit("/console")
    mentor.assert_clean("mentor pages")

    brc = Visitor(browser, live_server, people["brc"].email)
    expect(brc.visit("/brc").locator(".cards")).to_contain_text(number)
    brc.visit("/brc/new")
    brc.visit(f"/tickets/{ticket.id}")
    brc.visit("/kb")
    brc.assert_clean("BRC pages")

    manager = Visitor(browser, live_server, people["manager"].email)
    manager.visit("/reports/sla")
    manager.page.wait_for_function(
        "() => window.reportCharts && Object.keys(window.reportCharts).length === 4"
    )
    manager.visit("/admin/sla")
    manager.assert_clean("manager pages")

    admin = Visitor(browser, live_server, people["admin"].email)
    expect(admin.visit("/admin/console").locator("#f-auto-assign")).to_be_visible()
    admin.visit("/admin/sla")
    admin.visit("/admin/sla/policies/new")
    admin.visit("/kb/new").click("#f-body")
    admin.page.keyboard.type("Apply at the **CDS** office.", delay=5)
    expect(admin.page.locator("#kb-preview strong")).to_have_text("CDS")  # drawn by a script
    admin.assert_clean("admin pages")


def test_the_policy_refuses_an_injected_inline_script(live_server, browser, site):
    """The watcher sees what the browser refuses: an inline script put into the page (as an
    injection would) does not run, and is reported."""
    people, ticket, _article = site
    agent = Visitor(browser, live_server, people["agent"].email)
    page = agent.visit(f"/tickets/{ticket.id}")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__injected = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in v for v in agent.violations())
    assert browser.csp_reports  # the browser fixture saw it too; it was on purpose here
    browser.csp_reports.clear()
