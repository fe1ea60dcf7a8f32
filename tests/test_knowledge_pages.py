"""The knowledge base's web pages: browse, search, read, vote, write and publish, and its
panels on the ticket page (suggested answers, Insert answer, Save as article)."""

import os
import re
import shutil

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db
from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, ArticleRevision
from helpdesk.knowledge.schemas import ArticleCreate
from helpdesk.tickets.models import Message
from helpdesk.tickets.schemas import MessageCreate, TicketUpdate
from helpdesk.tickets.services import add_message, update_ticket

PLAN = {
    "title": "How an MEC prepares a business plan for a bank loan",
    "body": "## Steps\n\nThe MEC visits the enterprise and writes the **business plan** with "
    "projections the bank asks for: profit < 5000 & costs.\n\n"
    "<script>alert('x')</script>[bad](javascript:alert(1))",
    "language": "en",
    "category": "business-plan",
    "tags": ["bank loan"],
    "status": "published",
}
EDITOR_FORM = {
    "title": "Registering a Café Kudumbashree unit",
    "body": "Apply at the **CDS** office with the group's resolution.",
    "language": "en",
    "category": "business-plan",
    "tags": "café, Registration ,  ",
    "status": "draft",
}


def html(res) -> str:
    return res.get_data(as_text=True)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def mentor(make_user):
    return make_user("mentor", states=["IN-JH"], name="Meera Mentor")


@pytest.fixture
def publish(mentor, run_jobs):
    def write(**fields) -> Article:
        article = services.create_article(ArticleCreate.model_validate(PLAN | fields), mentor)
        run_jobs()  # the index job has written the article
        return article

    return write


def test_every_role_has_the_knowledge_base_in_the_navigation(client, make_user, login_as):
    for role in ("agent", "mentor", "brc", "manager", "admin"):
        login_as(make_user(role))
        page = html(client.get("/kb"))
        assert re.search(
            r'<a href="/kb" accesskey="k"\s+aria-current="page">Knowledge base</a>', page
        ), role
        client.post("/logout")


def test_browse_shows_drafts_only_to_those_who_may_edit(client, make_user, login_as, publish):
    published = publish()
    hindi = publish(title="बैंक ऋण के लिए व्यवसाय योजना", body="एमईसी योजना बनाता है।", language="hi")
    draft = publish(title="Haat stall fees explained", status="draft", category="market-linkage")

    login_as(make_user("brc"))
    page = html(client.get("/kb"))
    assert published.title in page and hindi.title in page and draft.title not in page
    assert "badge-draft" not in page and "Drafts" not in page
    only_hindi = html(client.get("/kb?language=hi"))
    assert hindi.title in only_hindi and published.title not in only_hindi
    client.post("/logout")

    login_as(make_user("manager"))
    page = html(client.get("/kb?sort=newest"))
    assert draft.title in page and 'class="badge badge-draft">Draft<' in page
    drafts = html(client.get("/kb?status=draft"))
    assert draft.title in drafts and published.title not in drafts
    assert re.search(r"Drafts <span class=\"count\">1</span>", drafts)
    assert client.get("/kb?sort=nonsense&category=astrology&page=x").status_code == 200


def test_browse_sorts_by_most_answered(client, make_user, make_ticket, login_as, publish):
    first, second = publish(title="Nutrimix unit costing"), publish()
    agent = make_user("agent")
    services.use_on_ticket(make_ticket(), second, agent, reply=False)
    login_as(agent)
    page = html(client.get("/kb?sort=answered"))
    assert page.index(second.title) < page.index(first.title)
    assert "1 ticket answered" in page


def test_article_page_renders_sanitized_html_and_counts_a_view(
    client, make_user, login_as, publish
):
    article = publish()
    login_as(make_user("brc"))
    page = html(client.get(f"/kb/{article.id}"))
    assert "<h2>Steps</h2>" in page and "<strong>business plan</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert "Meera Mentor" in page  # the revision list says who wrote it
    assert "Edit</a>" not in page and ">Publish<" not in page
    db.session.refresh(article)
    assert article.view_count == 1
    client.get(f"/kb/{article.id}", headers={"Referer": "http://localhost/kb"})
    client.get(f"/kb/{article.id}", headers={"Referer": f"http://localhost/kb/{article.id}"})
    db.session.refresh(article)
    assert article.view_count == 2  # back from its own vote form is not another view


def test_drafts_are_404_for_readers_who_may_not_edit(client, make_user, login_as, publish):
    draft = publish(status="draft")
    login_as(make_user("agent"))
    assert client.get(f"/kb/{draft.id}").status_code == 404
    assert client.get(f"/kb/{draft.id}/edit").status_code == 404
    assert client.get("/kb/999999").status_code == 404


