"""The on-disk search index and its lifecycle, built on Whoosh.

Callers pass plain dicts in and get plain dicts out.  ``path`` is a symlink to a versioned
build directory, so ``rebuild()`` swaps a complete new index in with one rename; a searcher
is reused until the index changes; a missing, corrupt or outdated index degrades searches
(``is_healthy()`` says so) until it is rebuilt.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from whoosh import query as Q
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from helpdesk.knowledge import rebuild_pool
from helpdesk.knowledge.analysis import nfc
from helpdesk.knowledge.bulk_writer import RebuildWriter
from helpdesk.knowledge.index_fields import KINDS, SCHEMA, SCHEMA_VERSION, VERSION_FILE, prepare
from helpdesk.knowledge.ranking import (
    allowed_mask,
    filter_query,
    query_docs,
    query_words,
    ranked_page,
)
from helpdesk.knowledge.scoring import ScoreBook
from helpdesk.knowledge.whoosh_ranking import whoosh_ranked_page

log = logging.getLogger(__name__)

#: how searches are ranked: see SearchIndex
READ_PATHS = ("bulk", "whoosh", "exhaustive")

# ---- results and errors ------------------------------------------------------------------------


class SearchIndexError(Exception):
    """The index could not be written."""


class SearchIndexLocked(SearchIndexError):
    """Another writer holds the index lock."""


@dataclass
class SearchResults:
    items: list[dict] = field(default_factory=list)
    total: int = 0
    degraded: bool = False


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

    ``score_cache_mb`` bounds the memory of the frequent words' score maps kept for the open
    searcher (see ``scoring.ScoreBook``); ``read_path="whoosh"`` ranks with Whoosh's own
    search loop instead (slower; kept for comparison), ``"exhaustive"`` with Whoosh scoring
    every match (the reference order of the benchmarks; slowest).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        lock_timeout: float = 10.0,
        score_cache_mb: float = 256,
        read_path: str = "bulk",
    ):
        if read_path not in READ_PATHS:
            raise ValueError(f"read_path must be one of {READ_PATHS}, not {read_path!r}")
        self.path = os.path.abspath(os.fspath(path))
        self.lock_timeout = lock_timeout
        self.score_cache_bytes = int(score_cache_mb * 1_000_000)
        self.read_path = read_path
        self._book: ScoreBook | None = None  # score maps of the current searcher
        self._book_files: tuple = ()  # its files' names, sizes and times when it was made
        self._lock = threading.RLock()  # guards the searcher; searches run under it
        self._write_lock = threading.Lock()
        self._ix = self._searcher = self._identity = None
        self._outdated = False  # the open index was built by another schema version
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
            fresh = _open_latest(self._ix.storage, self._ix.searcher)
            self._searcher.close()
            self._searcher = fresh
            return fresh
        self._drop_searcher()
        if not self._has_toc(real):
            raise FileNotFoundError(f"no search index in {real}")
        storage = _Storage(real)
        ix = _open_latest(storage, lambda: storage.open_index(schema=SCHEMA))
        self._searcher = _open_latest(storage, ix.searcher)
        self._ix, self._identity = ix, identity
        self._outdated = _schema_version(real) != SCHEMA_VERSION
        if self._outdated:
            log.warning("search index at %s has an old schema; it answers until rebuilt", real)
        return self._searcher

    def _drop_searcher(self) -> None:
        searcher, self._ix, self._searcher, self._identity = self._searcher, None, None, None
        self._filters, self._book = (None, {}), None
        if searcher is not None:
            with suppress(Exception):  # already broken, or its files are gone: nothing to save
                searcher.close()

    def close(self) -> None:
        with self._lock:
            self._drop_searcher()

    def warm_up(self, filters: Iterable[dict] = ()) -> bool:
        """Open the searcher, score its most frequent words and find the documents each of
        ``filters`` allows (``search``'s keyword arguments) now, ahead of the first search,
        which would otherwise wait for them (about 2 s, and 0.1 s a filter, at 100k
        documents). A search that arrives meanwhile waits for what is left. False when there
        is no index yet."""
        try:
            with self._lock:
                searcher = self._current_searcher()
                book = self._score_book(searcher) if self.read_path == "bulk" else None
                for keywords in filters:
                    filter_q = filter_query(
                        *(keywords.get(k) for k in ("language", "category", "kind", "status")),
                        keywords.get("block_ids"),
                    )
                    self._filter_docs(searcher, filter_q)
                    if book is not None and filter_q is not None:
                        self._filter_mask(filter_q, book)
            return True
        except FileNotFoundError:
            return False
        except Exception:
            log.warning("search index at %s could not warm up", self.path, exc_info=True)
            self.close()
            return False

    def is_healthy(self) -> bool:
        """True if the index opens, has the current schema version and answers a query."""
        with self._lock:
            try:
                if _schema_version(self.path) != SCHEMA_VERSION:
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
        ``SearchResults([], 0, degraded=True)``; one built by an older schema version answers
        as well as it can, with ``degraded=True`` so that the caller asks for a rebuild.
        """
        words = query_words(query or "")
        if not words:
            return SearchResults()
        limit, page = max(1, min(int(limit), 100)), max(1, int(page))
        filter_q = filter_query(language, category, kind, status, block_ids)
        try:
            with self._lock:
                searcher = self._current_searcher()
                allowed = self._filter_docs(searcher, filter_q)
                if allowed is not None and not allowed:  # Whoosh reads an empty set as "all"
                    return SearchResults()
                if self.read_path != "bulk":
                    window = 200 if self.read_path == "whoosh" else None
                    items, total = whoosh_ranked_page(
                        searcher, words, allowed, limit, page, window=window
                    )
                else:
                    book = self._score_book(searcher)
                    mask = None if allowed is None else self._filter_mask(filter_q, book)
                    items, total = ranked_page(book, words, mask, limit, page)
                # An index of an older schema still answers, marked degraded: the app then
                # asks for the rebuild that brings it up to date.
                return SearchResults(items=items, total=total, degraded=self._outdated)
        except FileNotFoundError as exc:  # expected until ensure()/rebuild(): no traceback
            log.warning("search index missing (%s); returning degraded results", exc)
        except Exception:
            log.exception("search index at %s failed; returning degraded results", self.path)
        with self._lock:
            self._drop_searcher()  # reopen from scratch next time (maybe rebuilt by then)
        return SearchResults(degraded=True)

    def _score_book(self, searcher) -> ScoreBook:
        """The current searcher's score maps; a new searcher starts a new, warmed book (the
        most frequent words on the first, the words in use lately after a change).

        The maps are dropped too when the searcher's files changed in place (damaged,
        truncated): answers from memory would hide it, a fresh read fails and degrades."""
        directory = os.path.realpath(self.path)
        book = self._book
        if book is None or book.searcher is not searcher or _changed(directory, self._book_files):
            damaged = book is not None and book.searcher is searcher
            self._book = None  # drop the old maps before building the new ones
            files = _segment_files(directory)
            previous, book = book, ScoreBook(searcher, self.score_cache_bytes)
            if previous is None or damaged:
                book.warm()  # a process's first searcher: its most frequent words
            else:
                book.warm_like(previous)  # the index changed: the words in use lately
            del previous
            self._book, self._book_files = book, files
        return book

    def _filter_docs(self, searcher, filter_q) -> set[int] | None:
        """The documents a filter allows, cached per searcher (filters repeat; Whoosh would
        recompute the set, one Python call per document, on every search)."""
        if filter_q is None:
            return None
        owner, cache = self._filters
        if owner is not searcher:
            cache = {}
            self._filters = (searcher, cache)
        found = cache.get(filter_q)
        if found is None:
            if len(cache) >= 64:
                cache.clear()
            found = cache[filter_q] = [query_docs(searcher, filter_q), None]  # never mutated
        return found[0]

    def _filter_mask(self, filter_q, book: ScoreBook):
        """The same documents as a mask over document numbers (what the bulk path reads),
        cached beside the set; ``_filter_docs`` ran first for this searcher and filter."""
        found = self._filters[1][filter_q]
        if found[1] is None:
            found[1] = allowed_mask(found[0], book.doc_count)
        return found[1]

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
        self,
        documents: Iterable[Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
        *,
        procs: int | None = None,
        whoosh_writer: bool = False,
        writing: Callable[[], None] | None = None,
    ) -> dict:
        """Index ``documents`` into a fresh directory, then atomically swap it in.

        Readers use the old index until the swap and never see a partial one.  Invalid
        documents and repeated ids are skipped and counted.  ``progress(done)`` is called as
        documents are indexed (every batch of ``rebuild_pool.BATCH_DOCS``, or 100 with
        ``whoosh_writer``) and at the end, after the commit; ``writing()`` once every
        document is indexed, as the commit (the segments written to disk) starts.  ``procs``
        processes analyse the documents (default: one per CPU; 1: this process only).
        Returns ``{"indexed", "skipped", "seconds", "commit_seconds"}``.
        ``whoosh_writer=True`` builds the same index with Whoosh's own (slower) writer
        instead of ``RebuildWriter``, for comparisons.
        """
        started, counts = time.monotonic(), {"indexed": 0, "skipped": 0}
        procs = (os.cpu_count() or 1) if procs is None else procs
        with self._write_lock:
            self._swap_in(self._build(documents, progress, counts, procs, whoosh_writer, writing))
        self.close()
        return {**counts, "seconds": round(time.monotonic() - started, 3)}

    def _build(
        self, documents, progress, counts, procs=1, whoosh_writer=False, writing=None
    ) -> str:
        parent, base = os.path.split(self.path)
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f".{base}.build-", dir=parent)
        try:
            ix = _Storage(tmp).create_index(SCHEMA)
            workers = rebuild_pool.Workers(SCHEMA, procs)
            if whoosh_writer:
                writer = ix.writer(limitmb=128)
            else:
                writer = RebuildWriter(ix, encoder=workers.encoded)
            # The writer's posting buffer is millions of small tuples: with the cyclic GC on,
            # every full collection walks them all and indexing slows down as it goes.
            # Nothing here makes cycles worth collecting before the commit.
            gc_was_enabled = gc.isenabled()
            gc.disable()
            try:
                with workers, _committing(writer):
                    batches = rebuild_pool.prepared_batches(documents, counts)
                    if whoosh_writer:
                        for fields in chain.from_iterable(batches):
                            writer.add_document(**fields)
                            counts["indexed"] += 1
                            if progress and counts["indexed"] % 100 == 0:
                                progress(counts["indexed"])
                    else:
                        for batch, analysed in workers.analysed(batches):
                            writer.add_analysed(batch, analysed)
                            counts["indexed"] += len(batch)
                            if progress:
                                progress(counts["indexed"])
                    committing = time.monotonic()
                    if writing:
                        writing()
                counts["commit_seconds"] = round(time.monotonic() - committing, 3)
            finally:
                if gc_was_enabled:
                    gc.enable()
            with open(os.path.join(tmp, VERSION_FILE), "w", encoding="utf-8") as fh:
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
        prepared = [prepare(doc) for doc in documents]

        def change(writer) -> int:
            for fields in prepared:
                writer.update_document(**fields)
            return len(prepared)

        return self._write(change) if prepared else 0

    def delete(self, ids: Iterable[Any]) -> int:
        """Delete documents by id in one commit; returns how many were removed."""
        ids = [nfc(i).strip() for i in ids]
        return self._write(lambda w: sum(w.delete_by_term("id", i) for i in ids)) if ids else 0

    def _write(self, change: Callable) -> int:
        with self._write_lock:
            writer = self._writer()
            with _committing(writer):
                return change(writer)


