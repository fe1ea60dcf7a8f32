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
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain

from helpdesk.knowledge.bulk_analysis import AnalysedBatch, DocumentAnalyser

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
#: documents per batch: big enough that merging a batch's postings (one list extension per
#: distinct term) costs the rebuilding process little next to analysing it
BATCH_DOCS = 500
#: batches queued per worker, so that none waits while the rebuilding process merges
QUEUED_PER_WORKER = 2

__all__ = ["BATCH_DOCS", "BrokenProcessPool", "analysed_batches"]

_analyser: DocumentAnalyser | None = None  # in a worker: the one its batches go through


def _start_worker(schema) -> None:
    global _analyser
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the rebuilding process's to handle
    gc.disable()  # analysis makes millions of small objects and no cycles
    _analyser = DocumentAnalyser(schema)


def _analyse(first_docnum: int, batch: list[dict]) -> AnalysedBatch:
    return _analyser.analyse(first_docnum, batch)


def analysed_batches(
    schema, batches: Iterable[list[dict]], procs: int
) -> Iterator[tuple[list[dict], AnalysedBatch]]:
    """Each batch with its analysis, in order, the documents numbered from 0.

    With ``procs`` > 1, batches are analysed by that many worker processes, a few ahead of
    the caller; with 1, or if there is a single batch, in this process.  A worker's error,
    or its death, is raised here."""
    batches = iter(batches)
    first = next(batches, None)
    second = next(batches, None) if first is not None else None
    if first is None:
        return
    batches = chain([first], [second] if second is not None else [], batches)
    if procs <= 1 or second is None:  # a small index is not worth starting processes for
        analyser, docnum = DocumentAnalyser(schema), 0
        for batch in batches:
            yield batch, analyser.analyse(docnum, batch)
            docnum += len(batch)
        return
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload([__name__])
    pool = ProcessPoolExecutor(
        procs, mp_context=context, initializer=_start_worker, initargs=(schema,)
    )
    queued: deque = deque()
    try:
        docnum = 0
        for batch in batches:
            queued.append((batch, pool.submit(_analyse, docnum, batch)))
            docnum += len(batch)
            if len(queued) >= procs * QUEUED_PER_WORKER:
                batch, future = queued.popleft()
                yield batch, future.result()
        while queued:
            batch, future = queued.popleft()
            yield batch, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
