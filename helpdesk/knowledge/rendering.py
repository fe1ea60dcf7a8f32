"""Markdown to safe HTML: what authors write is rendered, then cleaned of anything active."""

import html
import re

import bleach
import markdown
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> Markup:
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
    )
    # Links open elsewhere never get the page's context.
    clean = bleach.linkify(clean, callbacks=[bleach.callbacks.nofollow], skip_tags={"pre", "code"})
    return Markup(clean)


def plain_text(text: str) -> str:
    """The article's words without Markdown, for search and reply bodies."""
    rendered = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    words = bleach.clean(rendered, tags=set(), strip=True)
    # bleach returns HTML text ("&lt;", "&amp;"); readers of plain text want the characters.
    return html.unescape(re.sub(r"\n{3,}", "\n\n", words)).strip()
