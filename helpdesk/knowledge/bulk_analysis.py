"""The expensive, stateless half of a rebuild: documents in, postings out.

Whoosh's writer analyses every field value token by token, the same words over and over
(vocabularies are Zipfian).  ``FieldTerms`` gives exactly what ``field.index(value)`` gives
for the text fields whose analyzer is the ``IndicTokenizer`` followed by per-word filters,
but analyses each distinct surface word once (a bounded cache) instead of once per
occurrence and field; other fields go through ``field.index()`` unchanged.

``DocumentAnalyser`` turns a batch of prepared documents into their postings, grouped by
field and term, in document order, and their field lengths.  It needs nothing but the
schema, so batches can be analysed in other processes (``rebuild_pool``) and handed to the
single ``RebuildWriter``, which stores them.
"""

from __future__ import annotations

import unicodedata
from array import array
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from whoosh import formats
from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, NgramFilter, StopFilter, Token
from whoosh.fields import TEXT
from whoosh.system import pack_uint

from helpdesk.knowledge.analysis import WORD_RE, IndicTokenizer, LatinStemFilter, SkeletonFilter
from helpdesk.knowledge.spelling import fold_word

#: distinct surface words remembered per analyzer (a 100k-document corpus has ~10^5)
WORD_CACHE_SIZE = 1 << 18
# Filters that turn one token into tokens of its own, whatever the words around it.
_PER_WORD_FILTERS = (LowercaseFilter, StopFilter, LatinStemFilter, SkeletonFilter, NgramFilter)

#: term -> (docnums, weights, encoded values), the documents in the order they were added
Postings = dict[bytes, tuple[array, array, list]]


class AnalysedBatch(NamedTuple):
    """What a batch of documents adds to the index, apart from their stored values."""

    first_docnum: int
    postings: dict[str, Postings]  # per field
    lengths: list[dict[str, int]]  # per document: field -> length (scorable fields, if > 0)


def _per_word_chain(field) -> list | None:
    """The filters after the IndicTokenizer of a TEXT field's analyzer, if all of them act on
    one word at a time; None if the field needs Whoosh's general path."""
    analyzer = field.analyzer
    if not (isinstance(field, TEXT) and isinstance(analyzer, CompositeAnalyzer)):
        return None
    tokenizer, *filters = analyzer.items
    if type(tokenizer) is not IndicTokenizer:
        return None
    if not all(type(f) in _PER_WORD_FILTERS for f in filters):
        return None
    if type(field.format) not in (formats.Positions, formats.Frequency):
        return None
    if type(field.format) is formats.Positions and any(type(f) is NgramFilter for f in filters):
        return None  # several tokens at one position: not handled here
    if field.vector or field.separate_spelling():
        return None
    return filters


class FieldTerms:
    """``field.index(value)`` for one text field, with each surface word analysed once.

    The tokenizer's rules are repeated here (NFC, ``WORD_RE`` words, ``fold_word``, positions
    counting every word); what becomes of a word is computed by the field's own filters and
    remembered, so the terms, frequencies, weights and encoded values are Whoosh's."""

    def __init__(self, field, filters: list):
        self.format = field.format
        self.positions = type(field.format) is formats.Positions
        # StopFilter(renumber=True) numbers the words it keeps consecutively from the first.
        self.renumber = any(type(f) is StopFilter and f.renumber for f in filters)
        self.boost = field.format.field_boost
        self._filters = filters
        self.terms_of = lru_cache(maxsize=WORD_CACHE_SIZE)(self._terms_of)
        self._encode = lru_cache(maxsize=1 << 14)(self._encode_positions)

    def _terms_of(self, surface: str) -> tuple[bytes, ...]:
        folded = fold_word(surface)  # as IndicTokenizer does; it drops words that fold to ""
        if not folded:
            return ()
        token = Token(positions=False, chars=False, removestops=True, mode="index")
        token.text, token.boost, token.stopped = folded, 1.0, False
        stream = iter((token,))
        for f in self._filters:
            stream = f(stream)
        return tuple(t.text.encode("utf-8") for t in stream)

    def _encode_positions(self, poslist: tuple[int, ...]) -> bytes:
        return self.format.encode(list(poslist))

    def index(self, value: str, words: list[str] | None = None) -> list[tuple]:
        """What ``field.index(value)`` yields (in another order); ``words`` are the value's
        ``words()`` if the caller has them already."""
        if words is None:
            words = self.words(value)
        terms_of, boost = self.terms_of, self.boost
        if self.positions:
            poses: dict[bytes, list[int]] = {}
            pos = None
            for i, word in enumerate(words):
                for term in terms_of(word):
                    pos = pos + 1 if self.renumber and pos is not None else i
                    poses.setdefault(term, []).append(pos)
            encode = self._encode
            return [(t, len(p), len(p) * 1.0 * boost, encode(tuple(p))) for t, p in poses.items()]
        counts: dict[bytes, int] = {}
        for word, n in Counter(words).items():  # each distinct word once
            for term in terms_of(word):
                counts[term] = counts.get(term, 0) + n
        return [(t, n, n * 1.0 * boost, _freq_value(n)) for t, n in counts.items()]

    @staticmethod
    def words(value: str) -> list[str]:
        """The surface words of ``value``, as the IndicTokenizer cuts them."""
        return WORD_RE.findall(unicodedata.normalize("NFC", value))


@lru_cache(maxsize=1024)
def _freq_value(freq: int) -> bytes:
    return pack_uint(freq)


class DocumentAnalyser:
    """Postings and field lengths of prepared documents, for one schema."""

    def __init__(self, schema):
        self.schema = schema
        self._fast = {}
        for name, field in schema.items():
            chain = _per_word_chain(field)
            if chain is not None:
                self._fast[name] = FieldTerms(field, chain)

    def analyse(self, first_docnum: int, batch: list[dict]) -> AnalysedBatch:
        """The postings of ``batch`` (field values as ``SearchIndex`` prepares them), its
        documents numbered from ``first_docnum``."""
        schema, fast_of = self.schema, self._fast
        postings: dict[str, Postings] = {}
        lengths = []
        for docnum, fields in enumerate(batch, first_docnum):
            words_of: dict[str, list[str]] = {}  # title and body feed several fields each
            doc_lengths = {}
            for fieldname, value in fields.items():
                field = schema[fieldname]
                if value is None or not field.indexed:
                    continue
                fast = fast_of.get(fieldname)
                if fast is None:
                    items = field.index(value)
                else:
                    words = words_of.get(value)
                    if words is None:
                        words = words_of[value] = fast.words(value)
                    items = fast.index(value, words)
                terms = postings.get(fieldname)
                if terms is None:
                    terms = postings[fieldname] = {}
                length = 0
                for tbytes, freq, weight, vbytes in items:
                    length += freq
                    entry = terms.get(tbytes)
                    if entry is None:
                        entry = terms[tbytes] = (array("I"), array("d"), [])
                    entry[0].append(docnum)
                    entry[1].append(weight)
                    entry[2].append(vbytes if vbytes is not None else b"")
                if length and field.scorable:  # Whoosh keeps lengths of scorable fields only
                    doc_lengths[fieldname] = length
            lengths.append(doc_lengths)
        return AnalysedBatch(first_docnum, postings, lengths)