def _segment_files(directory: str) -> tuple:
    """Name, size and modification time of the index's TOC and segment files."""
    files = []
    with os.scandir(directory) as entries:
        for e in entries:
            if not e.name.endswith((".toc", ".seg")):
                continue
            try:
                st = e.stat()
            except FileNotFoundError:  # a writer's commit removed it since the listing
                continue
            files.append((e.name, st.st_size, st.st_mtime_ns))
    return tuple(files)


def _open_latest(storage: _Storage, open_: Callable, attempts: int = 5):
    """``open_()`` the index's latest generation, again if a writer's commit removed that
    generation's files between Whoosh listing them and opening them (Whoosh does not retry:
    the search would degrade although the index is fine)."""
    for attempt in range(attempts):
        try:
            with storage.closing_on_error():
                return open_()
        except FileNotFoundError:
            if attempt == attempts - 1 or not SearchIndex._has_toc(storage.folder):
                raise
            time.sleep(0.01 * (attempt + 1))


def _changed(directory: str, files: tuple) -> bool:
    """True if any of ``files`` (see ``_segment_files``) is gone or was rewritten; new files
    (a writer's next segment) do not count: the searcher changes when they are committed."""
    for name, size, mtime in files:
        try:
            st = os.stat(os.path.join(directory, name))
        except FileNotFoundError:
            return True
        if (st.st_size, st.st_mtime_ns) != (size, mtime):
            return True
    return False


def _schema_version(directory: str) -> str | None:
    try:
        with open(os.path.join(directory, VERSION_FILE), encoding="utf-8") as fh:
            return fh.read().strip()
    except FileNotFoundError:
        return None


@contextmanager
def _committing(writer):
    """Commit the writer if the block succeeds, cancel it (releasing the lock) if not."""
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
