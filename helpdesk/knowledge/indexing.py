"""What goes into the search index: published and draft articles, and resolved tickets'
question with their public answer. The database is the source of truth."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.knowledge.models import Article
from helpdesk.knowledge.rendering import plain_text
from helpdesk.tickets.models import Message, Ticket

SOLVED_STATUSES = ("resolved", "closed")


def article_doc_id(article_id: int) -> str:
    return f"article-{article_id}"


def ticket_doc_id(ticket_id: int) -> str:
    return f"ticket-{ticket_id}"


def article_document(article: Article) -> dict:
    return {
        "id": article_doc_id(article.id),
        "kind": "article",
        "title": article.title,
        "body": plain_text(article.body),
        "language": article.language,
        "category": article.category.slug,
        "status": article.status,
        "tags": article.tags or [],
    }


def public_answer(ticket: Ticket) -> str:
    """What the call-centre side answered in public (no notes, no acknowledgements)."""
    return "\n\n".join(
        m.body
        for m in ticket.messages
        if not m.internal and not m.automatic and m.author is not None and m.author.role != "brc"
    )


def ticket_document(ticket: Ticket) -> dict:
    return {
        "id": ticket_doc_id(ticket.id),
        "kind": "ticket",
        "title": f"{ticket.number} {ticket.subject}",
        "body": ticket.description + "\n\n" + public_answer(ticket),
        "language": ticket.language,
        "category": ticket.category.slug,
        "status": "resolved",
        "block_id": str(ticket.block_id),
    }


def all_documents(batch: int = 500) -> Iterator[dict]:
    """Every document, streamed in batches so a rebuild never holds the whole corpus."""
    last = 0
    while True:
        articles = db.session.scalars(
            sa.select(Article)
            .where(Article.id > last)
            .order_by(Article.id)
            .limit(batch)
            .options(selectinload(Article.category))
        ).all()
        if not articles:
            break
        yield from (article_document(a) for a in articles)
        last = articles[-1].id
        db.session.expunge_all()
    last = 0
    while True:
        tickets = db.session.scalars(
            sa.select(Ticket)
            .where(Ticket.id > last, Ticket.status.in_(SOLVED_STATUSES))
            .order_by(Ticket.id)
            .limit(batch)
            .options(
                selectinload(Ticket.messages).selectinload(Message.author),
                selectinload(Ticket.category),
            )
        ).all()
        if not tickets:
            break
        yield from (ticket_document(t) for t in tickets)
        last = tickets[-1].id
        db.session.expunge_all()


def document_count() -> int:
    articles = db.session.scalar(sa.select(sa.func.count()).select_from(Article)) or 0
    tickets = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Ticket).where(Ticket.status.in_(SOLVED_STATUSES))
        )
        or 0
    )
    return articles + tickets
