from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.tickets.models import Category, Ticket
from helpdesk.timeutil import UTCDateTime, utcnow

ARTICLE_STATUSES = ("draft", "published")


class Article(db.Model):
    """An answer from Kudumbashree practice that agents, BRCs and mentors can find."""

    __tablename__ = "kb_articles"
    __table_args__ = (sa.Index("ix_kb_articles_status_language", "status", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Markdown as written; rendered and sanitized on the way out
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(8))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the resolved ticket this article was captured from, if any
    source_ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"))
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    not_helpful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    category: Mapped[Category] = relationship()
    author: Mapped[User | None] = relationship()
    revisions: Mapped[list["ArticleRevision"]] = relationship(
        back_populates="article", order_by="ArticleRevision.id", cascade="all, delete-orphan"
    )


class ArticleRevision(db.Model):
    """The article as it was after each save: who changed it and when."""

    __tablename__ = "kb_article_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()


class ArticleTicketLink(db.Model):
    """An article used to answer a ticket; counts once per ticket."""

    __tablename__ = "kb_article_tickets"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "ticket_id", name="uq_kb_article_tickets_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    article: Mapped[Article] = relationship()
    ticket: Mapped[Ticket] = relationship()


class ArticleVote(db.Model):
    """One helpful / not helpful vote per reader per article; a new vote replaces the old."""

    __tablename__ = "kb_article_votes"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "user_id", name="uq_kb_article_votes_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    helpful: Mapped[bool] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
