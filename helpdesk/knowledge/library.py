"""Articles kept as Markdown files with a small front-matter block (the demo library in
``helpdesk/knowledge/articles/``), loaded through the same service as any other article."""

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.knowledge.models import Article
from helpdesk.knowledge.schemas import ArticleCreate
from helpdesk.knowledge.services import create_article

ARTICLES_DIR = Path(__file__).with_name("articles")


@dataclass
class ArticleFile:
    slug: str
    title: str
    language: str
    category: str
    body: str
    tags: list[str] = field(default_factory=list)


def parse_article_file(path: Path) -> ArticleFile:
    """``---`` front matter with title, language, category and ``tags: [a, b]``, then Markdown."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{path.name}: no front matter")
    header, _, body = text[4:].partition("\n---\n")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    tags = [t.strip() for t in meta.get("tags", "").strip("[]").split(",") if t.strip()]
    return ArticleFile(
        slug=path.stem,
        title=meta["title"],
        language=meta["language"],
        category=meta["category"],
        body=body.strip(),
        tags=tags,
    )


def article_files(directory: Path = ARTICLES_DIR) -> list[ArticleFile]:
    return [parse_article_file(p) for p in sorted(directory.glob("*.md")) if p.name != "SOURCES.md"]


def load_library(author: User, directory: Path = ARTICLES_DIR) -> dict[str, int]:
    """Publish every file's article once (matched by title); returns {slug: article id}."""
    loaded: dict[str, int] = {}
    for item in article_files(directory):
        existing = db.session.scalar(sa.select(Article.id).where(Article.title == item.title))
        if existing is None:
            article = create_article(
                ArticleCreate(
                    title=item.title,
                    body=item.body,
                    language=item.language,
                    category=item.category,
                    tags=item.tags,
                    status="published",
                ),
                author,
            )
            existing = article.id
        loaded[item.slug] = existing
    return loaded
