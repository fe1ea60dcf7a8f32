"""BM25F scores of whole postings lists, read a block at a time, and a bounded cache of them.

Whoosh's matchers step through postings one Python call per document and score each with
another; for the common words of a 100k-document index that is nearly all of a query's
time.  Here a term's postings are read a block at a time straight from the searcher's
reader and scored with Whoosh's own BM25F formula (``whoosh.scoring.BM25F``: the same idf,
average field length and lossy length byte), so the scores are the ones Whoosh would give.

A score map is two numpy arrays (document numbers, float64 scores): 12 bytes a document
where a Python dict took ~105, and summed with vectorised adds instead of one Python step
per document.  The arithmetic is the same IEEE double arithmetic in the same order as
Whoosh's, so the scores are equal to the last bit.

Score maps of frequent terms are kept in a per-process LRU bounded by their memory; it
belongs to one searcher (document numbers and statistics change with the index) and is
emptied when the searcher changes.
"""

from __future__ import annotations

import io
import logging
import pickle
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from helpdesk.knowledge.typos import SpellingDictionary

log = logging.getLogger(__name__)

#: Whoosh's BM25F defaults (the searcher's weighting model is the default BM25F())
K1, B = 1.2, 0.75
#: bytes a cached map costs besides its arrays: the two array objects, the map, its key and
#: the LRU's slot
MAP_OVERHEAD = 400
#: a postings block's length, as Whoosh's StructFile.write_int writes it
_INT = struct.Struct("!i")
#: frequent terms (title/body terms in this many documents) are scored when a searcher opens
WARM_MIN_DOCS = 500
#: the words of both scored text fields: the ones a typical query asks for
CORE_FIELDS = ("title", "body")


@dataclass(frozen=True, slots=True, eq=False)
class ScoreMap:
    """A score for each document holding a term or word: ``docs`` (int32, ascending) and
    ``scores`` (float64) of the same length.  Shared through the cache: never mutate."""

    docs: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.docs)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.scores.nbytes + MAP_OVERHEAD


EMPTY = ScoreMap(np.zeros(0, np.int32), np.zeros(0, np.float64))


