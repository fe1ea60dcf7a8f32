"""The server-rendered pages: sign-in, the queue, log a call, the ticket page, the BRC portal,
and the contacts lookup the call form uses."""

import re

import pytest
import sqlalchemy as sa

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket, TicketEvent
from helpdesk.tickets.schemas import MessageCreate, TicketUpdate
from helpdesk.tickets.services import add_message, update_ticket

CALL = {
    "requester_phone": "098765 43210",
    "requester_name": "Sunita Devi",
    "category": "bank-linkage",
    "priority": "high",
    "language": "hi",
    "channel": "phone",
    "subject": "Loan for a Nutrimix unit",
    "description": "बैंक ने व्यवसाय योजना माँगी है।",
}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def html(res) -> str:
    return res.get_data(as_text=True)


# --- sign-in -----------------------------------------------------------------------------


def test_login_success_and_role_redirects(client, make_user, login_as):
    assert client.get("/").location.endswith("/login")
    for role, target in [
        ("agent", "/tickets"),
        ("manager", "/tickets"),
        ("admin", "/tickets"),
        ("brc", "/brc"),
        ("mentor", "/tickets?status=open"),
    ]:
        user = make_user(role)
        res = login_as(user)
        assert res.status_code == 302 and res.location == target, role
        assert client.get("/").location == target
        assert user.name in html(client.get(target))
        client.post("/logout")


def test_wrong_password_or_unknown_email_gives_the_same_error(client, make_user, login_as):
    agent = make_user("agent")
    wrong = login_as(agent, password="not-the-password")
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "x"})
    for res in (wrong, unknown):
        assert res.status_code == 401
        assert "Wrong e-mail or password." in html(res)
    assert client.get("/tickets").status_code == 302  # still signed out


def test_next_is_followed_only_within_the_site(client, make_user):
    agent = make_user("agent")
    data = {"email": agent.email, "password": "correct-horse-1"}
    assert client.post("/login?next=/tickets/new", data=data).location == "/tickets/new"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/", data=data).location == "/tickets"


def test_pages_need_sign_in(client):
    for path in ("/tickets", "/tickets/new", "/tickets/1", "/brc", "/brc/new"):
        res = client.get(path)
        assert res.status_code == 302 and res.location.startswith("/login"), path


# --- the queue ---------------------------------------------------------------------------


def test_queue_filters_show_and_hide_tickets(client, make_user, make_block, make_ticket, login_as):
    agent = make_user("agent")
    kerala = make_block(
        code="KL-VADAVUCODE", name="Vadavucode", district="Ernakulam", state="IN-KL"
    )
    urgent = make_ticket(subject="PTS app will not sync", priority="urgent", category="pts-mis")
    kerala_ticket = make_ticket(
        subject="Café Kudumbashree menu costing", block=kerala.code, category="replicable-models"
    )
    mine = make_ticket(subject="Loan paperwork for weekly market")
    update_ticket(mine, agent, TicketUpdate(assignee=agent.id))
    resolved = make_ticket(subject="Old book-keeping question")
    update_ticket(resolved, agent, TicketUpdate(status="resolved"))
    login_as(agent)

    def shown(query: str) -> set[str]:
        page = html(client.get("/tickets" + query))
        return {t.number for t in (urgent, kerala_ticket, mine, resolved) if t.number in page}

    everything = {urgent.number, kerala_ticket.number, mine.number}
    assert shown("") == everything  # open work by default
    assert shown("?status=any") == everything | {resolved.number}
    assert shown("?status=resolved") == {resolved.number}
    assert shown("?priority=urgent") == {urgent.number}
    assert shown("?category=replicable-models") == {kerala_ticket.number}
    assert shown("?state=IN-KL") == {kerala_ticket.number}
    assert shown(f"?block={kerala.code}") == {kerala_ticket.number}
    assert shown("?assignee=me") == {mine.number}
    assert shown("?assignee=none") == {urgent.number, kerala_ticket.number}
    assert shown("?q=sync") == {urgent.number}
    assert shown(f"?status=any&q={resolved.number}") == {resolved.number}
    page = html(client.get("/tickets"))
    assert f'href="/tickets/{urgent.id}"' in page
    assert re.search(r"Resolved\s*<span class=\"count\">1</span>", page)


