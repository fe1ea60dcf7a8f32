"""Web pages of the knowledge base: browse, search, read, vote, write and publish articles,
and the ticket page's "Insert answer" and "Save as article" actions.

Views only parse, authorize (``agents/access.py``), call ``services.py`` and render.
"""

from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from helpdesk.agents import access
from helpdesk.errors import DomainError, Forbidden, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.i18n.errors import error_message
from helpdesk.knowledge import forms, queries, searching, services
from helpdesk.knowledge.models import Article
from helpdesk.knowledge.rendering import render_markdown
from helpdesk.knowledge.schemas import ArticleUpdate
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import list_categories, parse_paging
from helpdesk.validation import as_id

bp = Blueprint("knowledge", __name__)
PAGE_SIZE = 30
SEARCH_LIMIT = 20


@bp.before_request
@login_required
def signed_in_only():
    """Every role reads the knowledge base; the views below decide the rest."""


# ---- reading ---------------------------------------------------------------------------------


def _browse_filters(args, categories) -> tuple[queries.ArticleFilters, dict[str, str]]:
    """Unknown values are ignored rather than refused: these are links people share."""
    values = {
        name: (args.get(name) or "").strip() for name in ("category", "language", "status", "sort")
    }
    if values["category"] not in {c.slug for c in categories}:
        values["category"] = ""
    if values["language"] not in LANGUAGES:
        values["language"] = ""
    if values["status"] not in ("published", "draft") or not queries.sees_drafts(current_user):
        values["status"] = ""
    if values["sort"] not in queries.SORTS:
        values["sort"] = "answered"
    filters = queries.ArticleFilters(
        category=values["category"] or None,
        language=values["language"] or None,
        status=values["status"] or None,
        sort=values["sort"],
    )
    return filters, values