class ScoreBook:
    """Score maps of terms for one searcher, with an LRU bounded by bytes.

    Not thread-safe: the caller serialises searches (the searcher is not thread-safe
    either).  ``cache_bytes`` bounds the cache (0 disables it).
    """

    def __init__(self, searcher, cache_bytes: int):
        self.searcher = searcher
        self.doc_count = searcher.doc_count_all()
        self.max_bytes = max(0, cache_bytes)
        self._cache: OrderedDict[tuple, ScoreMap] = OrderedDict()
        self._bytes = 0
        self._norms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.words: dict = {}  # a query word's alternatives, memoised for this searcher
        self.spelling = SpellingDictionary(searcher.reader())  # for typo corrections

    # ---- one term

    def _length_norms(self, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
        """Each document's length byte for the field, and BM25's length normalisation of
        every byte value (``K1 * ((1 - B) + B * length / average)``)."""
        found = self._norms.get(fieldname)
        if found is None:
            searcher = self.searcher
            lengths = np.zeros(self.doc_count, np.uint8)
            for leaf, offset in searcher.leaf_searchers():
                column = _length_bytes(leaf.reader(), fieldname)
                lengths[offset : offset + len(column)] = np.frombuffer(column, np.uint8)
            avgfl = searcher.avg_field_length(fieldname) or 1
            norm = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
            found = self._norms[fieldname] = (lengths, np.array(norm, np.float64))
        return found

    def term_scores(self, fieldname: str, text: str) -> ScoreMap:
        """Whoosh's BM25F score of ``text`` in ``fieldname`` for every live document holding
        it."""
        key = (fieldname, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        scores = self._compute(fieldname, text)
        self._remember(key, scores)
        return scores

    def _compute(self, fieldname: str, text: str) -> ScoreMap:
        searcher = self.searcher
        docs, weights = [], []
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if (fieldname, text) not in reader:
                continue
            m, deleted = reader.postings(fieldname, text), None
            if isinstance(m, FilterMatcher):
                m, deleted = m.child, reader.deleted_docs_set
            ids, w = _postings(m)
            if deleted:
                live = ~np.isin(ids, np.fromiter(deleted, np.int64, len(deleted)))
                ids, w = ids[live], w[live]
            docs.append(ids + offset if offset else ids)
            weights.append(w)
        if not docs:
            return EMPTY
        ids = np.concatenate(docs).astype(np.int32)
        w = np.concatenate(weights)
        if not searcher.schema[fieldname].scorable:
            return ScoreMap(ids, w)
        idf = searcher.idf(fieldname, text)
        lengths, norm = self._length_norms(fieldname)
        top = idf * (K1 + 1)
        # top * w / (w + norm): the operations, and their order, of Whoosh's BM25F
        return ScoreMap(ids, top * w / (w + norm[lengths[ids]]))

    # ---- a word: several terms summed

    def word_scores(self, alternatives: Iterable[tuple[str, str, float]]) -> ScoreMap:
        """The summed, boosted scores of a word's alternatives ``(field, term, boost)`` for
        every document matching any of them."""
        alternatives = list(alternatives)
        key = ("word", *alternatives)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        maps = [(self.term_scores(f, t), boost) for f, t, boost in alternatives]
        maps = [(scores, boost) for scores, boost in maps if len(scores)]
        if not maps:
            return EMPTY
        if len(maps) == 1 and maps[0][1] == 1.0:
            return maps[0][0]  # one term matches: its map (cached already)
        # The largest map first, then each added in turn: the order of additions decides
        # the last bit of a sum, and the ranking must not depend on it changing.
        maps.sort(key=lambda mb: -len(mb[0]))
        total = np.zeros(self.doc_count, np.float64)
        found = np.zeros(self.doc_count, np.bool_)
        for scores, boost in maps:
            total[scores.docs] += scores.scores if boost == 1.0 else scores.scores * boost
            found[scores.docs] = True
        docs = np.flatnonzero(found).astype(np.int32)
        summed = ScoreMap(docs, total[docs])
        self._remember(key, summed)
        return summed

    def warm_like(self, previous: ScoreBook, seconds: float = 0.25) -> int:
        """Score again, for this searcher, the terms ``previous`` used most recently, for at
        most ``seconds``; returns how many were scored.

        The index changes each time an article is saved or a ticket solved, and every
        change means a new searcher whose scores differ (idf and average lengths move).
        Warming the most frequent words again took ~2 s at 100k documents, on the request
        that found the change; the words agents were just searching cost a fraction."""
        started, scored = time.monotonic(), 0
        for key in reversed(list(previous._cache)):
            if time.monotonic() - started > seconds or self._bytes >= self.max_bytes:
                break
            if key[0] != "word":  # a word's summed map is rebuilt from its terms on use
                self.term_scores(*key)
                scored += 1
        return scored

    # ---- the cache

    def _remember(self, key: tuple, scores: ScoreMap) -> None:
        size = scores.nbytes
        if size > self.max_bytes:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
        while self._bytes + size > self.max_bytes and self._cache:
            _key, evicted = self._cache.popitem(last=False)
            self._bytes -= evicted.nbytes
        self._cache[key] = scores
        self._bytes += size

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    @property
    def cached_entries(self) -> int:
        """Scores held in the cache (a document's score in one map counts once)."""
        return sum(len(scores) for scores in self._cache.values())

    def warm(self, share: float = 0.5, seconds: float = 2.0) -> int:
        """Score the index's most frequent title/body terms ahead of the first searches, up
        to ``share`` of the cache or ``seconds``; returns how many words were warmed."""
        budget = int(self.max_bytes * share)
        if budget < WARM_MIN_DOCS * 12 + MAP_OVERHEAD:
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
            if self._bytes >= budget or time.monotonic() - started > seconds:
                break
            text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            self.word_scores([(f, text, 1.0) for f in CORE_FIELDS])
            warmed += 1
        log.info(
            "search: warmed %d frequent words (%d cached bytes) in %.2fs",
            warmed,
            self._bytes,
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


def _postings(m) -> tuple[np.ndarray, np.ndarray]:
    """A leaf's document numbers (int64) and weights (float64) of one term, all blocks."""
    blocks = _w3_blocks(m) if type(m) is W3LeafMatcher and not m._byteids else None
    if blocks is None:  # inlined postings of rare terms, other codecs
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return np.array(ids, np.int64), np.array(weights, np.float64)
    ids, weights = [], []
    for deltas, w in blocks:
        # a block's ids are stored as differences, the first from 0
        ids.append(np.cumsum(np.asarray(deltas, np.int64)))
        if w is None or isinstance(w, float):
            weights.append(np.full(len(deltas), 1.0 if w is None else w, np.float64))
        else:
            weights.append(np.asarray(w, np.float64))
    return np.concatenate(ids), np.concatenate(weights)


def _w3_blocks(m) -> list[tuple] | None:
    """``(id deltas, weights)`` of each block of a term's postings, from one read of the
    whole postings list (Whoosh's matcher seeks and reads a few bytes at a time, ~0.1 ms
    a block).  The layout is the one ``W3PostingsWriter._write_block`` writes: a header
    tag, then per block its length (negative for the last), a pickled info tuple (its 4th
    item the compression level) and the pickled, maybe compressed, data."""
    length = m._length  # W3TermInfo.from_bytes leaves it a 1-tuple (struct.unpack's)
    length = length[0] if isinstance(length, tuple) else length
    buf = m._postfile.get(m._startoffset, length)
    if buf[: len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        return None
    stream, at, blocks = io.BytesIO(buf), len(WHOOSH3_HEADER_MAGIC), []
    while True:
        (length,) = _INT.unpack_from(buf, at)
        stream.seek(at + _INT.size)
        info = pickle.load(stream)
        end = at + _INT.size + abs(length)
        data = buf[stream.tell() : end]
        ids, weights, _values = pickle.loads(zlib.decompress(data) if info[3] else data)
        blocks.append((ids, weights))
        if length < 0:
            return blocks
        at = end