def test_queue_with_bad_filter_is_a_message_not_a_500(client, make_user, login_as):
    login_as(make_user("agent"))
    res = client.get("/tickets?status=bogus&priority=huge")
    assert res.status_code == 422
    assert "These filters are not valid" in html(res)


def test_queue_paginates(client, make_user, make_block, make_ticket, login_as):
    agent = make_user("agent")
    block = make_block()
    tickets = [make_ticket(actor=agent, block=block.code) for _ in range(52)]
    login_as(agent)
    first, second = html(client.get("/tickets")), html(client.get("/tickets?page=2"))
    assert tickets[-1].number in first and tickets[0].number not in first
    assert tickets[0].number in second and "Page 2 of 2" in second


def test_mentor_queue_shows_only_what_they_may_see(
    client, make_user, make_block, make_ticket, login_as
):
    mentor = make_user("mentor", states=["IN-KL"])
    kerala = make_block(district="Ernakulam", state="IN-KL")
    theirs, other = make_ticket(block=kerala.code), make_ticket()
    login_as(mentor)
    page = html(client.get("/tickets?status=open"))
    assert theirs.number in page and other.number not in page
    assert client.get(f"/tickets/{other.id}").status_code == 404
    assert client.get("/tickets/new").status_code == 403


# --- log a call --------------------------------------------------------------------------


def test_log_a_call_creates_the_ticket(client, make_user, make_block, login_as):
    block = make_block(code="JH-KHUNTPANI", name="Khuntpani")
    login_as(make_user("agent"))
    form = html(client.get("/tickets/new"))
    assert form.index('name="requester_phone"') < form.index('name="subject"')
    assert re.search(r'name="requester_phone"[^>]*autofocus', form)
    res = client.post("/tickets/new", data=CALL | {"block": block.code})
    assert res.status_code == 302
    ticket = db.session.scalars(sa.select(Ticket)).one()
    assert res.location == f"/tickets/{ticket.id}"
    assert (ticket.requester.phone, ticket.priority, ticket.channel) == (
        "+919876543210",
        "high",
        "phone",
    )
    page = html(client.get(res.location))
    assert f"Ticket {ticket.number} logged." in page
    assert "बैंक ने व्यवसाय योजना माँगी है।" in page


def test_block_pickers_name_each_block_with_its_district_and_state(
    client, make_user, make_block, login_as
):
    make_block(code="KHT-TORPA", name="Torpa", district="Khunti", state="IN-JH")
    login_as(make_user("agent"))
    log_a_call = client.get("/tickets/new").get_data(as_text=True)
    queue = client.get("/tickets").get_data(as_text=True)
    assert '<option value="KHT-TORPA">Torpa, Khunti, Jharkhand</option>' in log_a_call
    assert '<option value="KHT-TORPA">Torpa, Khunti</option>' in queue


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"subject": ""}, "subject", "required"),
        ({"subject": "ab"}, "subject", "at least 3 characters"),
        ({"requester_phone": "12345"}, "requester_phone", "not a valid phone number"),
        ({"requester_name": ""}, "requester_name", "required"),
        ({"block": "NOWHERE"}, "block", "unknown block"),
        ({"block": ""}, "block", "required"),
        ({"category": "no-such-thing"}, "category", "unknown category"),
        ({"priority": "whenever"}, "priority", "choose one from the list"),
    ],
)
def test_log_a_call_shows_errors_next_to_fields_and_writes_nothing(
    client, make_user, make_block, login_as, change, field, why
):
    block = make_block()
    login_as(make_user("agent"))
    before = (count(Ticket), count(TicketEvent))
    res = client.post("/tickets/new", data=CALL | {"block": block.code} | change)
    assert res.status_code == 422
    page = html(res)
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert match and why in match.group(1), page
    assert (count(Ticket), count(TicketEvent)) == before
    assert 'value="Sunita Devi"' in page or field == "requester_name"  # input kept


