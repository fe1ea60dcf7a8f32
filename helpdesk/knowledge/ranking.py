"""Query words and ranking: which terms a query asks for, typo alternatives, filters, and
the coverage-first order (documents matching more query words first, then by BM25F)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

from helpdesk.knowledge import stopwords
from helpdesk.knowledge.analysis import ANALYZER, nfc
from helpdesk.knowledge.scoring import ScoreBook, ScoreMap
from helpdesk.knowledge.snippets import Marker
from helpdesk.knowledge.spelling import ROMAN_RE, SCRIPT_PREFIXES, is_indic, loose_term, skeleton
from helpdesk.knowledge.typos import SpellingDictionary, corrections

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


def word_alternatives(
    reader, word: Word, memo: dict | None = None, spelling: SpellingDictionary | None = None
) -> list:
    """The ``(field, term, boost)`` terms that count as ``word``: its stem in the title and
    body, the tag as typed, and for spellings no article uses, loose spellings and typo
    corrections (memoised in ``memo`` when given: corrections scan the typo dictionary,
    ``spelling``, read from ``reader`` when not given)."""
    found = memo.get(word) if memo is not None else None
    if found is not None:
        return found
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
        terms += corrections(spelling or SpellingDictionary(reader), word.surface, word.term)
    if memo is not None:
        if len(memo) >= 20_000:  # bounded: queries and typos are endless
            memo.clear()
        memo[word] = terms
    return terms


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


def ranked_page(book: ScoreBook, words: list[Word], allowed, limit: int, page: int):
    """``(items, total)`` for one page: documents matching more query words first, then by
    BM25F score (then by index order); ``allowed`` is the filter's mask over document numbers
    (see ``allowed_mask``; None: no filter).  ``total`` counts every allowed document matching
    any word."""
    reader = book.searcher.reader()
    alternatives = [word_alternatives(reader, w, book.words, book.spelling) for w in words]
    maps = [m for m in (book.word_scores(alts) for alts in alternatives) if len(m)]
    best, total = _best(maps, allowed, page * limit, book.doc_count)
    marker = Marker(
        exact={t for alts in alternatives for f, t, _b in alts if f == "body"},
        loose={t for alts in alternatives for f, t, _b in alts if f == "body_loose"},
    )
    items = [
        _item(book.searcher.stored_fields(doc), score, marker)
        for _c, score, doc in best[(page - 1) * limit :]
    ]
    return items, total


def allowed_mask(docs: set[int], doc_count: int) -> np.ndarray:
    """A filter's document set as a boolean mask over document numbers."""
    mask = np.zeros(doc_count, np.bool_)
    mask[np.fromiter(docs, np.int64, len(docs))] = True
    return mask


def _best(maps: list[ScoreMap], allowed, k: int, doc_count: int) -> tuple[list, int]:
    """The ``k`` best ``(coverage, score, docnum)`` (most words matched, then score, then
    index order) and how many allowed documents match any word.

    Each word's scores are added into one array over all documents, rarest word first (the
    order of the additions decides a score's last bit, so near-ties keep one order), and
    each document's coverage is counted beside them; then only the coverage levels that
    fill the page are ordered.
    """
    n = len(maps)
    if not n:
        return [], 0
    score = np.zeros(doc_count, np.float64)
    coverage = np.zeros(doc_count, np.uint8)  # query_words keeps at most 16 words
    for m in sorted(maps, key=len):
        score[m.docs] += m.scores
        coverage[m.docs] += 1
    if allowed is not None:
        coverage[~allowed] = 0
    docs = np.flatnonzero(coverage)
    total = len(docs)
    covered = coverage[docs]
    chosen, left = [], k
    for level in range(n, 0, -1):
        at = docs[covered == level]
        if len(at) > left:
            at = _highest(at, score[at], left)
        chosen.append(at)
        left -= len(at)
        if not left:
            break
    best = np.concatenate(chosen)
    best = best[np.lexsort((best, -score[best], -coverage[best].astype(np.int64)))]
    return [(int(coverage[d]), float(score[d]), int(d)) for d in best], total


def _highest(docs: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` of ``docs`` (ascending) with the highest scores, ties to the lower number."""
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th highest score
    above = docs[scores > kth]
    return np.concatenate((above, docs[scores == kth][: k - len(above)]))


def _item(fields: dict, score: float, marker: Marker) -> dict:
    return {
        "id": fields["id"],
        "kind": fields.get("kind"),
        "title": fields.get("title", ""),
        "snippet": marker.snippet(fields.get("body", "")),
        "score": float(score),
        "language": fields.get("language"),
        "category": fields.get("category"),
    }
