"""BM25F scores of whole postings lists, read a block at a time, and a bounded cache of them.

Whoosh's matchers step through postings one Python call per document and score each with
another; for the common words of a 100k-document index that is nearly all of a query's
time.  Here a term's postings are read a block at a time straight from the searcher's
reader and scored with Whoosh's own BM25F formula (``whoosh.scoring.BM25F``: the same idf,
average field length and lossy length byte), so the scores are the ones Whoosh would give.

Score maps of frequent terms are kept in a per-process LRU bounded by an estimate of its
memory; it belongs to one searcher (document numbers and statistics change with the index)
and is emptied when the searcher changes.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

log = logging.getLogger(__name__)

#: Whoosh's BM25F defaults (the searcher's weighting model is the default BM25F())
K1, B = 1.2, 0.75
#: bytes one cached (document, score) entry costs in a dict, as tracemalloc measured it:
#: the slot, the int key and the float value
ENTRY_BYTES = 105
#: frequent terms (title/body terms in this many documents) are scored when a searcher opens
WARM_MIN_DOCS = 500
#: the words of both scored text fields: the ones a typical query asks for
CORE_FIELDS = ("title", "body")


class ScoreBook:
    """Score maps ``{docnum: score}`` of terms for one searcher, with a bounded LRU.

    Not thread-safe: the caller serialises searches (the searcher is not thread-safe
    either).  ``cache_bytes`` bounds the cache (0 disables it).
    """

    def __init__(self, searcher, cache_bytes: int):
        self.searcher = searcher
        self.max_entries = max(0, cache_bytes) // ENTRY_BYTES
        self._cache: OrderedDict[tuple, dict[int, float]] = OrderedDict()
        self._entries = 0
        self._norms: dict[str, tuple[bytes, list[float]]] = {}
        self.words: dict = {}  # a query word's alternatives, memoised for this searcher

    # ---- one term

    def _length_norms(self, fieldname: str) -> tuple[bytes, list[float]]:
        """Each document's length byte for the field, and BM25's length normalisation of
        every byte value (``K1 * ((1 - B) + B * length / average)``)."""
        found = self._norms.get(fieldname)
        if found is None:
            searcher = self.searcher
            lengths = bytearray(searcher.doc_count_all())
            for leaf, offset in searcher.leaf_searchers():
                column = _length_bytes(leaf.reader(), fieldname)
                lengths[offset : offset + len(column)] = column
            avgfl = searcher.avg_field_length(fieldname) or 1
            norm = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
            found = self._norms[fieldname] = (bytes(lengths), norm)
        return found

    def term_scores(self, fieldname: str, text: str) -> dict[int, float]:
        """Whoosh's BM25F score of ``text`` in ``fieldname`` for every live document holding
        it (not copied: never mutate the map)."""
        key = (fieldname, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        scores = self._compute(fieldname, text)
        self._remember(key, scores)
        return scores

    def _compute(self, fieldname: str, text: str) -> dict[int, float]:
        searcher = self.searcher
        scores: dict[int, float] = {}
        leaves = [
            (leaf.reader(), offset)
            for leaf, offset in searcher.leaf_searchers()
            if (fieldname, text) in leaf.reader()
        ]
        if not leaves:
            return scores
        scorable = searcher.schema[fieldname].scorable
        if scorable:
            idf = searcher.idf(fieldname, text)
            lengths, norm = self._length_norms(fieldname)
            top = idf * (K1 + 1)
        for reader, offset in leaves:
            m, deleted = reader.postings(fieldname, text), None
            if isinstance(m, FilterMatcher):
                m, deleted = m.child, reader.deleted_docs_set
            for ids, weights in _blocks(m):
                if offset:
                    ids = [d + offset for d in ids]
                if not scorable:
                    w = weights
                    scores.update(
                        zip(ids, weights) if not isinstance(w, float) else ((d, w) for d in ids)
                    )
                elif isinstance(weights, float):
                    w = weights
                    scores.update((d, top * w / (w + norm[lengths[d]])) for d in ids)
                else:
                    scores.update(
                        (d, top * w / (w + norm[lengths[d]])) for d, w in zip(ids, weights)
                    )
            if deleted:
                for d in deleted:
                    scores.pop(d + offset, None)
        return scores

    # ---- a word: several terms summed

    def word_scores(self, alternatives: Iterable[tuple[str, str, float]]) -> dict[int, float]:
        """The summed, boosted scores of a word's alternatives ``(field, term, boost)`` for
        every document matching any of them (a fresh map the caller may keep)."""
        alternatives = list(alternatives)
        key = ("word", *alternatives)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        maps = [(self.term_scores(f, t), boost) for f, t, boost in alternatives]
        maps.sort(key=lambda mb: -len(mb[0]))
        total: dict[int, float] = {}
        for scores, boost in maps:
            if not scores:
                continue
            if not total and boost == 1.0:
                total = dict(scores)
            elif boost == 1.0:
                get = total.get
                total.update({d: get(d, 0.0) + s for d, s in scores.items()})
            else:
                get = total.get
                total.update({d: get(d, 0.0) + s * boost for d, s in scores.items()})
        if len(maps) > 1:  # one term: its map is cached already
            self._remember(key, total)
        return total

    def warm_like(self, previous: ScoreBook, seconds: float = 0.25) -> int:
        """Score again, for this searcher, the terms ``previous`` used most recently, for at
        most ``seconds``; returns how many were scored.

        The index changes each time an article is saved or a ticket solved, and every
        change means a new searcher whose scores differ (idf and average lengths move).
        Warming the most frequent words again took ~2 s at 100k documents, on the request
        that found the change; the words agents were just searching cost a fraction."""
        started, scored = time.monotonic(), 0
        for key in reversed(list(previous._cache)):
            if time.monotonic() - started > seconds or self._entries >= self.max_entries:
                break
            if key[0] != "word":  # a word's summed map is rebuilt from its terms on use
                self.term_scores(*key)
                scored += 1
        return scored

    # ---- the cache

    def _remember(self, key: tuple, scores: dict[int, float]) -> None:
        size = len(scores) + 1  # + 1: an empty map is remembered too
        if size > self.max_entries:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._entries -= len(old)
        while self._entries + size > self.max_entries and self._cache:
            _key, evicted = self._cache.popitem(last=False)
            self._entries -= len(evicted)
        self._cache[key] = scores
        self._entries += size

    @property
    def cached_entries(self) -> int:
        return self._entries

    def warm(self, share: float = 0.5, seconds: float = 2.0) -> int:
        """Score the index's most frequent title/body terms ahead of the first searches, up
        to ``share`` of the cache or ``seconds``; returns how many words were warmed."""
        budget = int(self.max_entries * share)
        if budget < WARM_MIN_DOCS:
            return 0
        started, reader = time.monotonic(), self.searcher.reader()
        frequent = sorted(
            (
                (terminfo.doc_frequency(), text)
                for text, terminfo in reader.iter_field("body")
                if terminfo.doc_frequency() >= WARM_MIN_DOCS
            ),
            reverse=True,
        )
        warmed = 0
        for _df, btext in frequent:
            if self._entries >= budget or time.monotonic() - started > seconds:
                break
            text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            self.word_scores([(f, text, 1.0) for f in CORE_FIELDS])
            warmed += 1
        log.info(
            "search: warmed %d frequent words (%d cached scores) in %.2fs",
            warmed,
            self._entries,
            time.monotonic() - started,
        )
        return warmed


def _length_bytes(reader, fieldname: str) -> bytes:
    """The segment's per-document length bytes of a field (Whoosh's ``_<field>_len``
    column), read in one go instead of one file read per document."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = (
        perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if hasattr(perdoc, "_cached_reader")
        else None
    )
    if column is None:  # another codec: Whoosh's own accessor, one document at a time
        return bytes(
            length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(count)
        )
    if getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
        data = column._dbfile.get(column._basepos, min(column._count, count))
    else:
        data = bytes(column[d] for d in range(count))
    return data + bytes(count - len(data))


def _blocks(m):
    """``(ids, weights)`` of each postings block; ``weights`` a sequence or one float."""
    if type(m) is W3LeafMatcher:
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            weights = m._data[1]
            yield m._ids, (1.0 if weights is None else weights)
            m._next_block()
        return
    ids, weights = [], []
    while m.is_active():  # inlined postings of rare terms, other codecs
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    yield ids, weights
