"""Writing a whole index in one pass, for ``SearchIndex.rebuild()``.

Whoosh's own writer analyses every token, queues each posting in a pool that it pickles to
temporary runs and merges back, and re-reads every document's field lengths from disk while
writing postings.  ``RebuildWriter`` produces the same segment faster:

- documents come analysed in batches (``bulk_analysis``: each distinct word analysed once
  per field), possibly by other processes (``rebuild_pool``);
- postings are kept in memory per term, already in document order, and written term by term
  at commit (no temporary runs, no sort, no merge), with the lengths taken from memory.

The result is one segment holding the same terms, postings, stored fields and lengths as
Whoosh's writer would write (``index_contents()`` lets tests compare the two).
"""

from __future__ import annotations

import io
import os
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter, W3TermInfo
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from helpdesk.knowledge.bulk_analysis import AnalysedBatch, DocumentAnalyser, Postings

#: postings per encoding job at commit (terms count as 16): enough to make shipping a job to
#: a worker cheap next to encoding it, few enough to keep every worker busy
ENCODE_POSTINGS = 100_000


@lru_cache(maxsize=4096)
def _stored_length(length: int) -> int:
    """A field length as Whoosh reads it back (lengths are stored as one lossy byte)."""
    return byte_to_length(length_to_byte(length))


