"""A real browser in Hindi: BRC staff who chose Hindi raise a ticket on a phone (labels,
buttons, the script-written hints and a validation error in Hindi, Devanagari drawn with the
site's own subsetted font), and an agent switches language with the header switcher.
Screenshots go to test-artifacts/."""

import re

from helpdesk.extensions import db
from tests.conftest import ARTIFACTS, sign_in

#: the site's Indic faces and whether each has been loaded (unicode-range: only when used)
FONT_STATUS = """() => document.fonts.ready.then(() =>
    Array.from(document.fonts)
        .filter(f => f.family.replace(/"/g, "") === "Helpdesk Indic")
        .map(f => [f.unicodeRange, f.status]))"""


def test_brc_staff_raise_a_ticket_in_hindi_on_a_phone(live_server, browser, make_user, make_block):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    block = make_block(code="KHT-TORPA", name="तोरपा", district="खूँटी", state="IN-JH")
    brc = make_user("brc", block=block, name="सुनीता मुंडा")
    brc.ui_language = "hi"
    db.session.commit()

    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(page, live_server, brc.email)
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("तोरपा ब्लॉक")
    page.get_by_role("navigation", name="मुख्य").get_by_role("link", name="शिकायत दर्ज करें").click()

    expect(page.get_by_role("heading", name="शिकायत दर्ज करें")).to_be_visible()
    expect(page.get_by_label("विषय")).to_be_visible()
    expect(page.get_by_label("समस्या बताइए")).to_be_visible()
    expect(page.get_by_label("प्राथमिकता")).to_contain_text("सामान्य")
    # Nothing typed: the form says so in Hindi, naming the field.
    page.get_by_role("button", name="शिकायत दर्ज करें").click()
    expect(page.locator("#subject-error")).to_have_text("विषय भरना ज़रूरी है।")
    expect(page.locator(".alert-error")).to_contain_text("निशान लगे खाने ठीक करें।")
    page.screenshot(path=str(ARTIFACTS / "brc-hindi-form-error-phone.png"), full_page=True)

    page.get_by_label("विषय").fill("बैंक लोन के लिए व्यवसाय योजना")
    page.get_by_label("समस्या बताइए").fill("बैंक मैनेजर ने व्यवसाय योजना माँगी है, कैसे बनाएँ?")
    # app.js answers from the page's catalogue: no article matches (an empty base), or the
    # search index of this test site is not built yet
    expect(page.locator("[data-suggest-status]")).to_have_text(
        re.compile("^(अभी कोई लेख नहीं मिला।|खोज फिर से तैयार हो रही है)")
    )
    page.get_by_label("श्रेणी").select_option(label="व्यवसाय योजना और हिसाब के कागज़")
    page.get_by_role("button", name="शिकायत दर्ज करें").click()

    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("दर्ज हो गया। कॉल-सेंटर यहीं जवाब देगा।")
    expect(page.locator(".ticket-title .badge.status-new")).to_have_text("नया")
    expect(page.get_by_role("button", name="भेजें")).to_be_visible()

    # Devanagari is drawn with the site's font; the other scripts' faces were not fetched.
    faces = dict(page.evaluate(FONT_STATUS))
    devanagari = next(status for ranges, status in faces.items() if "U+900" in ranges)
    malayalam = next(status for ranges, status in faces.items() if "U+D00" in ranges)
    assert (devanagari, malayalam) == ("loaded", "unloaded"), faces
    page.screenshot(path=str(ARTIFACTS / "brc-hindi-ticket-phone.png"), full_page=True)


def test_an_agent_switches_to_hindi_in_the_header_and_it_stays(live_server, browser, make_user):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    agent = make_user("agent", name="Reena Kumari")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, agent.email)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server}/console")
    expect(page.locator("[data-live-state]")).to_have_text("live")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("लाइव कंसोल")
    main = page.get_by_role("navigation", name="मुख्य")
    expect(main.get_by_role("link", name="टिकट सूची")).to_be_visible()
    expect(main.get_by_role("link", name="कॉल दर्ज करें")).to_be_visible()
    # console.js writes the connection state from the page's catalogue
    expect(page.locator("[data-live-state]")).to_have_text("लाइव")
    page.screenshot(path=str(ARTIFACTS / "agent-console-hindi.png"), full_page=True)

    # Saved as the agent's own choice: the next page follows it without ?lang.
    main.get_by_role("link", name="टिकट सूची").click()
    expect(page.get_by_role("heading", name="टिकट सूची")).to_be_visible()
    db.session.refresh(agent)
    assert agent.ui_language == "hi"

    page.get_by_role("navigation", name="भाषा").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
