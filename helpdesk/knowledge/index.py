"""Full-text search over knowledge-base articles and tickets, built on Whoosh.

Everything Whoosh-specific lives here; callers pass plain dicts in and get plain dicts out.
The analyzer keeps Indic words whole (Whoosh's default ``\\w+`` tokenizer cuts them at vowel
signs and viramas).  ``path`` is a symlink to a versioned build directory, so ``rebuild()``
swaps a complete new index in with one rename.
"""

from __future__ import annotations

import gc
import html
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as Q
from whoosh.analysis import (
    LowercaseFilter,
    NgramWordAnalyzer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import ContextFragmenter, Formatter, Highlighter, get_text
from whoosh.index import LockError
from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.matching.wrappers import FilterMatcher
from whoosh.support.levenshtein import damerau_levenshtein

log = logging.getLogger(__name__)

# Bump when the schema or analyzer changes: is_healthy() then says False and the app rebuilds.
SCHEMA_VERSION = "1"
_VERSION_FILE = "HELPDESK_SCHEMA_VERSION"
KINDS = frozenset({"article", "ticket"})

# ---- analyzer ------------------------------------------------------------------------------

# Indic vowel signs, viramas, nuktas and anusvaras are combining marks (M*), which Python's \w
# does not match.  All the scripts we serve are in the BMP, so scanning it is enough.
_MARK = (
    "["
    + "".join(
        re.escape(chr(c)) for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")
    )
    + "]"
)
_ALNUM = r"[^\W_]"  # letters (L*) and digits (Nd, incl. Indic digits); "_" separates words
_WORD_RE = re.compile(
    r"\d+(?:[.,]\d+)+"  # 3.5, 10,000
    rf"|(?:{_ALNUM}|{_MARK})(?:{_ALNUM}|{_MARK}|[\u200c\u200d])*"  # ZWNJ/ZWJ stay inside words
    rf"(?:['\u2019](?:{_ALNUM}|{_MARK})+)*"  # don't, SHG's
)  # danda/double danda (Po) and all other punctuation end a word
# Malayalam chillu written old-style (consonant + virama + ZWJ) is the same letter as the
# atomic chillu; keyboards produce either, so terms use the atomic form.
_CHILLU = {
    "\u0d23\u0d4d\u200d": "\u0d7a",
    "\u0d28\u0d4d\u200d": "\u0d7b",
    "\u0d30\u0d4d\u200d": "\u0d7c",
    "\u0d32\u0d4d\u200d": "\u0d7d",
    "\u0d33\u0d4d\u200d": "\u0d7e",
    "\u0d15\u0d4d\u200d": "\u0d7f",
}
_CHILLU_RE = re.compile("|".join(_CHILLU))
_POSSESSIVE_RE = re.compile(r"['\u2019][sS]$")
_LATIN_RE = re.compile(r"[a-z\u00c0-\u024f]+")
# Helpdesk queries are often questions; question words only add noise to the ranking.
_STOP_WORDS = STOP_WORDS | {
    "how",
    "what",
    "where",
    "why",
    "which",
    "who",
    "do",
    "does",
    "i",
    "me",
    "my",
    "our",
    "should",
    "there",
    "their",
    "into",
    "about",
}


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def _fold(word: str) -> str:
    """Term form of a surface word: atomic chillus, no joiners, possessives or apostrophes."""
    word = _CHILLU_RE.sub(lambda m: _CHILLU[m.group(0)], word)
    word = word.replace("\u200c", "").replace("\u200d", "")
    return _POSSESSIVE_RE.sub("", word).replace("'", "").replace("\u2019", "")


class IndicTokenizer(Tokenizer):
    """Whole words (letters, digits, combining marks, inner ZWJ/ZWNJ) of the NFC text.

    ``startchar``/``endchar`` span the whole surface word, so highlights never cut a word.
    Offsets refer to the NFC form of the input; SearchIndex therefore stores NFC text.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        kwargs.pop("tokenize", None)  # every value is tokenized, even ID-like ones
        value = unicodedata.normalize("NFC", value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, match in enumerate(_WORD_RE.finditer(value)):
            t.text = _fold(match.group(0))
            if not t.text:
                continue
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
            yield t


class LatinStemFilter(StemFilter):
    """StemFilter that stems Latin-script tokens only; Indic tokens pass through unchanged."""

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped and _LATIN_RE.fullmatch(t.text):
                t.text = self._stem(t.text)  # StemFilter's cached stem function
            yield t


def make_analyzer():
    """NFC word tokenizer | lowercase | English stop words | Porter2 stem of Latin words."""
    # Porter2, because whoosh's classic Porter leaves "planning" as "plann".
    return (
        IndicTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=_STOP_WORDS, minsize=1)
        | LatinStemFilter(stemfn=porter2_stem)
    )


ANALYZER = make_analyzer()
_WORDS = IndicTokenizer() | LowercaseFilter()  # unstemmed words: the typo dictionary
_NGRAMS = NgramWordAnalyzer(3, 4, tokenizer=IndicTokenizer())


def analyze(text: str) -> list[str]:
    """The index terms ``text`` produces (for tests and debugging)."""
    return [t.text for t in ANALYZER(text)]


SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    title=TEXT(analyzer=ANALYZER, stored=True, field_boost=2.0),
    body=TEXT(analyzer=ANALYZER, stored=True),
    language=ID(stored=True),
    category=ID(stored=True),
    status=ID(stored=True),
    block_id=ID(stored=True),
    tags=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
    # Typo tolerance, fed from articles only (curated spelling; tickets are full of typos).
    spelling=TEXT(analyzer=_WORDS, phrase=False),  # unstemmed article words
    title_ngram=TEXT(analyzer=_NGRAMS, phrase=False),  # 3-4 letter grams of article titles
)

# ---- documents and queries -----------------------------------------------------------------


class SearchIndexError(Exception):
    """The index could not be written."""


class SearchIndexLocked(SearchIndexError):
    """Another writer holds the index lock."""


@dataclass
class SearchResults:
    items: list[dict] = field(default_factory=list)
    total: int = 0
    degraded: bool = False


def _prepare(doc: Mapping[str, Any]) -> dict:
    """Validate a document and return its Whoosh field values (NFC text); ValueError if bad."""
    doc_id, kind = _nfc(doc.get("id")).strip(), _nfc(doc.get("kind")).strip()
    if not doc_id or kind not in KINDS:
        raise ValueError(f"search document {doc_id!r}: needs an id and a kind in {sorted(KINDS)}")
    title, body = _nfc(doc.get("title")), _nfc(doc.get("body"))
    fields = {"id": doc_id, "kind": kind, "title": title, "body": body}
    if kind == "article":
        fields.update(spelling=f"{title}\n{body}", title_ngram=title)
    for name in ("language", "category", "status", "block_id"):
        if doc.get(name) not in (None, ""):
            fields[name] = _nfc(doc[name]).strip()
    tags = doc.get("tags") or []
    tags = [
        _nfc(tag).strip().lower() for tag in (tags.split(",") if isinstance(tags, str) else tags)
    ]
    if any(tags):
        fields["tags"] = ",".join(tag.replace(",", " ") for tag in tags if tag)
    return fields


@dataclass(frozen=True)
class _Word:
    term: str  # analyzed (stemmed) form
    surface: str  # lowercased, folded, unstemmed


def _query_words(text: str, limit: int = 16) -> list[_Word]:
    """Distinct non-stop words of a user query; query-syntax characters are just separators."""
    words, seen = [], set()
    for tok in ANALYZER(_nfc(text)[:500], keeporiginal=True, mode="query"):
        if tok.text not in seen:
            seen.add(tok.text)
            words.append(_Word(tok.text, tok.original.lower()))
    return words[:limit]


def _corrections(reader, word: _Word) -> list[tuple[str, str, float]]:
    """Extra (field, term, boost) alternatives for an English word no article contains.

    Article words within 1 edit (2 from 8 letters; Damerau, so a swap is one edit), compared
    unstemmed (stems of misspellings are unreliable: "managment" vs "manag") or stem to stem;
    title n-grams catch worse typos ("nutrimicks").  Known words and their inflections are
    left alone: correcting them would only add noise.
    """
    surface = word.surface
    if (
        len(surface) < 4
        or not _LATIN_RE.fullmatch(surface)
        or reader.doc_frequency("spelling", surface)
    ):
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
    return out + [("title_ngram", t.text, 0.3) for t in _NGRAMS(surface, mode="query")]


def _build_query(reader, words: list[_Word]):
    """OR of per-word groups with a coordination bonus; returns (query, [(field, term)] per
    word)."""
    groups, terms_by_word = [], []
    for word in words:
        terms = [("title", word.term, 1.0), ("body", word.term, 1.0), ("tags", word.surface, 1.0)]
        alternatives = [
            Q.Term(fieldname, term, boost=boost)
            for fieldname, term, boost in terms + _corrections(reader, word)
        ]
        groups.append(Q.Or(alternatives))
        terms_by_word.append([(t.fieldname, t.text) for t in alternatives])
    return Q.Or(groups), terms_by_word


def _term_docs(searcher, fieldname: str, text: str) -> set[int]:
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


def _query_docs(searcher, q) -> set[int]:
    """Document numbers matching a filter query made of Term/Or/And (see ``_filter``)."""
    if isinstance(q, Q.Term):
        return _term_docs(searcher, q.fieldname, q.text)
    if isinstance(q, Q.Or):
        return set().union(*(_query_docs(searcher, sub) for sub in q.subqueries))
    if isinstance(q, Q.And):
        parts = sorted((_query_docs(searcher, sub) for sub in q.subqueries), key=len)
        return parts[0].intersection(*parts[1:]) if parts else set()
    if q is Q.NullQuery:
        return set()
    return set(q.docs(searcher))


def _any_of(fieldname: str, value) -> Q.Query | None:
    if value is None:
        return None
    values = [value] if isinstance(value, (str, int)) else list(value)
    return Q.Or([Q.Term(fieldname, _nfc(v)) for v in values]) if values else Q.NullQuery


def _filter(language, category, kind, status, block_ids) -> Q.Query | None:
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


def _plain_snippet(text: str, size: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= size:
        return html.escape(text, quote=False)
    cut = text.rfind(" ", 0, size)  # at a space, so no (Indic) word is cut in half
    return html.escape(text[: cut if cut > 0 else size], quote=False) + " …"


# ---- the index -----------------------------------------------------------------------------


class _Storage(FileStorage):
    """No mmap (a segment truncated under a live mmap is a SIGBUS; plain reads just raise),
    and a way to close the files Whoosh leaks when a corrupt TOC or segment fails to parse."""

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False)
        self._opened: list | None = None

    def open_file(self, name, **kwargs):
        f = super().open_file(name, **kwargs)
        if self._opened is not None:
            self._opened.append(f)
        return f

    @contextmanager
    def closing_on_error(self):
        self._opened = []
        try:
            yield
        except BaseException:
            for f in self._opened:
                with suppress(Exception):
                    f.close()
            raise
        finally:
            self._opened = None


class SearchIndex:
    """One on-disk index whose ``path`` is a symlink to the current build directory.

    Thread-safe: one searcher per object, checked for changes (a directory listing) and
    reopened when the index changed; searches run one at a time under a lock, because Whoosh
    readers share file positions.  Writes assume one writer process (serialised in-process).
    """

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = 10.0):
        self.path = os.path.abspath(os.fspath(path))
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()  # guards the searcher; searches run under it
        self._write_lock = threading.Lock()
        self._ix = self._searcher = self._identity = None
        self._filters: tuple[Any, dict] = (None, {})  # (searcher, filter query -> docnums)

    # ---- reading

    @staticmethod
    def _has_toc(directory: str) -> bool:
        return os.path.isdir(directory) and any(
            n.startswith("_MAIN_") and n.endswith(".toc") for n in os.listdir(directory)
        )

    def _current_searcher(self):
        """The shared searcher, reopened if the index changed; caller holds ``_lock``."""
        real = os.path.realpath(self.path)
        st = os.stat(real)  # FileNotFoundError if the index directory is gone
        identity = (real, st.st_dev, st.st_ino)  # a rebuild swaps in another directory
        if self._searcher is not None and identity == self._identity:
            if self._searcher.up_to_date():
                return self._searcher
            # Not Searcher.refresh(): whoosh 2.7.5 reuses segment readers matched by segment
            # id only, so documents deleted or updated since would stay visible.
            with self._ix.storage.closing_on_error():
                fresh = self._ix.searcher()
            self._searcher.close()
            self._searcher = fresh
            return fresh
        self._drop_searcher()
        if not self._has_toc(real):
            raise FileNotFoundError(f"no search index in {real}")
        storage = _Storage(real)
        with storage.closing_on_error():
            ix = storage.open_index(schema=SCHEMA)
            self._searcher = ix.searcher()
        self._ix, self._identity = ix, identity
        return self._searcher

    def _drop_searcher(self) -> None:
        searcher, self._ix, self._searcher, self._identity = self._searcher, None, None, None
        self._filters = (None, {})
        if searcher is not None:
            with suppress(Exception):  # already broken, or its files are gone: nothing to save
                searcher.close()

    def close(self) -> None:
        with self._lock:
            self._drop_searcher()

    def is_healthy(self) -> bool:
        """True if the index opens, has the current schema version and answers a query."""
        with self._lock:
            try:
                with open(os.path.join(self.path, _VERSION_FILE), encoding="utf-8") as fh:
                    if fh.read().strip() != SCHEMA_VERSION:
                        return False
                searcher = self._current_searcher()
                reader = searcher.reader()
                if reader.doc_count_all():
                    reader.stored_fields(reader.doc_count_all() - 1)
                for fieldname in ("title", "body", "spelling"):
                    next(iter(reader.lexicon(fieldname)), None)
                searcher.search(Q.Or([Q.Term("kind", k) for k in KINDS]), limit=1)
                return True
            except Exception:
                log.warning("search index at %s is not healthy", self.path, exc_info=True)
                self._drop_searcher()
                return False

    def search(
        self,
        query: str,
        *,
        language=None,
        category=None,
        kind=None,
        status=None,
        block_ids=None,
        limit: int = 10,
        page: int = 1,
    ) -> SearchResults:
        """Ranked, filtered, highlighted results; never raises because of the index.

        Documents matching more query words come first, then by BM25F score; query words
        found nowhere do not stop the others from matching.  Filters take a value or a
        collection of values.  ``block_ids=None`` leaves tickets unrestricted; a collection
        limits tickets to those blocks (empty: no tickets).  A missing or corrupt index gives
        ``SearchResults([], 0, degraded=True)``.
        """
        words = _query_words(query or "")
        if not words:
            return SearchResults()
        limit, page = max(1, min(int(limit), 100)), max(1, int(page))
        filter_q = _filter(language, category, kind, status, block_ids)
        try:
            with self._lock:
                searcher = self._current_searcher()
                reader = searcher.reader()
                q, terms_by_word = _build_query(reader, words)
                allowed = self._filter_docs(searcher, filter_q)
                if allowed is not None and not allowed:  # Whoosh reads an empty set as "all"
                    return SearchResults()
                # Coverage re-ranking happens within this window of best-scored hits.  No
                # terms=True: recording matched terms makes Whoosh visit every matching
                # document (no block skipping); coverage and the total come from the words'
                # document sets instead.
                results = searcher.search(q, limit=max(page * limit, 200), filter=allowed)
                results.highlighter = Highlighter(
                    fragmenter=ContextFragmenter(maxchars=200, surround=40),
                    formatter=_MatchFormatter(),
                )
                per_word = [
                    set().union(*(_term_docs(searcher, f, t) for f, t in terms))
                    for terms in terms_by_word
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
                items = [_item(hit) for hit in hits[(page - 1) * limit : page * limit]]
                return SearchResults(items=items, total=len(matching))
        except FileNotFoundError as exc:  # expected until ensure()/rebuild(): no traceback
            log.warning("search index missing (%s); returning degraded results", exc)
        except Exception:
            log.exception("search index at %s failed; returning degraded results", self.path)
        with self._lock:
            self._drop_searcher()  # reopen from scratch next time (maybe rebuilt by then)
        return SearchResults(degraded=True)

    def _filter_docs(self, searcher, filter_q) -> set[int] | None:
        """The documents a filter allows, cached per searcher (filters repeat; Whoosh would
        recompute the set, one Python call per document, on every search)."""
        if filter_q is None:
            return None
        owner, cache = self._filters
        if owner is not searcher:
            cache = {}
            self._filters = (searcher, cache)
        docs = cache.get(filter_q)
        if docs is None:
            if len(cache) >= 64:
                cache.clear()
            docs = cache[filter_q] = _query_docs(searcher, filter_q)  # never mutated
        return docs

    # ---- writing

    def ensure(self) -> bool:
        """Create an empty index if there is none at ``path``; True if one was created.

        A corrupt index is left alone: ``is_healthy()`` reports it, ``rebuild()`` fixes it.
        """
        with self._write_lock:
            if self._has_toc(os.path.realpath(self.path)):
                return False
            self._swap_in(self._build([], None, {"indexed": 0, "skipped": 0}))
            return True

    def rebuild(
        self, documents: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> dict:
        """Index ``documents`` into a fresh directory, then atomically swap it in.

        Readers use the old index until the swap and never see a partial one.  Invalid
        documents and repeated ids are skipped and counted.  ``progress(done)`` is called
        every 100 documents and at the end.  Returns ``{"indexed", "skipped", "seconds"}``.
        """
        started, counts = time.monotonic(), {"indexed": 0, "skipped": 0}
        with self._write_lock:
            self._swap_in(self._build(documents, progress, counts))
        self.close()
        return {**counts, "seconds": round(time.monotonic() - started, 3)}

    def _build(self, documents, progress, counts) -> str:
        parent, base = os.path.split(self.path)
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f".{base}.build-", dir=parent)
        try:
            writer, seen = _Storage(tmp).create_index(SCHEMA).writer(limitmb=128), set()
            # The writer's posting buffer is millions of small tuples: with the cyclic GC on,
            # every full collection walks them all and indexing slows down as it goes.
            # Nothing here makes cycles worth collecting before the commit.
            gc_was_enabled = gc.isenabled()
            gc.disable()
            try:
                with _committing(writer):
                    for doc in documents:
                        try:
                            fields = _prepare(doc)
                        except (ValueError, TypeError, AttributeError) as exc:
                            fields = None
                            log.warning("search rebuild: skipping a document: %s", exc)
                        if fields is None or fields["id"] in seen:
                            counts["skipped"] += 1
                            continue
                        seen.add(fields["id"])
                        writer.add_document(**fields)
                        counts["indexed"] += 1
                        if progress and counts["indexed"] % 100 == 0:
                            progress(counts["indexed"])
            finally:
                if gc_was_enabled:
                    gc.enable()
            with open(os.path.join(tmp, _VERSION_FILE), "w", encoding="utf-8") as fh:
                fh.write(SCHEMA_VERSION)
            if progress:
                progress(counts["indexed"])
            final = os.path.join(
                parent, f"{base}.{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
            )
            os.rename(tmp, final)
            return final
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _swap_in(self, build_dir: str) -> None:
        """Point ``path`` at ``build_dir`` with one rename(2), then prune old builds."""
        parent, base = os.path.split(self.path)
        previous = os.path.realpath(self.path) if os.path.islink(self.path) else None
        link = os.path.join(parent, f".{base}.link-{uuid.uuid4().hex[:8]}")
        os.symlink(os.path.basename(build_dir), link)  # relative, so the parent may move
        if os.path.lexists(self.path) and not os.path.islink(self.path):
            # A plain directory cannot be replaced atomically: move it aside first.
            os.rename(self.path, os.path.join(parent, f"{base}.old-{uuid.uuid4().hex[:8]}"))
        os.replace(link, self.path)
        # Keep the previous build: other processes may read it until their next search
        # notices the swap.  Older builds and stale temp directories go.
        keep = {os.path.realpath(build_dir), previous}
        ours = re.compile(
            rf"^(?:{re.escape(base)}\.(?:\d{{14}}-[0-9a-f]{{8}}|old-.+)"
            rf"|\.{re.escape(base)}\.build-.+)$"
        )
        for name in os.listdir(parent):
            full = os.path.join(parent, name)
            if not ours.match(name) or os.path.realpath(full) in keep:
                continue
            if name.startswith(".") and time.time() - os.path.getmtime(full) < 3600:
                continue  # a young temp dir may belong to a build still running
            shutil.rmtree(full, ignore_errors=True)

    def _writer(self):
        """A writer on the live index (created empty if missing); caller holds _write_lock."""
        if not self._has_toc(os.path.realpath(self.path)):
            self._swap_in(self._build([], None, {"indexed": 0, "skipped": 0}))
        storage = _Storage(os.path.realpath(self.path))
        try:
            with storage.closing_on_error():
                return storage.open_index(schema=SCHEMA).writer(timeout=self.lock_timeout)
        except LockError as exc:
            raise SearchIndexLocked(
                f"search index at {self.path} is locked by another "
                f"writer (waited {self.lock_timeout}s)"
            ) from exc

    def upsert(self, documents: Iterable[Mapping[str, Any]]) -> int:
        """Add or replace documents (by id) in one commit; returns how many were written.

        ValueError for an invalid document (nothing is written); SearchIndexLocked if the
        write lock is not free within ``lock_timeout`` seconds.
        """
        prepared = [_prepare(doc) for doc in documents]

        def change(writer) -> int:
            for fields in prepared:
                writer.update_document(**fields)
            return len(prepared)

        return self._write(change) if prepared else 0

    def delete(self, ids: Iterable[Any]) -> int:
        """Delete documents by id in one commit; returns how many were removed."""
        ids = [_nfc(i).strip() for i in ids]
        return self._write(lambda w: sum(w.delete_by_term("id", i) for i in ids)) if ids else 0

    def _write(self, change: Callable) -> int:
        with self._write_lock:
            writer = self._writer()
            with _committing(writer):
                return change(writer)


@contextmanager
def _committing(writer):
    """Commit the writer if the block succeeds, cancel it (releasing the lock) if not."""
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


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
