"""A real browser against a real server: articles suggested while a ticket is typed (agent and
BRC), the article page, and the editor's live preview. Screenshots go to test-artifacts/."""

import re

import pytest

from helpdesk.knowledge import services
from helpdesk.knowledge.schemas import ArticleCreate
from tests.conftest import ARTIFACTS, sign_in  # noqa: F401  (live_server, browser: fixtures)

ARTICLE = {
    "title": "How an MEC prepares a business plan for a bank loan",
    "body": "## Steps\n\n1. The MEC visits the enterprise and notes its costs and sales.\n"
    "2. It writes the **business plan** with the projections the bank asks for.\n"
    "3. The BRC checks the plan before it goes to the bank.\n\n"
    "| Part | What the bank looks for |\n|---|---|\n| Costs | rent, raw material |\n"
    "| Profit | at least 12 months of projections |\n\n"
    "See the [SVEP guidelines](https://www.kudumbashree.org) for the formats.",
    "language": "en",
    "category": "business-plan",
    "tags": ["bank loan", "business plan"],
    "status": "published",
}


@pytest.fixture
def article(make_user, run_jobs):
    mentor = make_user("mentor", name="Meera Nair", states=["IN-JH"])
    written = services.create_article(ArticleCreate.model_validate(ARTICLE), mentor)
    services.create_article(
        ArticleCreate.model_validate(
            ARTICLE
            | {
                "title": "Weekly haat stall fees",
                "body": "The haat committee fixes the fee.",
                "category": "market-linkage",
                "tags": [],
            }
        ),
        mentor,
    )
    run_jobs()  # both are in the search index now
    return written


def test_agent_sees_suggestions_while_logging_a_call(live_server, browser, make_user, article):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    agent = make_user("agent", name="Asha Menon")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, agent.email)
    page.get_by_role("link", name="Log a call").first.click()
    expect(page).to_have_url(re.compile(r"/tickets/new$"))
    panel = page.locator("#kb-suggest")
    expect(panel).to_be_visible()
    expect(panel.locator("[role=status]")).to_contain_text("Type the subject")

    page.select_option("#f-language", "en")
    page.select_option("#f-category", "business-plan")
    page.fill("#f-requester_phone", "098765 43210")
    page.fill("#f-requester_name", "Sunita Devi")
    page.click("#f-subject")
    page.keyboard.type("Loan for a tailoring unit")
    page.click("#f-description")
    page.keyboard.type("The bank manager wants a business plan before the loan", delay=15)

    link = panel.get_by_role("link", name=re.compile(re.escape(article.title)))
    expect(link).to_be_visible()
    assert page.url.endswith("/tickets/new")  # no reload
    assert link.get_attribute("href") == f"/kb/{article.id}"
    assert link.get_attribute("target") == "_blank"
    expect(panel.locator("b.match").first).to_be_visible()
    expect(panel.locator("[role=status]")).to_contain_text("may answer this")
    expect(panel).not_to_contain_text("haat")
    page.keyboard.press("Tab")  # straight from the description to the first suggestion
    assert page.evaluate("document.activeElement.textContent").startswith(article.title)
    page.screenshot(path=str(ARTIFACTS / "log-a-call-suggestions.png"), full_page=True)


def test_brc_sees_suggestions_on_the_raise_form(live_server, browser, make_user, article):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    brc = make_user("brc", name="Rekha Nair")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(page, live_server, brc.email)
    page.goto(f"{live_server}/brc/new")
    page.select_option("#f-language", "en")
    page.click("#f-description")
    page.keyboard.type("Our MEC must give a business plan to the bank for a loan", delay=15)
    panel = page.locator("#kb-suggest")
    expect(panel.get_by_role("link", name=re.compile(re.escape(article.title)))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "brc-raise-suggestions.png"), full_page=True)


def test_article_page_and_live_preview(live_server, browser, make_user, article, make_ticket):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    mentor = make_user("mentor", name="Lakshmi Rao", states=["IN-JH"])
    ticket = make_ticket(language="en", subject="Bank asks for a business plan")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, mentor.email)

    page.goto(f"{live_server}/kb/{article.id}")
    expect(page.locator("h1")).to_have_text(article.title)
    expect(page.locator(".prose table")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Helpful")).click()
    expect(page.locator(".flash-success")).to_contain_text("your vote is counted")
    page.screenshot(path=str(ARTIFACTS / "kb-article.png"), full_page=True)

    page.goto(f"{live_server}/kb")
    page.screenshot(path=str(ARTIFACTS / "kb-browse.png"), full_page=True)
    page.goto(f"{live_server}/kb/search?q=business+plan+bank")
    expect(page.locator(".kb-hits b.match").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "kb-search.png"), full_page=True)

    page.goto(f"{live_server}/tickets/{ticket.id}")
    expect(page.locator(".kb-panel")).to_contain_text(article.title)
    page.screenshot(path=str(ARTIFACTS / "ticket-suggested-answers.png"), full_page=True)
    page.get_by_role("button", name=f"Insert answer: {article.title}").click()
    expect(page.locator(".flash-success")).to_contain_text("Answer sent from")
    expect(page.locator(".thread")).to_contain_text("The MEC visits the enterprise")

    page.goto(f"{live_server}/kb/new")
    page.fill("#f-title", "Registering a Café Kudumbashree unit")
    page.select_option("#f-category", "replicable-models")
    page.click("#f-body")
    page.keyboard.type("## Where\n\nApply at the **CDS** office.", delay=5)
    expect(page.locator("#kb-preview strong")).to_have_text("CDS")  # rendered by the server
    expect(page.locator("#kb-preview h2")).to_have_text("Where")
    page.screenshot(path=str(ARTIFACTS / "kb-editor.png"), full_page=True)
    page.get_by_role("button", name="Save article").click()
    expect(page.locator(".flash-success")).to_contain_text("Draft saved.")
    expect(page.locator(".badge-draft")).to_be_visible()


@pytest.mark.parametrize(
    "typed",
    [
        "फीस कितनी लगेगी",  # no nukta: the article writes फ़ीस
        "vyavsay yojana ki fees kitni hai",  # Hindi in Latin letters, as people text
    ],
)
def test_suggestions_find_the_spellings_people_type(
    live_server, browser, make_user, run_jobs, typed
):
    """A BRC user on a phone types Hindi without the nukta, or in Latin letters, and the
    Hindi article written with the nukta is suggested all the same."""
    from playwright.sync_api import expect

    mentor = make_user("mentor", name="Meera Nair", states=["IN-JH"])
    hindi = services.create_article(
        ArticleCreate.model_validate(
            {
                "title": "व्यवसाय योजना बनाने की फ़ीस",
                "body": "MEC व्यवसाय योजना बनाने की फ़ीस CLF के साथ MoU में तय करता है।",
                "language": "hi",
                "category": "mec-fees-mou",
                "tags": [],
                "status": "published",
            }
        ),
        mentor,
    )
    run_jobs()
    brc = make_user("brc", name="Rekha Kumari")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(page, live_server, brc.email)
    page.goto(f"{live_server}/brc/new")
    page.click("#f-description")
    page.keyboard.type(typed, delay=10)
    panel = page.locator("#kb-suggest")
    expect(panel.get_by_role("link", name=re.compile(re.escape(hindi.title)))).to_be_visible()
