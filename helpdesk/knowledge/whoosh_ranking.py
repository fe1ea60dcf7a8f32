"""The read path through Whoosh's own search loop, kept for comparison (benchmarks, and the
``SEARCH_READ_PATH = "whoosh"`` setting): the same words and alternatives as ``ranking``,
scored by ``searcher.search`` and highlighted by Whoosh's highlighter."""

from __future__ import annotations

import html

from whoosh import query as Q
from whoosh.highlight import (
    ContextFragmenter,
    Formatter,
    Highlighter,
    get_text,
    top_fragments,
)

from helpdesk.knowledge.analysis import ANALYZER
from helpdesk.knowledge.ranking import Word, term_docs, word_alternatives
from helpdesk.knowledge.snippets import plain_snippet
from helpdesk.knowledge.spelling import is_indic, loose_term


def build_query(reader, words: list[Word]):
    """OR of per-word groups; returns (query, [(field, term)] per word)."""
    groups, terms_by_word = [], []
    for word in words:
        alternatives = [
            Q.Term(fieldname, term, boost=boost)
            for fieldname, term, boost in word_alternatives(reader, word)
        ]
        groups.append(Q.Or(alternatives))
        terms_by_word.append([(t.fieldname, t.text) for t in alternatives])
    return Q.Or(groups), terms_by_word


class _MatchFormatter(Formatter):
    """``<b class="match">word</b>`` around matches; all text HTML-escaped."""

    between = " … "

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f'<b class="match">{self._text(get_text(text, token, replace))}</b>'


class _SpellingHighlighter(Highlighter):
    """Marks the body's words that match a query word exactly or in a loose spelling, so a
    snippet shows फ़ीस for "फीस" and योजना for "yojana" as written; never stop words."""

    def __init__(self, exact: set[str], loose: set[str]):
        super().__init__(
            fragmenter=ContextFragmenter(maxchars=200, surround=40), formatter=_MatchFormatter()
        )
        self.exact, self.loose = exact, loose

    def highlight_hit(self, hitobj, fieldname, text=None, top=3, minscore=1, **_kwargs):
        text = hitobj[fieldname] if text is None else text
        tokens = self._merge_matched_tokens(self._marked(text))
        fragments = self.fragmenter.fragment_tokens(text, tokens)
        return self.formatter.format(
            top_fragments(fragments, top, self.scorer, self.order, minscore=minscore)
        )

    def _marked(self, text: str):
        for t in ANALYZER(text, chars=True, keeporiginal=True, removestops=False):
            t.matched = not t.stopped and (
                t.text in self.exact
                or (bool(self.loose) and is_indic(t.text) and loose_term(t.text) in self.loose)
            )
            yield t


def whoosh_ranked_page(
    searcher,
    words: list[Word],
    allowed: set[int] | None,
    limit: int,
    page: int,
    window: int | None = 200,
):
    """``ranking.ranked_page`` as Whoosh's own search loop does it: coverage re-ranked
    within the ``window`` best-scored hits; ``window=None`` scores and re-ranks every
    match (the exhaustive order, the benchmarks' reference)."""
    reader = searcher.reader()
    q, terms_by_word = build_query(reader, words)
    # Coverage re-ranking happens within this window of best-scored hits.  No terms=True:
    # recording matched terms makes Whoosh visit every matching document (no block
    # skipping); coverage and the total come from the words' document sets instead.
    results = searcher.search(
        q, limit=None if window is None else max(page * limit, window), filter=allowed
    )
    results.highlighter = _SpellingHighlighter(
        exact={t for terms in terms_by_word for f, t in terms if f == "body"},
        loose={t for terms in terms_by_word for f, t in terms if f == "body_loose"},
    )
    per_word = [
        set().union(*(term_docs(searcher, f, t) for f, t in terms)) for terms in terms_by_word
    ]
    matching = set().union(*per_word)
    if allowed is not None:
        matching &= allowed
    elif reader.has_deletions():
        matching = {d for d in matching if not reader.is_deleted(d)}

    def coverage(hit) -> int:
        return sum(hit.docnum in docs for docs in per_word)

    # by index: list(results) would ask len(results), which re-runs the query
    hits = sorted(
        (results[i] for i in range(results.scored_length())),
        key=lambda h: (-coverage(h), -h.score, h.rank),
    )
    return [_item(hit) for hit in hits[(page - 1) * limit : page * limit]], len(matching)


def _item(hit) -> dict:
    snippet = hit.highlights("body", top=2) or plain_snippet(hit.get("body", ""))
    return {
        "id": hit["id"],
        "kind": hit.get("kind"),
        "title": hit.get("title", ""),
        "snippet": snippet,
        "score": float(hit.score),
        "language": hit.get("language"),
        "category": hit.get("category"),
    }