class RebuildWriter(SegmentWriter):
    """A writer that fills a new, empty index with one segment, committed once.

    ``add_analysed(batch, analysed)`` and ``add_document(**fields)`` take field values as
    ``SearchIndex`` prepares them (no ``_boost`` or ``_stored_`` options).  All postings stay in memory until ``commit()``:
    a 100k-document corpus needs about a gigabyte.
    """

    def __init__(self, ix, encoder: Callable = None, **kwargs):
        super().__init__(ix, **kwargs)
        #: how the postings are encoded at commit: jobs in, ``encode_postings`` results out
        self.encoder = encoder or encoded_here
        if self.segments:
            self.cancel()
            raise ValueError("RebuildWriter only fills a new, empty index")
        self._analyser = None  # made on first use: batches usually come analysed
        self._postings: dict[str, Postings] = {}  # field -> term -> postings, in doc order
        self._lengths: dict[str, dict[int, int]] = {}  # field -> docnum -> stored length

    def add_document(self, **fields):
        """Analyse and add one document here (``add_analysed`` takes batches)."""
        if self._analyser is None:
            self._analyser = DocumentAnalyser(self.schema)
        self.add_analysed([fields], self._analyser.analyse(self.docnum, [fields]))

    def add_analysed(self, batch: list[dict], analysed: AnalysedBatch) -> None:
        """Add the documents of ``batch`` given their analysis, numbered from the next
        document on: ``analysed.first_docnum`` must be ``self.docnum``."""
        self._check_state()
        if analysed.first_docnum != self.docnum or len(analysed.lengths) != len(batch):
            raise ValueError("RebuildWriter takes batches in document order, each whole")
        schema, perdoc, all_lengths = self.schema, self.perdocwriter, self._lengths
        for fields in batch:
            if any(name.startswith("_") for name in fields):
                raise ValueError("RebuildWriter takes no _boost or _stored_ options")
            self._check_fields(schema, fields)
        for docnum, fields, lengths in zip(
            range(self.docnum, self.docnum + len(batch)), batch, analysed.lengths
        ):
            perdoc.start_doc(docnum)
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = lengths.get(fieldname, 0)
                if length:
                    all_lengths.setdefault(fieldname, {})[docnum] = _stored_length(length)
                perdoc.add_field(fieldname, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(
                        fieldname, field.column_type, field.to_column_value(value)
                    )
            perdoc.finish_doc()
        for fieldname, terms in analysed.postings.items():
            ours = self._postings.get(fieldname)
            if ours is None:
                self._postings[fieldname] = terms
                continue
            for tbytes, (docnums, weights, values) in terms.items():
                entry = ours.get(tbytes)
                if entry is None:
                    ours[tbytes] = (docnums, weights, values)
                else:  # later documents: postings stay in document order
                    entry[0].extend(docnums)
                    entry[1].extend(weights)
                    entry[2].extend(values)
        if batch:
            self._added = True
        self.docnum += len(batch)

    def _flush_segment(self):
        """Write the postings term by term: fields and terms in byte order, documents in the
        order they were added, as Whoosh's sorted pool would hand them over.  Runs of terms
        are encoded by ``self.encoder`` (maybe in other processes), each as if written at
        the start of the postings file; here they are appended and their offsets moved."""
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        if type(fieldwriter) is not W3FieldWriter:
            raise TypeError("RebuildWriter writes the whoosh3 codec's files only")
        postfile, tindex, field = fieldwriter._postfile, fieldwriter._tindex, None
        try:
            for fieldname, blob, infos in self.encoder(self._encoding_jobs()):
                if fieldname != field:
                    if field is not None:
                        fieldwriter.finish_field()
                    fieldwriter.start_field(fieldname, self.schema[fieldname])
                    field, prefix = fieldname, pack_ushort(fieldwriter._fieldid)
                base = postfile.tell()
                postfile.write(blob)
                for tbytes, info in infos:
                    if not info.is_inlined():
                        info._offset += base
                    tindex.add(prefix + tbytes, info.to_bytes())
            if field is not None:
                fieldwriter.finish_field()
        finally:
            fieldwriter.close()

    def _encoding_jobs(self) -> Iterator[tuple]:
        """Arguments of ``encode_postings`` for runs of terms, in the order they are written;
        the postings are handed back as they go."""
        for fieldname in sorted(self._postings):
            terms = self._postings.pop(fieldname)
            lengths = array("I", bytes(4 * self.docnum))  # docnum -> stored length, 0 if none
            for docnum, length in self._lengths.pop(fieldname, {}).items():
                lengths[docnum] = length
            run, size = [], 0
            for tbytes in sorted(terms):
                docnums, weights, values = terms.pop(tbytes)
                run.append((tbytes, docnums, weights, values))
                size += len(docnums) + 16  # a term costs about as much as 16 postings
                if size >= ENCODE_POSTINGS:
                    yield fieldname, self.schema[fieldname].format, self.codec, run, lengths
                    run, size = [], 0
            if run:
                yield fieldname, self.schema[fieldname].format, self.codec, run, lengths


def encode_postings(fieldname, format_, codec, terms: list[tuple], lengths: array) -> tuple:
    """``(fieldname, postings file bytes, [(term, term info)])`` for ``terms`` (term,
    docnums, weights, values), written as Whoosh's postings writer would from offset 0."""
    postfile = StructFile(io.BytesIO())
    postwriter = codec.postings_writer(postfile)
    if type(postwriter) is not W3PostingsWriter:
        raise TypeError("RebuildWriter writes the whoosh3 codec's postings only")
    infos = []
    for tbytes, docnums, weights, values in terms:
        postwriter.start_postings(format_, W3TermInfo())
        _fill_blocks(postwriter, docnums, weights, values, lengths)
        infos.append((tbytes, postwriter.finish_postings()))
    return fieldname, postfile.file.getvalue(), infos


def encoded_here(jobs: Iterable[tuple]) -> Iterator[tuple]:
    """The default encoder: each job encoded in this process."""
    for job in jobs:
        yield encode_postings(*job)


def _fill_blocks(postwriter, docnums: array, weights: array, values: list, lengths: array) -> None:
    """Leave ``postwriter`` as ``add_posting()`` called once per posting would, a block at a
    time: every full block written out, the last one buffered for ``finish_postings()``."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()  # add_posting() writes a full block before adding more
        end = start + limit
        block_weights = weights[start:end]
        block_lengths = [n for n in map(lengths.__getitem__, docnums[start:end]) if n]
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
