"""Query building and ranking: which terms a query asks for, typo alternatives, filters,
coverage-first ordering and highlighted snippets."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.highlight import (
    ContextFragmenter,
    Formatter,
    Highlighter,
    get_text,
    top_fragments,
)
from whoosh.matching.wrappers import FilterMatcher
from whoosh.support.levenshtein import damerau_levenshtein

from helpdesk.knowledge import stopwords
from helpdesk.knowledge.analysis import ANALYZER, LATIN_RE, NGRAMS, analyze, nfc
from helpdesk.knowledge.spelling import ROMAN_RE, SCRIPT_PREFIXES, is_indic, loose_term, skeleton

#: weight of a loose-spelling match against an exact one; romanized words are read as
#: Hindi first, other scripts a little lower
LOOSE_BOOST = 0.5
OTHER_SCRIPT_BOOST = 0.3


@dataclass(frozen=True)
class Word:
    term: str  # analyzed (stemmed) form
    surface: str  # lowercased, folded, unstemmed
    loose: tuple[tuple[str, float], ...]  # (loose-field term, boost): see spelling.skeleton
    romanized_query: bool = False  # the query has romanized Hindi function words ("ki", "hai")


def _loose(surface: str) -> tuple[tuple[str, float], ...]:
    if is_indic(surface):
        return ((loose_term(surface), LOOSE_BOOST),)
    if ROMAN_RE.fullmatch(surface):
        sk = skeleton(surface)
        return tuple(
            (prefix + sk, LOOSE_BOOST if not prefix else OTHER_SCRIPT_BOOST)
            for prefix in SCRIPT_PREFIXES
        )
    return ()


def query_words(text: str, limit: int = 16) -> list[Word]:
    """Distinct non-stop words of a user query; query-syntax characters are just separators."""
    words, seen, romanized = [], set(), False
    for tok in ANALYZER(nfc(text)[:500], keeporiginal=True, mode="query", removestops=False):
        if tok.stopped:
            romanized = romanized or tok.text in stopwords.ROMANIZED_HINDI_MARKERS
        elif tok.text not in seen:
            seen.add(tok.text)
            surface = tok.original.lower()
            words.append(Word(tok.text, surface, _loose(surface)))
    if romanized:
        words = [replace(w, romanized_query=True) for w in words]
    return words[:limit]


def _corrections(reader, word: Word) -> list[tuple[str, str, float]]:
    """Extra (field, term, boost) alternatives for an English word no article contains.

    Article words within 1 edit (2 from 8 letters; Damerau, so a swap is one edit), compared
    unstemmed (stems of misspellings are unreliable: "managment" vs "manag") or stem to stem;
    title n-grams catch worse typos ("nutrimicks").  Known words and their inflections are
    left alone: correcting them would only add noise.
    """
    surface = word.surface
    if len(surface) < 4 or not LATIN_RE.fullmatch(surface):
        return []
    maxdist, terms = (2 if len(surface) >= 8 else 1), set()
    for btext in reader.expand_prefix("spelling", surface[0]):
        candidate = btext.decode("utf-8")
        if abs(len(candidate) - len(surface)) > maxdist + 3:  # + room for suffixes
            continue
        stems = analyze(candidate)
        if stems == [word.term]:
            return []  # an inflection of an article word ("loan" for "loans"): no typo
        if damerau_levenshtein(candidate, surface, limit=maxdist) <= maxdist or (
            stems and damerau_levenshtein(stems[0], word.term, limit=maxdist) <= maxdist
        ):
            terms.update(stems)  # "laon" is 2 edits from "loans" but 1 from its stem
    out = [(f, t, 0.7) for t in sorted(terms - {word.term}) for f in ("title", "body")]
    return out + [("title_ngram", t.text, 0.3) for t in NGRAMS(surface, mode="query")]


def build_query(reader, words: list[Word]):
    """OR of per-word groups with a coordination bonus; returns (query, [(field, term)] per
    word)."""
    groups, terms_by_word = [], []
    for word in words:
        terms = [("title", word.term, 1.0), ("body", word.term, 1.0), ("tags", word.surface, 1.0)]
        known = reader.doc_frequency("spelling", word.surface)
        # A spelling no article uses may be romanized Hindi, a variant or a typo.  Words that
        # articles do use stay as typed ("bank" never meets ബാങ്ക്), unless the query is
        # romanized Hindi ("MEC ki fees kitni hai": fees is फ़ीस here).
        if not known or (word.romanized_query and ROMAN_RE.fullmatch(word.surface)):
            terms += [
                (field, term, boost)
                for term, boost in word.loose
                for field in ("title_loose", "body_loose")
            ]
        if not known:
            terms += _corrections(reader, word)
        alternatives = [Q.Term(fieldname, term, boost=boost) for fieldname, term, boost in terms]
        groups.append(Q.Or(alternatives))
        terms_by_word.append([(t.fieldname, t.text) for t in alternatives])
    return Q.Or(groups), terms_by_word


def term_docs(searcher, fieldname: str, text: str) -> set[int]:
    """Live document numbers containing a term, read a postings block at a time.

    Whoosh's own matchers step through postings one Python call per document; for the
    common words of a large index that is most of a query's time.  This reads each block's
    id array whole (falling back to the generic matcher for other codecs).
    """
    out: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, text) not in reader:
            continue
        m, deleted = reader.postings(fieldname, text), None
        if isinstance(m, FilterMatcher):
            m, deleted = m.child, reader.deleted_docs_set
        ids: set[int] = set()
        if type(m) is W3LeafMatcher:
            while m.is_active():
                if m._ids is None:
                    m._read_ids()
                ids.update(m._ids)
                m._next_block()
        else:
            ids.update(m.all_ids())
        if deleted:
            ids -= deleted
        out |= set(map(offset.__add__, ids)) if offset else ids
    return out


def query_docs(searcher, q) -> set[int]:
    """Document numbers matching a filter query made of Term/Or/And (see ``filter_query``)."""
    if isinstance(q, Q.Term):
        return term_docs(searcher, q.fieldname, q.text)
    if isinstance(q, Q.Or):
        return set().union(*(query_docs(searcher, sub) for sub in q.subqueries))
    if isinstance(q, Q.And):
        parts = sorted((query_docs(searcher, sub) for sub in q.subqueries), key=len)
        return parts[0].intersection(*parts[1:]) if parts else set()
    if q is Q.NullQuery:
        return set()
    return set(q.docs(searcher))


def _any_of(fieldname: str, value) -> Q.Query | None:
    if value is None:
        return None
    values = [value] if isinstance(value, (str, int)) else list(value)
    return Q.Or([Q.Term(fieldname, nfc(v)) for v in values]) if values else Q.NullQuery


def filter_query(language, category, kind, status, block_ids) -> Q.Query | None:
    parts = [
        q
        for q in (
            _any_of("language", language),
            _any_of("category", category),
            _any_of("kind", kind),
            _any_of("status", status),
        )
        if q is not None
    ]
    if block_ids is not None:
        # Articles are visible to everyone; tickets only in the blocks the reader may see.
        tickets = Q.And([Q.Term("kind", "ticket"), _any_of("block_id", block_ids)])
        parts.append(Q.Or([Q.Term("kind", "article"), tickets]))
    return Q.And(parts) if parts else None


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


def _plain_snippet(text: str, size: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= size:
        return html.escape(text, quote=False)
    cut = text.rfind(" ", 0, size)  # at a space, so no (Indic) word is cut in half
    return html.escape(text[: cut if cut > 0 else size], quote=False) + " …"


def ranked_page(searcher, words: list[Word], allowed: set[int] | None, limit: int, page: int):
    """``(items, total)`` for one page: documents matching more query words first, then by
    BM25F score; ``allowed`` is the filter's document set (None: no filter, never empty)."""
    reader = searcher.reader()
    q, terms_by_word = build_query(reader, words)
    # Coverage re-ranking happens within this window of best-scored hits.  No terms=True:
    # recording matched terms makes Whoosh visit every matching document (no block
    # skipping); coverage and the total come from the words' document sets instead.
    results = searcher.search(q, limit=max(page * limit, 200), filter=allowed)
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
    snippet = hit.highlights("body", top=2) or _plain_snippet(hit.get("body", ""))
    return {
        "id": hit["id"],
        "kind": hit.get("kind"),
        "title": hit.get("title", ""),
        "snippet": snippet,
        "score": float(hit.score),
        "language": hit.get("language"),
        "category": hit.get("category"),
    }
