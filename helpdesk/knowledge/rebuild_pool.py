"""Analysing a rebuild's documents on every core.

Analysis (cutting text into words and words into terms and positions) is most of a
rebuild's CPU time and needs nothing but the schema.  The rebuilding process prepares and
numbers the documents, worker processes analyse them a batch at a time, and the batches
come back in document order to the one ``RebuildWriter``, which alone writes the index.

Workers are started by a fork server where the platform has one: forked from a clean
process that imported only the analysis code, they inherit no database connection, app or
lock held by another thread of the process that asked for the rebuild, which a plain fork
would copy.  A worker that dies breaks the pool: the rebuild raises, and the caller keeps
the old index.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from typing import Any

from helpdesk.knowledge.bulk_analysis import AnalysedBatch, DocumentAnalyser
from helpdesk.knowledge.bulk_writer import encode_postings, encoded_here
from helpdesk.knowledge.index_fields import prepare

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
#: documents per batch: big enough that merging a batch's postings (one list extension per
#: distinct term) costs the rebuilding process little next to analysing it
BATCH_DOCS = 500
#: batches queued per worker, so that none waits while the rebuilding process merges
QUEUED_PER_WORKER = 2

__all__ = ["BATCH_DOCS", "BrokenProcessPool", "Workers", "prepared_batches"]

log = logging.getLogger(__name__)

_analyser: DocumentAnalyser | None = None  # in a worker: the one its batches go through


def prepared_batches(documents: Iterable[Mapping[str, Any]], counts: dict) -> Iterator[list]:
    """The field values of valid documents, the first of each id, ``BATCH_DOCS`` at a time;
    the others are counted in ``counts["skipped"]``."""
    seen, batch = set(), []
    for doc in documents:
        try:
            fields = prepare(doc)
        except (ValueError, TypeError, AttributeError) as exc:
            fields = None
            log.warning("search rebuild: skipping a document: %s", exc)
        if fields is None or fields["id"] in seen:
            counts["skipped"] += 1
            continue
        seen.add(fields["id"])
        batch.append(fields)
        if len(batch) >= BATCH_DOCS:
            yield batch
            batch = []
    if batch:
        yield batch


def _start_worker(schema) -> None:
    global _analyser
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the rebuilding process's to handle
    gc.disable()  # analysis makes millions of small objects and no cycles
    _analyser = DocumentAnalyser(schema)


def _analyse(first_docnum: int, batch: list[dict]) -> AnalysedBatch:
    return _analyser.analyse(first_docnum, batch)


class Workers:
    """The processes of one rebuild: they analyse its documents, then encode its postings at
    commit.  Started on first need, and only for more than one batch of documents; with
    ``procs`` <= 1 everything runs in this process.  Results come back in order; a worker's
    error, or its death, is raised to the caller."""

    def __init__(self, schema, procs: int):
        self.schema, self.procs = schema, procs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def analysed(self, batches: Iterable[list[dict]]) -> Iterator[tuple[list, AnalysedBatch]]:
        """Each batch with its analysis, in order, the documents numbered from 0."""
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        if second is not None and self.procs > 1 and self._pool is None:
            self._start()  # a small index is not worth starting processes for
        jobs = self._numbered(chain([first], [] if second is None else [second], batches))
        if self._pool is None:
            analyser = DocumentAnalyser(self.schema)
            for first_docnum, batch in jobs:
                yield batch, analyser.analyse(first_docnum, batch)
            return
        for (_, batch), analysed in self._ordered(_analyse, jobs):
            yield batch, analysed

    def encoded(self, jobs: Iterable[tuple]) -> Iterator[tuple]:
        """``encode_postings(*job)`` for each job, in order."""
        if self._pool is None:
            yield from encoded_here(jobs)
        else:
            for _, result in self._ordered(encode_postings, jobs):
                yield result

    @staticmethod
    def _numbered(batches: Iterable[list]) -> Iterator[tuple[int, list]]:
        docnum = 0
        for batch in batches:
            yield docnum, batch
            docnum += len(batch)

    def _start(self) -> None:
        context = multiprocessing.get_context(START_METHOD)
        if START_METHOD == "forkserver":
            context.set_forkserver_preload([__name__])
        self._pool = ProcessPoolExecutor(
            self.procs, mp_context=context, initializer=_start_worker, initargs=(self.schema,)
        )

    def _ordered(self, function: Callable, jobs: Iterable[tuple]) -> Iterator[tuple]:
        """``(job, function(*job))`` for each job, a few jobs queued per worker."""
        queued: deque = deque()
        for job in jobs:
            queued.append((job, self._pool.submit(function, *job)))
            if len(queued) >= self.procs * QUEUED_PER_WORKER:
                job, future = queued.popleft()
                yield job, future.result()
        while queued:
            job, future = queued.popleft()
            yield job, future.result()