@bp.get("/kb")
def browse():
    categories = list_categories()
    filters, values = _browse_filters(request.args, categories)
    try:
        page, per_page = parse_paging(request.args.get("page"), None, PAGE_SIZE)
    except ValidationFailed:
        page, per_page = 1, PAGE_SIZE
    result = queries.list_articles(current_user, filters, page, per_page)
    return render_template(
        "knowledge/browse.html",
        page=result,
        pages=max(1, -(-result.total // per_page)),
        values=values,
        counts=queries.facet_counts(current_user, filters),
        categories=categories,
        sorts=queries.SORTS,
        sees_drafts=queries.sees_drafts(current_user),
        may_write=current_user.role in access.ARTICLE_AUTHOR_ROLES,
    )


@bp.get("/kb/search")
def search():
    """Articles, and for the call-centre side the answers of solved tickets ("past solutions")."""
    q = (request.args.get("q") or "").strip()[:500]
    language = request.args.get("language") if request.args.get("language") in LANGUAGES else None
    category = (request.args.get("category") or "").strip() or None
    past_solutions = current_user.role != "brc"
    kind = "ticket" if past_solutions and request.args.get("kind") == "ticket" else "article"
    results, totals, statuses = None, {}, {}
    if q:
        options = {"language": language, "category": category, "limit": SEARCH_LIMIT}
        results = searching.search(current_user, q, kind=kind, **options)
        if kind == "article":
            visible = queries.visible_articles(current_user, [i["id"] for i in results["items"]])
            results["items"] = [i for i in results["items"] if i["id"] in visible]
            statuses = {a.id: a.status for a in visible.values()}
        totals[kind] = results["total"]
        if past_solutions:
            other = "article" if kind == "ticket" else "ticket"
            totals[other] = searching.search(current_user, q, kind=other, **options)["total"]
    return render_template(
        "knowledge/search.html",
        q=q,
        kind=kind,
        results=results,
        totals=totals,
        statuses=statuses,
        values={"q": q, "language": language or "", "category": category or "", "kind": kind},
        past_solutions=past_solutions,
        categories=list_categories(),
    )


def _render_article(article: Article, message: str | None = None, status: int = 200):
    source = None
    if article.source_ticket_id:
        ticket = db.session.get(Ticket, article.source_ticket_id)
        source = ticket if ticket is not None and access.can_view(current_user, ticket) else None
    return render_template(
        "knowledge/article.html",
        article=article,
        body_html=render_markdown(article.body),
        answered=services.answered_count(article),
        my_vote=queries.my_vote(article, current_user),
        may_edit=access.may_edit_article(current_user, article),
        may_publish=current_user.role in access.ARTICLE_EDITOR_ROLES,
        source_ticket=source,
        message=message,
    ), status


@bp.get("/kb/<id:article_id>")
def show(article_id: int):
    article = queries.visible_article_or_404(current_user, article_id)
    # Back here after voting or publishing (or a reload) is the same visit, not a new view.
    if urlsplit(request.referrer or "").path != request.path:
        services.record_view(article)
    return _render_article(article)


@bp.post("/kb/<id:article_id>/vote")
def vote(article_id: int):
    article = queries.visible_article_or_404(current_user, article_id)
    helpful = request.form.get("helpful")
    if helpful not in ("yes", "no"):
        return _render_article(article, "Choose helpful or not helpful.", 422)
    try:
        services.vote(article, current_user, helpful == "yes")
    except DomainError as exc:
        return _render_article(article, error_message(exc), exc.status)
    flash(gettext("Thank you: your vote is counted."), "success")
    return redirect(url_for("knowledge.show", article_id=article.id) + "#feedback")


@bp.post("/kb/<id:article_id>/publish")
def publish(article_id: int):
    article = queries.visible_article_or_404(current_user, article_id)
    try:
        services.update_article(article, current_user, ArticleUpdate(status="published"))
    except DomainError as exc:
        return _render_article(article, error_message(exc), exc.status)
    flash(gettext("Published: everyone can now find this article."), "success")
    return redirect(url_for("knowledge.show", article_id=article.id))


# ---- writing ---------------------------------------------------------------------------------


def _status_choices() -> list[tuple[str, str]]:
    if current_user.role in access.ARTICLE_EDITOR_ROLES:
        return [("draft", gettext("Draft")), ("published", gettext("Published"))]
    return [("draft", gettext("Draft (a mentor reviews and publishes it)"))]


def _render_editor(
    article: Article | None,
    values: dict,
    errors: dict,
    *,
    message=None,
    preview=None,
    status: int = 200,
):
    return render_template(
        "knowledge/edit.html",
        article=article,
        values=values,
        errors=errors,
        message=message,
        preview=preview,
        categories=list_categories(),
        status_choices=_status_choices(),
    ), status


def _save(article: Article | None):
    """Validate the editor's form, preview it, or save it through the services."""
    values = request.form.to_dict()
    if request.form.get("action") == "preview":
        return _render_editor(article, values, {}, preview=render_markdown(values.get("body", "")))
    data, errors = forms.article_from_form(request.form, update=article is not None)
    if errors:
        return _render_editor(
            article,
            values,
            errors,
            message=gettext("Please correct the marked fields."),
            status=422,
        )
    try:
        if article is None:
            article = services.create_article(data, current_user)
        else:
            services.update_article(article, current_user, data)
    except DomainError as exc:
        return _render_editor(
            article, values, exc.fields, message=error_message(exc), status=exc.status
        )
    flash(
        gettext("Article published.") if article.status == "published" else gettext("Draft saved."),
        "success",
    )
    return redirect(url_for("knowledge.show", article_id=article.id))


@bp.route("/kb/new", methods=["GET", "POST"])
def new():
    access.require_role(current_user, *access.ARTICLE_AUTHOR_ROLES)
    if request.method == "POST":
        return _save(None)
    language = (current_user.languages or ["en"])[0]
    return _render_editor(None, {"language": language, "status": "draft"}, {})


@bp.route("/kb/<id:article_id>/edit", methods=["GET", "POST"])
def edit(article_id: int):
    article = queries.visible_article_or_404(current_user, article_id)
    if not access.may_edit_article(current_user, article):
        raise Forbidden(N_("You may not edit this article."))
    if request.method == "POST":
        return _save(article)
    return _render_editor(article, forms.form_values(article), {})


@bp.post("/kb/preview")
def preview():
    """The editor's live preview: Markdown in, the sanitized HTML the article page shows."""
    access.require_role(current_user, *access.ARTICLE_AUTHOR_ROLES)
    body = request.form.get("body", "")[:50000]
    return jsonify({"html": str(render_markdown(body))})


# ---- on the ticket page ----------------------------------------------------------------------


def _ticket_failed(ticket, exc: DomainError):
    from helpdesk.tickets.routes import render_ticket

    return render_ticket(ticket, message=error_message(exc), status=exc.status)


@bp.post("/tickets/<id:ticket_id>/use-article")
def use_article(ticket_id: int):
    """Insert answer: the article is sent as a public reply and linked to the ticket."""
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    access.require_role(current_user, *access.ARTICLE_AUTHOR_ROLES)
    article_id = as_id(request.form.get("article", ""))
    try:
        if article_id is None:
            raise ValidationFailed(
                N_("Choose an article to answer with."), {"article": N_("required")}
            )
        article = queries.visible_article_or_404(current_user, article_id)
        services.use_on_ticket(ticket, article, current_user, reply=True)
    except DomainError as exc:
        return _ticket_failed(ticket, exc)
    flash(
        gettext(
            "Answer sent from “%(title)s”, and the article is linked to this ticket.",
            title=article.title,
        ),
        "success",
    )
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#thread-end")


@bp.post("/tickets/<id:ticket_id>/save-as-article")
def save_as_article(ticket_id: int):
    """Knowledge capture: a resolved ticket's question and answer become a draft to edit."""
    ticket = access.visible_ticket_or_404(current_user, ticket_id)
    access.require_role(current_user, *access.ARTICLE_AUTHOR_ROLES)
    try:
        article = services.draft_from_ticket(ticket, current_user)
    except DomainError as exc:
        return _ticket_failed(ticket, exc)
    flash(
        gettext("Draft created from %(number)s. Tidy it up and save.", number=ticket.number),
        "success",
    )
    return redirect(url_for("knowledge.edit", article_id=article.id))
