"""Reading articles for the web pages: what a reader may see, browsed, counted and sorted.

Read-only: every write goes through ``services.py``.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.errors import NotFound
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.knowledge import searching
from helpdesk.knowledge.models import Article, ArticleTicketLink, ArticleVote
from helpdesk.tickets.models import Category, Ticket
from helpdesk.tickets.queries import Page

#: sort key → label shown on the browse page
#: the browse page's orders (labels shown translated: lazy_gettext)
SORTS = {"answered": _l("Most answered"), "viewed": _l("Most viewed"), "newest": _l("Newest")}


@dataclass
class ArticleFilters:
    category: str | None = None
    language: str | None = None
    status: str | None = None  # "published" or "draft"; None means every visible article
    sort: str = "answered"


def article_visibility(viewer: User) -> sa.ColumnElement[bool]:
    """A WHERE clause for exactly the articles ``viewer`` may open (see access.can_view_article)."""
    if viewer.role in access.ARTICLE_EDITOR_ROLES:
        return sa.true()
    published = Article.status == "published"
    if viewer.role in access.ARTICLE_AUTHOR_ROLES:
        return sa.or_(published, sa.and_(Article.author_id == viewer.id, Article.status == "draft"))
    return published


def visible_article_or_404(user: User, article_id: int) -> Article:
    """The article if ``user`` may open it (``access.can_view_article``); otherwise 404."""
    article = db.session.get(Article, article_id)
    if article is None or not access.can_view_article(user, article):
        raise NotFound(N_("No such article."))
    return article


def sees_drafts(viewer: User) -> bool:
    return viewer.role in access.ARTICLE_AUTHOR_ROLES


def _answered():
    return (
        sa.select(ArticleTicketLink.article_id, sa.func.count().label("answered"))
        .group_by(ArticleTicketLink.article_id)
        .subquery()
    )


def _filtered(viewer: User, filters: ArticleFilters, *, skip: str | None = None) -> sa.Select:
    query = sa.select(Article).where(article_visibility(viewer))
    if filters.category and skip != "category":
        query = query.join(Category, Article.category_id == Category.id).where(
            Category.slug == filters.category
        )
    if filters.language and skip != "language":
        query = query.where(Article.language == filters.language)
    if filters.status and skip != "status":
        query = query.where(Article.status == filters.status)
    return query


def list_articles(viewer: User, filters: ArticleFilters, page: int, per_page: int) -> Page:
    """Items are ``(article, answered_count)`` pairs, sorted as ``filters.sort`` asks."""
    answered = _answered()
    count_col = sa.func.coalesce(answered.c.answered, 0)
    order = {
        "answered": (count_col.desc(), Article.view_count.desc()),
        "viewed": (Article.view_count.desc(), count_col.desc()),
        "newest": (sa.func.coalesce(Article.published_at, Article.created_at).desc(),),
    }.get(filters.sort, (count_col.desc(),))
    base = _filtered(viewer, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        base.add_columns(count_col)
        .outerjoin(answered, answered.c.article_id == Article.id)
        .options(selectinload(Article.category))
        .order_by(*order, Article.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=[(a, n) for a, n in rows], page=page, per_page=per_page, total=total)


def facet_counts(viewer: User, filters: ArticleFilters) -> dict[str, dict[str, int]]:
    """How many visible articles each category, language and status holds, each facet
    counted with the other filters applied (so the numbers match what a click shows)."""
    counts: dict[str, dict[str, int]] = {}
    for facet in ("category", "language", "status"):
        sub = _filtered(viewer, filters, skip=facet).subquery()
        if facet == "category":
            key = Category.slug
            query = (
                sa.select(key, sa.func.count())
                .select_from(sub)
                .join(Category, Category.id == sub.c.category_id)
            )
        else:
            key = sub.c[facet]
            query = sa.select(key, sa.func.count()).select_from(sub)
        counts[facet] = dict(db.session.execute(query.group_by(key)).all())
    return counts


def visible_articles(viewer: User, ids: list[int]) -> dict[int, Article]:
    """The articles among ``ids`` that ``viewer`` may open (search hits may lag the database)."""
    if not ids:
        return {}
    found = db.session.scalars(
        sa.select(Article).where(Article.id.in_(ids), article_visibility(viewer))
    )
    return {a.id: a for a in found}


def my_vote(article: Article, user: User) -> bool | None:
    return db.session.scalar(
        sa.select(ArticleVote.helpful).where(
            ArticleVote.article_id == article.id, ArticleVote.user_id == user.id
        )
    )


def articles_used_on(ticket: Ticket) -> list[Article]:
    return list(
        db.session.scalars(
            sa.select(Article)
            .join(ArticleTicketLink, ArticleTicketLink.article_id == Article.id)
            .where(ArticleTicketLink.ticket_id == ticket.id)
            .order_by(ArticleTicketLink.id)
        )
    )


def for_ticket(ticket: Ticket, viewer: User) -> dict:
    """What the ticket page shows of the knowledge base: suggested answers while the ticket
    is being worked on (call-centre side only), articles already used, and whether the
    answer may be saved as an article."""
    answering = viewer.role in access.ARTICLE_AUTHOR_ROLES
    used = articles_used_on(ticket) if answering else []
    suggestions = None
    if answering and ticket.status not in ("resolved", "closed"):
        found = searching.suggest(
            viewer, f"{ticket.subject} {ticket.description}", language=ticket.language
        )
        used_ids = {a.id for a in used}
        suggestions = {
            "items": [i for i in found["items"] if i["id"] not in used_ids],
            "degraded": found["degraded"],
        }
    return {
        "kb_suggestions": suggestions,
        "kb_used": used,
        "kb_may_capture": answering and ticket.status in ("resolved", "closed"),
    }
