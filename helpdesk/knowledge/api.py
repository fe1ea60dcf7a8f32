"""API: knowledge-base articles, search and suggestions, and their use on tickets."""

from flask import g, jsonify, request

from helpdesk.agents import access
from helpdesk.api import api_v1
from helpdesk.api.auth import api_user
from helpdesk.api.spec import endpoint
from helpdesk.knowledge import queries, searching, services
from helpdesk.knowledge.schemas import ArticleCreate, ArticleUpdate, ArticleUse, VoteIn
from helpdesk.knowledge.serializers import article_to_dict
from helpdesk.tickets.serializers import message_to_dict
from helpdesk.validation import parse_int

SEARCH_QUERY = {
    "q": "words to search for, in any language",
    "language": "BCP 47 tag to restrict to",
    "category": "category slug to restrict to",
    "limit": "results to return, 1 to 50 (default 10)",
}


def _limit(default: int = 10) -> int:
    return parse_int(request.args.get("limit"), "limit", default=default, minimum=1, maximum=50)


@api_v1.post("/kb/articles")
@endpoint(
    summary="Write an article",
    body=ArticleCreate,
    roles=access.ARTICLE_AUTHOR_ROLES,
    responses={201: "The article with body_html"},
    tag="knowledge",
)
def post_article():
    """Agents write drafts; mentors, managers and admins may also publish."""
    article = services.create_article(g.body, api_user())
    return jsonify(article_to_dict(article)), 201


@api_v1.get("/kb/articles/<id:article_id>")
@endpoint(summary="An article, its Markdown rendered and sanitized", tag="knowledge")
def get_article(article_id: int):
    article = queries.visible_article_or_404(api_user(), article_id)
    services.record_view(article)
    return jsonify(article_to_dict(article))


@api_v1.patch("/kb/articles/<id:article_id>")
@endpoint(summary="Edit, publish or unpublish an article", body=ArticleUpdate, tag="knowledge")
def patch_article(article_id: int):
    article = queries.visible_article_or_404(api_user(), article_id)
    services.update_article(article, api_user(), g.body)
    return jsonify(article_to_dict(article))


@api_v1.post("/kb/articles/<id:article_id>/votes")
@endpoint(summary="Helpful or not helpful", body=VoteIn, tag="knowledge")
def post_vote(article_id: int):
    article = queries.visible_article_or_404(api_user(), article_id)
    services.vote(article, api_user(), g.body.helpful)
    return jsonify(article_to_dict(article))


@api_v1.get("/kb/search")
@endpoint(
    summary="Search articles (and, for staff, resolved tickets' answers)",
    query=SEARCH_QUERY | {"kind": "article (default) or ticket"},
    tag="knowledge",
)
def search_articles():
    """Best first; published articles only for readers who cannot edit. While the index is
    rebuilt the answer says ``"degraded": true`` instead of failing."""
    results = searching.search(
        api_user(),
        request.args.get("q", ""),
        language=request.args.get("language") or None,
        category=request.args.get("category") or None,
        kind=request.args.get("kind") or "article",
        limit=_limit(),
    )
    return jsonify(results)


@api_v1.get("/kb/suggest")
@endpoint(
    summary="Articles that may answer a ticket being typed",
    query={
        "text": "what has been typed so far",
        "language": "the ticket's language",
        "limit": "1 to 50 (default 5)",
    },
    tag="knowledge",
)
def suggest_articles():
    results = searching.suggest(
        api_user(),
        request.args.get("text", ""),
        language=request.args.get("language") or None,
        limit=_limit(5),
    )
    return jsonify(results)


@api_v1.post("/tickets/<id:ticket_id>/articles")
@endpoint(
    summary="Answer a ticket with an article",
    body=ArticleUse,
    roles=("agent", "mentor", "manager", "admin"),
    responses={201: "The reply, if sent"},
    tag="knowledge",
)
def use_article(ticket_id: int):
    """Links the article to the ticket (counted once) and, with ``reply``, sends its answer
    as a public reply."""
    user = api_user()
    ticket = access.visible_ticket_or_404(user, ticket_id)
    article = queries.visible_article_or_404(user, g.body.article)
    message = services.use_on_ticket(ticket, article, user, reply=g.body.reply)
    return jsonify({"message": message_to_dict(message) if message else None}), 201


@api_v1.post("/tickets/<id:ticket_id>/save-as-article")
@endpoint(
    summary="Capture a resolved ticket's answer as a draft article",
    roles=access.ARTICLE_AUTHOR_ROLES,
    responses={201: "The draft"},
    tag="knowledge",
)
def save_ticket_as_article(ticket_id: int):
    user = api_user()
    ticket = access.visible_ticket_or_404(user, ticket_id)
    return jsonify(article_to_dict(services.draft_from_ticket(ticket, user))), 201
