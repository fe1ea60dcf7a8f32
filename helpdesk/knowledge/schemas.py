"""What an article request may contain; shared by the API and the editor page."""

from typing import Annotated, Literal

from pydantic import Field

from helpdesk.knowledge.models import ARTICLE_STATUSES
from helpdesk.tickets.schemas import Language, Slug, Strict
from helpdesk.validation import Id, text

Title = text(3, 200)
Markdown = text(1, 50000)
Tag = text(1, 40)
ArticleStatus = Literal[ARTICLE_STATUSES]  # type: ignore[valid-type]


class ArticleCreate(Strict):
    title: Title
    body: Markdown
    language: Language = "en"
    category: Slug
    tags: Annotated[list[Tag], Field(max_length=20)] = []
    status: ArticleStatus = "draft"


class ArticleUpdate(Strict):
    title: Title | None = None
    body: Markdown | None = None
    language: Language | None = None
    category: Slug | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None
    status: ArticleStatus | None = None


class VoteIn(Strict):
    helpful: bool


class ArticleUse(Strict):
    """Link an article to a ticket; with ``reply`` its answer is also sent as a public reply."""

    article: Id
    reply: bool = True