def test_brc_and_mentor_cannot_use_log_a_call(client, make_user, login_as):
    login_as(make_user("brc"))
    assert client.get("/tickets/new").location == "/brc/new"
    assert client.get("/tickets").location == "/brc"


# --- the BRC portal ----------------------------------------------------------------------


def test_brc_portal_shows_only_own_block(client, make_user, make_block, make_ticket, login_as):
    mine, other = make_block(name="Khuntpani"), make_block(name="Gumma")
    brc = make_user("brc", block=mine)
    own, foreign = make_ticket(block=mine.code), make_ticket(block=other.code)
    login_as(brc)
    page = html(client.get("/brc"))
    assert own.number in page and foreign.number not in page
    assert client.get(f"/tickets/{own.id}").status_code == 200
    res = client.get(f"/tickets/{foreign.id}")
    assert res.status_code == 404 and foreign.subject not in html(res)
    assert client.post(f"/tickets/{foreign.id}/messages", data={"body": "hi"}).status_code == 404


def test_brc_raises_a_ticket_in_their_block(client, make_user, make_block, login_as):
    mine = make_block()
    login_as(make_user("brc", block=mine, phone="9123456789"))
    form = html(client.get("/brc/new"))
    assert 'name="block"' not in form
    res = client.post(
        "/brc/new",
        data={
            "subject": "PTS app does not open",
            "category": "pts-mis",
            "language": "hi",
            "description": "Since the update.",
        },
    )
    assert res.status_code == 302
    ticket = db.session.scalars(sa.select(Ticket)).one()
    assert ticket.block_id == mine.id and ticket.channel == "web"
    assert ticket.requester.phone == "+919123456789"
    bad = client.post("/brc/new", data={"subject": "", "category": "pts-mis", "description": ""})
    assert bad.status_code == 422 and count(Ticket) == 1
    assert 'id="subject-error"' in html(bad) and 'id="description-error"' in html(bad)


def test_staff_get_403_page_on_the_brc_portal(client, make_user, login_as):
    login_as(make_user("agent"))
    res = client.get("/brc")
    assert res.status_code == 403 and "<html" in html(res)


def test_brc_does_not_see_internal_notes_nor_the_checkbox(
    client, make_user, make_block, make_ticket, login_as
):
    block = make_block()
    agent, brc = make_user("agent"), make_user("brc", block=block)
    ticket = make_ticket(actor=agent, block=block.code)
    add_message(
        ticket, agent, MessageCreate(body="Caller sounded unsure; check MoU copy", internal=True)
    )
    add_message(ticket, agent, MessageCreate(body="Please send the MoU copy"))
    login_as(brc)
    messages_before = count(Message)
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "Please send the MoU copy" in page
    assert "check MoU copy" not in page and "internal note" not in page.lower()
    assert 'name="internal"' not in page and "Save changes" not in page
    res = client.post(f"/tickets/{ticket.id}/messages", data={"body": "x", "internal": "on"})
    assert res.status_code == 403 and count(Message) == messages_before
    client.post("/logout")
    login_as(agent)
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "check MoU copy" in page and 'name="internal"' in page


# --- the ticket page ---------------------------------------------------------------------


def test_reply_and_status_change_create_audit_events(client, make_user, make_ticket, login_as):
    agent = make_user("agent", name="Asha Menon")
    ticket = make_ticket()
    login_as(agent)
    res = client.post(
        f"/tickets/{ticket.id}/messages", data={"body": "Please bring the bank letter."}
    )
    assert res.status_code == 302
    res = client.post(
        f"/tickets/{ticket.id}/update",
        data={
            "status": "pending",
            "priority": "urgent",
            "assignee": str(agent.id),
            "category": ticket.category.slug,
            "language": "hi",
        },
    )
    assert res.status_code == 302
    db.session.expire_all()
    kinds = [(e.kind, e.old_value, e.new_value, e.actor_id) for e in ticket.events]
    assert ("message", None, "reply", agent.id) in kinds
    assert ("status", "open", "pending", agent.id) in kinds
    assert ("priority", "normal", "urgent", agent.id) in kinds
    assert ("assignee", None, agent.email, agent.id) in kinds
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "Please bring the bank letter." in page
    assert re.search(r"changed status:.*open.*→.*pending", page, re.DOTALL | re.IGNORECASE)
    assert "Asha Menon" in page


