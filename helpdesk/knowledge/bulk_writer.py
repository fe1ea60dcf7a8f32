"""Writing a whole index in one pass, for ``SearchIndex.rebuild()``.

Whoosh's own writer analyses every field value token by token (the same words over and over:
vocabularies are Zipfian), queues each posting in a pool that it pickles to temporary runs and
merges back, and re-reads every document's field lengths from disk while writing postings.
``RebuildWriter`` produces the same segment faster:

- ``FieldTerms`` gives exactly what ``field.index(value)`` gives for the text fields whose
  analyzer is the ``IndicTokenizer`` followed by per-word filters, but analyses each distinct
  surface word once (a bounded cache) instead of once per occurrence and field;
- postings are kept in memory per term, already in document order, and written term by term
  at commit (no temporary runs, no sort, no merge), with the lengths taken from memory.

Fields it does not recognise go through ``field.index()`` unchanged.  The result is one
segment holding the same terms, postings, stored fields and lengths as Whoosh's writer would
write (``index_contents()`` lets tests compare the two).
"""

from __future__ import annotations

import os
import unicodedata
from array import array
from collections import Counter
from functools import lru_cache

from whoosh import formats
from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, NgramFilter, StopFilter, Token
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from helpdesk.knowledge.analysis import WORD_RE, IndicTokenizer, LatinStemFilter, SkeletonFilter
from helpdesk.knowledge.spelling import fold_word

#: distinct surface words remembered per analyzer (a 100k-document corpus has ~10^5)
WORD_CACHE_SIZE = 1 << 18
# Filters that turn one token into tokens of its own, whatever the words around it.
_PER_WORD_FILTERS = (LowercaseFilter, StopFilter, LatinStemFilter, SkeletonFilter, NgramFilter)


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


@lru_cache(maxsize=4096)
def _stored_length(length: int) -> int:
    """A field length as Whoosh reads it back (lengths are stored as one lossy byte)."""
    return byte_to_length(length_to_byte(length))


class RebuildWriter(SegmentWriter):
    """A writer that fills a new, empty index with one segment, committed once.

    ``add_document(**fields)`` takes field values as ``SearchIndex`` prepares them (no
    ``_boost`` or ``_stored_`` options).  All postings stay in memory until ``commit()``:
    a 100k-document corpus needs about a gigabyte.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        if self.segments:
            self.cancel()
            raise ValueError("RebuildWriter only fills a new, empty index")
        self._fast = {}
        for name, field in self.schema.items():
            chain = _per_word_chain(field)
            if chain is not None:
                self._fast[name] = FieldTerms(field, chain)
        # field -> term -> (docnums, weights, encoded values), in document order
        self._postings: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self._lengths: dict[str, dict[int, int]] = {}  # field -> docnum -> stored length

    def add_document(self, **fields):
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError("RebuildWriter takes no _boost or _stored_ options")
        schema, docnum, perdoc = self.schema, self.docnum, self.perdocwriter
        self._check_fields(schema, fields)
        words_of: dict[str, list[str]] = {}  # title and body feed several fields each
        perdoc.start_doc(docnum)
        try:
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fast = self._fast.get(fieldname)
                    if fast is None:
                        items = field.index(value)
                    else:
                        words = words_of.get(value)
                        if words is None:
                            words = words_of[value] = fast.words(value)
                        items = fast.index(value, words)
                    terms = self._postings.setdefault(fieldname, {})
                    for tbytes, freq, weight, vbytes in items:
                        length += freq
                        postings = terms.get(tbytes)
                        if postings is None:
                            postings = terms[tbytes] = (array("I"), array("d"), [])
                        postings[0].append(docnum)
                        postings[1].append(weight)
                        postings[2].append(vbytes if vbytes is not None else b"")
                    if not field.scorable:
                        length = 0  # Whoosh keeps lengths of scorable fields only
                    elif length:
                        self._lengths.setdefault(fieldname, {})[docnum] = _stored_length(length)
                perdoc.add_field(fieldname, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(
                        fieldname, field.column_type, field.to_column_value(value)
                    )
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        """Write the postings term by term: fields and terms in byte order, documents in the
        order they were added, as Whoosh's sorted pool would hand them over."""
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue
            lengths = self._lengths.get(fieldname, {})
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            for tbytes in sorted(terms):
                docnums, weights, values = terms[tbytes]
                fieldwriter.start_term(tbytes)
                postwriter = fieldwriter._postwriter
                if type(postwriter) is W3PostingsWriter and not postwriter._byteids:
                    _fill_blocks(postwriter, docnums, weights, values, lengths)
                else:
                    for docnum, weight, vbytes in zip(docnums, weights, values):
                        fieldwriter.add(docnum, weight, vbytes, lengths.get(docnum, 0))
                fieldwriter.finish_term()
            fieldwriter.finish_field()
            terms.clear()  # hand the memory back as we go
        fieldwriter.close()


def _fill_blocks(postwriter, docnums: array, weights: array, values: list, lengths: dict) -> None:
    """Leave ``postwriter`` as ``add_posting()`` called once per posting would, a block at a
    time: every full block written out, the last one buffered for ``finish_postings()``."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()  # add_posting() writes a full block before adding more
        end = start + limit
        block_weights = weights[start:end]
        block_lengths = [n for n in map(lengths.get, docnums[start:end]) if n]
        postwriter._ids = docnums[start:end]
        postwriter._weights = array("f", block_weights)
        postwriter._values = [v for v in values[start:end] if v]
        postwriter._maxweight = max(0, max(block_weights))
        postwriter._minlength = min(block_lengths) if block_lengths else None
        postwriter._maxlength = max(block_lengths) if block_lengths else 0


def index_contents(path: str | os.PathLike) -> dict:
    """For tests and the rebuild benchmark: everything searches can read from the index at
    ``path``, as a dict that compares equal for two builds holding the same: per field, each
    term's statistics and postings (document, weight, encoded value); per document, its
    stored fields and field lengths; the total length per field."""
    storage = FileStorage(os.path.realpath(path), supports_mmap=False)
    ix = storage.open_index()
    try:
        return _contents(ix)
    finally:
        ix.close()


def _contents(ix) -> dict:
    with ix.reader() as reader:
        fields = [name for name in ix.schema.names() if ix.schema[name].indexed]
        terms = {}
        for fieldname in fields:
            for tbytes in reader.lexicon(fieldname):
                info = reader.term_info(fieldname, tbytes)
                matcher = reader.postings(fieldname, tbytes)
                postings = []
                while matcher.is_active():
                    postings.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
                terms[fieldname, tbytes] = (stats, info.max_weight(), postings)
        docs = [
            (
                reader.stored_fields(docnum),
                {f: reader.doc_field_length(docnum, f) for f in fields},
            )
            for docnum in range(reader.doc_count_all())
        ]
        totals = {f: reader.field_length(f) for f in fields}
    return {"terms": terms, "docs": docs, "totals": totals}