def test_vote_buttons_count_one_vote_per_reader(client, make_user, login_as, publish):
    article = publish()
    login_as(make_user("brc"))
    res = client.post(f"/kb/{article.id}/vote", data={"helpful": "yes"})
    assert res.status_code == 302 and res.location.endswith(f"/kb/{article.id}#feedback")
    client.post(f"/kb/{article.id}/vote", data={"helpful": "yes"})
    db.session.refresh(article)
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)
    client.post(f"/kb/{article.id}/vote", data={"helpful": "no"})
    db.session.refresh(article)
    assert (article.helpful_count, article.not_helpful_count) == (0, 1)
    page = html(client.get(f"/kb/{article.id}"))
    assert re.search(r'value="no" class="btn is-chosen"\s+aria-pressed="true"', page)
    assert client.post(f"/kb/{article.id}/vote", data={"helpful": "maybe"}).status_code == 422


def test_editor_shows_field_errors_and_writes_nothing(client, make_user, login_as):
    login_as(make_user("agent"))
    res = client.post(
        "/kb/new",
        data=EDITOR_FORM
        | {
            "title": "",
            "body": " ",
            "language": "xx",
            "tags": ",".join(f"t{i}" for i in range(21)),
        },
    )
    assert res.status_code == 422
    page = html(res)
    for field, why in [
        ("title", "Title is required."),
        ("body", "Answer is required."),
        ("tags", "At most 20 tags."),
    ]:
        assert f'<p class="field-error" id="{field}-error">{why}</p>' in page
    assert 'id="language-error"' in page
    res = client.post("/kb/new", data=EDITOR_FORM | {"category": "astrology"})
    assert res.status_code == 422 and "unknown category" in html(res)
    assert "Registering a Café Kudumbashree unit" in html(res)  # what was typed is kept
    assert (count(Article), count(ArticleRevision)) == (0, 0)

    res = client.post("/kb/new", data=EDITOR_FORM)
    assert res.status_code == 302
    article = db.session.scalars(sa.select(Article)).one()
    assert res.location.endswith(f"/kb/{article.id}")
    assert (article.status, article.tags) == ("draft", ["café", "registration"])


def test_agent_cannot_publish(client, make_user, login_as):
    agent = make_user("agent")
    login_as(agent)
    form = html(client.get("/kb/new"))
    assert 'value="draft"' in form and 'value="published"' not in form
    res = client.post("/kb/new", data=EDITOR_FORM | {"status": "published"})
    assert res.status_code == 403
    assert '<p class="field-error" id="status-error">save as draft for review</p>' in html(res)
    assert count(Article) == 0

    client.post("/kb/new", data=EDITOR_FORM)
    article = db.session.scalars(sa.select(Article)).one()
    res = client.post(f"/kb/{article.id}/edit", data=EDITOR_FORM | {"status": "published"})
    assert res.status_code == 403
    assert client.post(f"/kb/{article.id}/publish").status_code == 403
    db.session.refresh(article)
    assert article.status == "draft" and len(article.revisions) == 1
    # ... and may still improve their own draft.
    res = client.post(
        f"/kb/{article.id}/edit", data=EDITOR_FORM | {"title": "Registering a café unit"}
    )
    assert res.status_code == 302
    db.session.refresh(article)
    assert article.title == "Registering a café unit"


def test_mentor_edits_and_publishes_a_draft(client, make_user, login_as, publish, run_jobs):
    draft = publish(status="draft")
    login_as(make_user("mentor"))
    page = html(client.get(f"/kb/{draft.id}"))
    assert f'action="/kb/{draft.id}/publish"' in page and f'href="/kb/{draft.id}/edit"' in page
    edit_form = html(client.get(f"/kb/{draft.id}/edit"))
    assert 'value="published"' in edit_form and "bank loan" in edit_form
    res = client.post(f"/kb/{draft.id}/publish")
    assert res.status_code == 302
    db.session.refresh(draft)
    assert draft.status == "published" and draft.published_at is not None


def test_editor_preview_is_sanitized(client, make_user, login_as):
    login_as(make_user("agent"))
    res = client.post("/kb/preview", data={"body": "**Bold** <script>alert(1)</script>"})
    assert res.status_code == 200 and "<strong>Bold</strong>" in res.json["html"]
    assert "<script" not in res.json["html"]
    page = html(client.post("/kb/new", data=EDITOR_FORM | {"action": "preview"}))
    assert "<strong>CDS</strong>" in page and count(Article) == 0
    client.post("/logout")
    login_as(make_user("brc"))
    assert client.post("/kb/preview", data={"body": "x"}).status_code == 403
    assert client.get("/kb/new").status_code == 403


def test_search_highlights_snippets_and_escapes_html(client, make_user, login_as, publish):
    publish(title="Loans <img src=x onerror=alert(1)> & business plans")
    login_as(make_user("brc"))
    page = html(client.get("/kb/search?q=business plan"))
    assert '<b class="match">business</b>' in page
    assert (
        "<img src=x" not in page
        and "Loans &lt;img src=x onerror=alert(1)&gt; &amp; business" in page
    )
    assert "profit &lt; 5000" in page and "&amp;lt;" not in page  # snippet text escaped once
    assert "Past solutions" not in page
    assert "No article" not in html(client.get("/kb/search?q="))