def test_invalid_change_is_shown_not_written(client, make_user, make_ticket, login_as):
    agent = make_user("agent")
    ticket = make_ticket()
    login_as(agent)
    client.post(f"/tickets/{ticket.id}/update", data={"status": "closed"})
    before = count(TicketEvent)
    res = client.post(f"/tickets/{ticket.id}/update", data={"status": "open"})
    assert res.status_code == 409 and 'id="status-error"' in html(res)
    res = client.post(f"/tickets/{ticket.id}/messages", data={"body": "anyone?"})
    assert res.status_code == 409 and "closed" in html(res)
    res = client.post(f"/tickets/{ticket.id}/update", data={"assignee": "abc"})
    assert res.status_code == 422
    assert count(TicketEvent) == before


def test_mentor_may_not_change_priority(client, make_user, make_block, make_ticket, login_as):
    mentor = make_user("mentor", states=["IN-JH"])
    ticket = make_ticket()
    login_as(mentor)
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert 'name="status"' in page and 'name="priority"' not in page
    res = client.post(f"/tickets/{ticket.id}/update", data={"priority": "urgent"})
    assert res.status_code == 403 and "not allowed for your role" in html(res)


def test_unknown_pages_are_friendly_html(client, make_user, login_as):
    login_as(make_user("agent"))
    res = client.get("/tickets/424242")
    assert res.status_code == 404 and "Page not found" in html(res)
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/api/v1/no-such").json["error"]["code"] == "not_found"


# --- CSRF and rate limiting, switched on -------------------------------------------------


@pytest.fixture
def client_with(config_class, app):
    """A test client of a second app on the same database, built with extra settings."""
    made = []

    def make(**settings):
        other = create_app(type("Config", (config_class,), settings))
        made.append(other)
        return other.test_client()

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_csrf_is_enforced_when_enabled(client_with, make_user):
    agent = make_user("agent")
    strict = client_with(WTF_CSRF_ENABLED=True)
    res = strict.post("/login", data={"email": agent.email, "password": "correct-horse-1"})
    assert res.status_code == 400 and "form had expired" in html(res)
    page = html(strict.get("/login"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    res = strict.post(
        "/login", data={"email": agent.email, "password": "correct-horse-1", "csrf_token": token}
    )
    assert res.status_code == 302
    # Sign-in starts a new session, so the token of the page before it is spent; the
    # signed-in pages carry the new one.
    assert (
        strict.post("/api/v1/tickets", json={}, headers={"X-CSRFToken": token}).status_code == 400
    )
    page = html(strict.get("/tickets"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    # Session-authenticated API writes need the token too; reads do not.
    assert strict.get("/api/v1/contacts/lookup?phone=9876543210").status_code == 200
    assert strict.post("/api/v1/tickets", json={}).status_code == 400
    res = strict.post("/api/v1/tickets", json={}, headers={"X-CSRFToken": token})
    assert res.status_code == 422


def test_login_rate_limit(client_with, make_user):
    agent = make_user("agent")
    limited = client_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    wrong = {"email": agent.email, "password": "wrong-password"}
    assert [limited.post("/login", data=wrong).status_code for _ in range(3)] == [401] * 3
    res = limited.post("/login", data=wrong)
    assert res.status_code == 429 and "Too many sign-in attempts" in html(res)
    right = {"email": agent.email, "password": "correct-horse-1"}
    assert limited.post("/login", data=right).status_code == 429
    # Another e-mail from the same address has its own count.
    other = make_user("agent")
    assert (
        limited.post(
            "/login", data={"email": other.email, "password": "correct-horse-1"}
        ).status_code
        == 302
    )
