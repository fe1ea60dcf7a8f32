"""Articles as the contract returns them."""

from helpdesk.knowledge.models import Article
from helpdesk.knowledge.rendering import render_markdown
from helpdesk.knowledge.services import answered_count
from helpdesk.timeutil import isoformat


def article_to_dict(article: Article) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "body_html": str(render_markdown(article.body)),
        "language": article.language,
        "category": article.category.slug,
        "tags": list(article.tags or []),
        "status": article.status,
        "author": article.author.to_summary() if article.author else None,
        "source_ticket": article.source_ticket_id,
        "view_count": article.view_count,
        "answered_tickets": answered_count(article),
        "helpful": article.helpful_count,
        "not_helpful": article.not_helpful_count,
        "revisions": len(article.revisions),
        "created_at": isoformat(article.created_at),
        "updated_at": isoformat(article.updated_at),
        "published_at": isoformat(article.published_at),
    }
