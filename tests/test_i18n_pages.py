"""Pages in English and Hindi: which language a page is in, and that a Hindi page is
Hindi throughout (navigation, headings, labels, buttons, messages, dates), while the
API stays English."""

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import url_for

from helpdesk.extensions import db
from helpdesk.geography.models import State
from helpdesk.tickets.models import Category
from helpdesk.tickets.schemas import TicketUpdate
from helpdesk.tickets.services import update_ticket

HINDI = {"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.8"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def lang_of(page: str) -> str:
    return re.search(r'<html lang="([^"]+)">', page).group(1)


def hindi_user(make_user, role="agent", **fields):
    user = make_user(role, **fields)
    user.ui_language = "hi"
    db.session.commit()
    return user


def test_the_browser_language_decides_until_someone_chooses(client):
    assert lang_of(client.get("/login", headers=HINDI).text) == "hi"
    assert "लॉग इन करें" in client.get("/login", headers=HINDI).text
    assert lang_of(client.get("/login", headers=ENGLISH).text) == "en"
    # a language the interface is not in: English
    assert lang_of(client.get("/login", headers={"Accept-Language": "ta-IN"}).text) == "en"


def test_lang_in_the_address_is_remembered_for_the_session(client):
    assert lang_of(client.get("/login?lang=hi", headers=ENGLISH).text) == "hi"
    assert lang_of(client.get("/login", headers=ENGLISH).text) == "hi"
    assert lang_of(client.get("/login?lang=en", headers=HINDI).text) == "en"
    assert lang_of(client.get("/login", headers=HINDI).text) == "en"


def test_a_users_own_language_wins_and_the_switcher_saves_it(client, make_user, login_as):
    user = hindi_user(make_user)
    login_as(user)
    assert lang_of(client.get("/tickets", headers=ENGLISH).text) == "hi"
    page = client.get("/tickets?lang=en", headers=HINDI).text
    assert lang_of(page) == "en"
    db.session.refresh(user)
    assert user.ui_language == "en"  # saved: the next page, and the next sign-in, follow
    assert lang_of(client.get("/tickets", headers=HINDI).text) == "en"


def test_the_language_chosen_before_sign_in_survives_sign_in_and_sign_out(
    client, make_user, login_as
):
    user = make_user("agent")  # no ui_language of their own
    client.get("/login?lang=hi", headers=ENGLISH)
    assert login_as(user).status_code == 302  # sign-in empties the session...
    assert lang_of(client.get("/tickets", headers=ENGLISH).text) == "hi"  # ...but not this
    after = client.post("/logout", headers=ENGLISH, follow_redirects=True).text
    assert lang_of(after) == "hi" and "आप लॉग आउट हो गए।" in after


def test_the_header_switcher_links_this_page_in_the_other_language(client):
    page = client.get("/login?next=/tickets", headers=ENGLISH).text
    switch = re.search(r'<nav class="langswitch".*?</nav>', page, re.DOTALL).group(0)
    assert 'href="/login?next=%2Ftickets&amp;lang=hi"' in switch and "हिन्दी" in switch
    assert '<span lang="en" aria-current="true">English</span>' in switch


def test_the_api_stays_english_for_a_hindi_reader(client, make_user, login_as):
    login_as(hindi_user(make_user))
    res = client.get("/api/v1/tickets/999999", headers=HINDI)
    assert res.status_code == 404
    assert res.get_json()["error"] == {
        "code": "not_found",
        "message": "No such ticket.",
        "fields": {},
    }


class VisibleUiText(HTMLParser):
    """Text of the elements a reader finds their way by: navigation, headings, labels,
    table headings, buttons, tabs, legends, term names, and alerts and flashes."""

    TAGS = {"nav", "h1", "h2", "h3", "label", "th", "button", "legend", "dt"}
    CLASSES = {"flash", "alert", "field-error", "tabs", "card-title", "empty", "muted", "badge"}
    VOID = {"input", "br", "meta", "link", "img", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.skip = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        # a passage marked as another language (the switcher's "English", an article) is not UI
        other_language = "lang" in attrs and tag != "html"
        if tag in ("script", "style", "kbd", "code", "select", "datalist") or other_language:
            self.skip += 1
            self.stack.append(None)
            return
        classes = set((attrs.get("class") or "").split())
        self.stack.append(tag in self.TAGS or bool(classes & self.CLASSES))

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        if self.stack.pop() is None:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and any(self.stack) and data.strip():
            self.texts.append(data.strip())


#: Latin words a Hindi page keeps: acronyms, codes, file formats, and "English" as its own name
KEPT = set(
    "SLA BRC API CSV IST SMS MEC MoU PTS MIS CREAM TEAM TED CBO SHG VO CLF p90 KS Markdown"
    " NRO English"
    # file formats and their unit, named as their makers name them (the attachment field)
    " MB JPEG PNG WebP HEIC PDF Word Excel OpenDocument".split()
)


def english_words(page: str, data: set[str]) -> list[str]:
    parser = VisibleUiText()
    parser.feed(page)
    text = " ".join(parser.texts)
    for value in data:
        text = text.replace(value, " ")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9'’-]*", text) if w not in KEPT]


@pytest.fixture
def hindi_site(client, make_user, make_block, make_ticket):
    """One of each role reading Hindi, a block and tickets with Hindi data."""
    block = make_block(code="KHT-TORPA", name="तोरपा", district="खूँटी")
    users = {
        role: hindi_user(make_user, role, name=name, block=block if role == "brc" else None)
        for role, name in [
            ("agent", "रीना कुमारी"),
            ("brc", "सुनीता मुंडा"),
            ("mentor", "अजय उराँव"),
            ("manager", "प्रिया सिंह"),
            ("admin", "अनिल महतो"),
        ]
    }
    ticket = make_ticket(
        actor=users["agent"],
        block=block.code,
        subject="बैंक लोन के लिए व्यवसाय योजना",
        requester={"name": "सुनीता देवी", "phone": "9876543210"},
    )
    update_ticket(ticket, users["agent"], TicketUpdate(status="pending"))
    return users, ticket


def hindi_pages(app, users, ticket):
    with app.test_request_context():
        return {
            "agent": [
                url_for("tickets.queue"),
                url_for("tickets.new"),
                url_for("console.live_queue"),
                url_for("calls.log"),
                url_for("knowledge.browse"),
                url_for("knowledge.search", q="लोन"),
                url_for("tickets.show", ticket_id=ticket.id),
                url_for("profile.me"),
                url_for("enterprises.index"),
                url_for("replies.index"),
                url_for("replies.new"),
            ],
            "brc": [url_for("portal.home"), url_for("portal.new")],
            "mentor": [url_for("tickets.mentor_queue")],
            "manager": [
                url_for("reports.sla"),
                url_for("sla_admin.index"),
                url_for("satisfaction.report"),
                url_for("administration.audit_log"),
                url_for("reports.calls"),
            ],
            "admin": [
                url_for("users_admin.index"),
                url_for("users_admin.edit", user_id=users["agent"].id),
                url_for("console_admin.settings"),
                url_for("knowledge.new"),
                url_for("sla_admin.new_policy"),
                url_for("sla_admin.index"),
                url_for("administration.blocks"),
                url_for("administration.categories"),
            ],
        }


def test_main_pages_in_hindi_have_no_english_left_in_their_ui(app, client, login_as, hindi_site):
    users, ticket = hindi_site
    # names of things are data, not interface: the states' names are as the reference has them
    states = set(db.session.scalars(sa.select(State.name)))
    data = {u.name for u in users.values()} | {u.email for u in users.values()} | states
    data |= {ticket.number, ticket.subject, ticket.block.code}
    # category short codes are codes, like block codes (the admin's categories page)
    data |= set(db.session.scalars(sa.select(Category.slug)))
    leftovers = {}
    for role, paths in hindi_pages(app, users, ticket).items():
        client.post("/logout")
        login_as(users[role])
        for path in paths:
            res = client.get(path)
            assert res.status_code == 200, path
            assert lang_of(res.text) == "hi", path
            if words := english_words(res.text, data):
                leftovers[path] = words
    client.post("/logout")
    login = client.get("/login?lang=hi").text
    if words := english_words(login, set()):
        leftovers["/login"] = words
    assert not leftovers, leftovers


def test_a_brc_form_says_what_is_wrong_in_hindi_naming_the_field(client, login_as, hindi_site):
    users, _ = hindi_site
    login_as(users["brc"])
    empty = client.post("/brc/new", data={"subject": "", "description": "बैंक ने कागज़ माँगे"})
    assert empty.status_code == 422
    assert '<p class="field-error" id="subject-error">विषय भरना ज़रूरी है।</p>' in empty.text
    assert "निशान लगे खाने ठीक करें।" in empty.text
    long = client.post("/brc/new", data={"subject": "क" * 201, "description": "विवरण"})
    assert '<p class="field-error" id="subject-error">विषय 200 अक्षरों से लंबा है।</p>' in long.text


def test_a_service_refusal_is_shown_in_hindi_with_its_values(client, login_as, hindi_site):
    users, ticket = hindi_site
    update_ticket(ticket, users["agent"], TicketUpdate(status="closed"))
    other = users["manager"]
    login_as(other)
    page = client.post(f"/tickets/{ticket.id}/claim", follow_redirects=True).text
    assert "“बंद” टिकट को आप अपने नाम नहीं ले सकते।" in page


def test_scripts_get_their_strings_in_the_page_language(client, login_as, hindi_site):
    users, _ = hindi_site
    login_as(users["agent"])
    page = client.get("/console").text
    block = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page).group(1)
    catalogue = json.loads(block)
    assert catalogue["Incoming call"] == "कॉल आ रही है"
    assert catalogue["role:brc"] == "BRC स्टाफ़"
    assert catalogue["{label} overdue {time}"] == "{label}: {time} देर"


def test_dates_and_numbers_follow_the_page_language_in_ist(app):
    from flask_babel import force_locale

    from helpdesk.templating import age, count_label, ist, ist_date, number

    moment = datetime(2026, 5, 12, 9, 5, tzinfo=UTC)  # 14:35 in Kolkata
    with app.test_request_context():
        assert ist(moment) == "12 May 2026, 14:35"
        assert number(100000) == "100,000"
        with force_locale("hi"):
            assert ist(moment) == "12 मई 2026, 14:35"
            assert ist_date(moment.date(), "EEEE d MMMM") == "मंगलवार 12 मई"
            assert number(100000) == "1,00,000"
            assert count_label(10_001) == "10,000+"
            assert age(moment, now=datetime(2026, 5, 12, 12, 5, tzinfo=UTC)) == "3 घंटे"