def test_past_solutions_tab_for_the_call_centre(client, make_user, make_ticket, login_as, run_jobs):
    agent = make_user("agent")
    ticket = make_ticket(subject="Weekly market stall fee question")
    add_message(ticket, agent, MessageCreate(body="The haat committee fixes the stall fee."))
    update_ticket(ticket, agent, TicketUpdate(status="resolved"))
    run_jobs()
    login_as(agent)
    page = html(client.get("/kb/search?q=haat stall fee&kind=ticket"))
    assert "Past solutions" in page and f'href="/tickets/{ticket.id}"' in page
    assert ticket.number in page


def test_search_says_when_the_index_is_being_rebuilt(app, client, make_user, login_as, publish):
    publish()
    shutil.rmtree(os.path.realpath(app.config["SEARCH_INDEX_DIR"]))
    app.extensions.pop("kb_index", None)
    login_as(make_user("agent"))
    res = client.get("/kb/search?q=business plan")
    assert res.status_code == 200 and "Search is being rebuilt" in html(res)


def test_ticket_page_suggests_articles_and_inserts_an_answer(
    client, make_user, make_block, make_ticket, login_as, publish
):
    article = publish()
    block = make_block()
    agent = make_user("agent")
    ticket = make_ticket(
        actor=agent, block=block.code, language="en", subject="Bank manager wants a business plan"
    )
    login_as(agent)
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "Suggested answers" in page and article.title in page
    assert f'action="/tickets/{ticket.id}/use-article"' in page

    res = client.post(f"/tickets/{ticket.id}/use-article", data={"article": article.id})
    assert res.status_code == 302 and res.location.endswith(f"/tickets/{ticket.id}#thread-end")
    assert services.answered_count(article) == 1
    reply = db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())
    ).first()
    assert not reply.internal and reply.author_id == agent.id
    assert article.title in reply.body and "profit < 5000 & costs" in reply.body
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "Answer sent from" in page and "Answered with" in page
    assert f'<input type="hidden" name="article" value="{article.id}">' not in page  # not again
    client.post("/logout")

    login_as(make_user("brc", block=block))
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "Suggested answers" not in page and "Save as article" not in page
    assert (
        client.post(f"/tickets/{ticket.id}/use-article", data={"article": article.id}).status_code
        == 403
    )


def test_insert_answer_refuses_drafts_and_bad_input(client, mentor, make_ticket, login_as, publish):
    draft = publish(status="draft")
    ticket = make_ticket()
    login_as(mentor)
    res = client.post(f"/tickets/{ticket.id}/use-article", data={"article": draft.id})
    assert res.status_code == 409 and "Only published articles" in html(res)
    assert (
        client.post(f"/tickets/{ticket.id}/use-article", data={"article": "x"}).status_code == 422
    )
    assert services.answered_count(draft) == 0


def test_save_resolved_ticket_as_article(client, make_user, make_ticket, login_as):
    agent = make_user("agent")
    ticket = make_ticket(actor=agent, subject="PTS app does not sync offline entries")
    login_as(agent)
    assert "Save as article" not in html(client.get(f"/tickets/{ticket.id}"))
    res = client.post(f"/tickets/{ticket.id}/save-as-article")
    assert res.status_code == 409 and count(Article) == 0

    add_message(ticket, agent, MessageCreate(body="Open the app with data on and tap Sync."))
    update_ticket(ticket, agent, TicketUpdate(status="resolved"))
    page = html(client.get(f"/tickets/{ticket.id}"))
    assert "Save as article" in page and "Suggested answers" not in page
    res = client.post(f"/tickets/{ticket.id}/save-as-article")
    article = db.session.scalars(sa.select(Article)).one()
    assert res.status_code == 302 and res.location.endswith(f"/kb/{article.id}/edit")
    assert article.status == "draft" and article.source_ticket_id == ticket.id
    editor = html(client.get(res.location))
    assert "PTS app does not sync offline entries" in editor
    assert ticket.description in editor and "tap Sync." in editor


def test_other_blocks_tickets_are_404_on_these_routes(
    client, make_user, make_block, make_ticket, login_as, publish
):
    article = publish()
    ticket = make_ticket(block=make_block().code)
    for user in (make_user("brc"), make_user("mentor", states=["IN-KL"])):
        login_as(user)
        for path in ("use-article", "save-as-article"):
            res = client.post(f"/tickets/{ticket.id}/{path}", data={"article": article.id})
            assert res.status_code == 404, (user.role, path)
        client.post("/logout")
    assert services.answered_count(article) == 0 and count(Article) == 1
