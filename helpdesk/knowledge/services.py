"""Articles: writing, publishing, votes, use on tickets and capture from resolved tickets.

Every change that alters what search should find enqueues an index job in the same
transaction (see tasks.py); the index is never written from a web request.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from helpdesk import jobs
from helpdesk.agents import access
from helpdesk.agents.models import User
from helpdesk.errors import Conflict, Forbidden, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.knowledge.models import Article, ArticleRevision, ArticleTicketLink, ArticleVote
from helpdesk.knowledge.rendering import plain_text
from helpdesk.knowledge.schemas import ArticleCreate, ArticleUpdate
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import MessageCreate
from helpdesk.tickets.services import add_message, category_by_slug, unit_of_work
from helpdesk.timeutil import utcnow


def _require_author(user: User) -> None:
    if user.role not in access.ARTICLE_AUTHOR_ROLES:
        raise Forbidden(N_("Your role may not write articles."))


def _require_publisher(user: User, status: str | None) -> None:
    if status == "published" and user.role not in access.ARTICLE_EDITOR_ROLES:
        raise Forbidden(
            N_("Only mentors, managers and admins publish articles."),
            {"status": N_("save as draft for review")},
        )


def _clean_tags(tags: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        seen.setdefault(tag.strip().lower(), None)
    return list(seen)


def create_article(
    data: ArticleCreate, author: User, *, source_ticket: Ticket | None = None
) -> Article:
    _require_author(author)
    _require_publisher(author, data.status)
    category = category_by_slug(data.category)
    if category is None:
        raise ValidationFailed(
            N_("The article has invalid fields."), {"category": N_("unknown category")}
        )
    now = utcnow()
    with unit_of_work():
        article = Article(
            title=data.title,
            body=data.body,
            language=data.language,
            category=category,
            tags=_clean_tags(data.tags),
            status=data.status,
            author=author,
            source_ticket_id=source_ticket.id if source_ticket else None,
            created_at=now,
            updated_at=now,
            published_at=now if data.status == "published" else None,
        )
        db.session.add(article)
        _record_revision(article, author)
        db.session.flush()
        jobs.enqueue("kb.index_article", article.id)
    return article


def update_article(article: Article, editor: User, data: ArticleUpdate) -> Article:
    sent = data.model_fields_set
    if not access.may_edit_article(editor, article):
        raise Forbidden(N_("You may not edit this article."))
    _require_publisher(editor, data.status if "status" in sent else None)
    for field in ("title", "body", "language", "status", "category"):
        if field in sent and getattr(data, field) is None:
            raise ValidationFailed(N_("The change has invalid fields."), {field: "may not be null"})
    category = None
    if "category" in sent:
        category = category_by_slug(data.category)
        if category is None:
            raise ValidationFailed(
                N_("The change has invalid fields."), {"category": N_("unknown category")}
            )
    with unit_of_work():
        for field in ("title", "body", "language"):
            if field in sent:
                setattr(article, field, getattr(data, field))
        if category is not None:
            article.category = category
        if "tags" in sent:
            article.tags = _clean_tags(data.tags or [])
        if "status" in sent and data.status != article.status:
            article.status = data.status
            if data.status == "published" and article.published_at is None:
                article.published_at = utcnow()
        article.updated_at = utcnow()
        _record_revision(article, editor)
        jobs.enqueue("kb.index_article", article.id)
    return article


def _record_revision(article: Article, editor: User) -> None:
    db.session.add(
        ArticleRevision(
            article=article,
            title=article.title,
            body=article.body,
            status=article.status,
            editor=editor,
            at=utcnow(),
        )
    )


def record_view(article: Article) -> None:
    """Count a view without loading or racing on the counter."""
    db.session.execute(
        sa.update(Article).where(Article.id == article.id).values(view_count=Article.view_count + 1)
    )
    db.session.commit()


def vote(article: Article, user: User, helpful: bool) -> Article:
    """One vote per reader; voting again replaces the earlier vote."""
    existing = db.session.scalar(
        sa.select(ArticleVote).where(
            ArticleVote.article_id == article.id, ArticleVote.user_id == user.id
        )
    )
    if existing is None:
        db.session.add(ArticleVote(article_id=article.id, user_id=user.id, helpful=helpful))
    else:
        existing.helpful, existing.at = helpful, utcnow()
    db.session.flush()
    counts = dict(
        db.session.execute(
            sa.select(ArticleVote.helpful, sa.func.count())
            .where(ArticleVote.article_id == article.id)
            .group_by(ArticleVote.helpful)
        ).all()
    )
    article.helpful_count = counts.get(True, 0)
    article.not_helpful_count = counts.get(False, 0)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same reader voting twice at the same instant
        db.session.rollback()
        raise Conflict(N_("Your vote was recorded a moment ago.")) from exc
    return article


def answered_count(article: Article) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ArticleTicketLink)
            .where(ArticleTicketLink.article_id == article.id)
        )
        or 0
    )


def use_on_ticket(ticket: Ticket, article: Article, user: User, *, reply: bool = True):
    """Link ``article`` to ``ticket`` (once) and, with ``reply``, send its answer as a
    public reply, in one transaction: the reply never stands without its link. Returns
    the reply message or None."""
    if article.status != "published":
        raise Conflict(
            N_("Only published articles can answer tickets."), {"article": N_("not published")}
        )
    message = None
    with unit_of_work():
        if reply:
            body = f"{article.title}\n\n{plain_text(article.body)}"[:20000]
            message = add_message(ticket, user, MessageCreate(body=body), channel="web")
        _link_once(article, ticket, user)
    return message


def _link_once(article: Article, ticket: Ticket, user: User) -> None:
    """Record that ``article`` answered ``ticket``; a second use (even a concurrent one)
    changes nothing, without failing the transaction it is part of."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(ArticleTicketLink)
        .values(article_id=article.id, ticket_id=ticket.id, linked_by_id=user.id, at=utcnow())
        .on_conflict_do_nothing(index_elements=["article_id", "ticket_id"])
    )


def draft_from_ticket(ticket: Ticket, user: User) -> Article:
    """Knowledge capture: a draft prefilled with the question and the public answer."""
    if ticket.status not in ("resolved", "closed"):
        raise Conflict(
            N_("Only resolved tickets can be saved as articles."), {"status": ticket.status}
        )
    answers = [
        m.body
        for m in ticket.messages
        if not m.internal and not m.automatic and m.author is not None and m.author.role != "brc"
    ]
    if not answers:
        raise Conflict(N_("This ticket has no public answer to save."))
    body = "## Question\n\n" + ticket.description + "\n\n## Answer\n\n" + "\n\n".join(answers)
    data = ArticleCreate(
        title=ticket.subject,
        body=body[:50000],
        language=ticket.language,
        category=ticket.category.slug,
        tags=[],
        status="draft",
    )
    return create_article(data, user, source_ticket=ticket)
