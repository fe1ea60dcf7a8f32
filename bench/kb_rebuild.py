"""Search index rebuild benchmark: SearchIndex.rebuild() from scratch at 100k documents.

    .venv/bin/python bench/kb_rebuild.py [--docs 100000] [--reference-docs 5000] [--procs N]

What it does, every run:

1. Builds the synthetic multilingual corpus of bench/kb_search.py (same generator, same
   seed: articles and resolved tickets in nine languages, words drawn Zipf-like).
2. Reference, on the first --reference-docs documents, interleaved in this run: the same
   slice rebuilt with Whoosh's own writer (``whoosh_writer=True``, the path used before
   RebuildWriter), with RebuildWriter in one process and with its worker processes
   (``procs``), then the indexes compared field by field (every term's postings and
   statistics, stored fields, lengths): they must be identical.
3. The full rebuild with RebuildWriter and --procs worker processes (default: one per CPU),
   then in one process: docs/s, seconds, CPU seconds (workers included), commit seconds.
4. Prints the figures, the goal (<= 180 s at 100k documents) and the ratios.

A benchmark that prints figures, not a test: it exits 0 whether or not the goal holds
(1 if the two reference indexes differ).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb_search import Progress, corpus, log, vocabularies  # noqa: E402  (after sys.path)

from helpdesk.knowledge.search import SearchIndex, index_contents  # noqa: E402
from helpdesk.knowledge.spelling import skeleton  # noqa: E402

GOAL_SECONDS = 180.0
GOAL_DOCS = 100_000


class WorkerCPU(threading.Thread):
    """CPU seconds of this process's worker processes, read from /proc while they run (the
    rebuild's workers are forked by a fork server, so the rusage of children misses them)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seconds: dict[int, float] = {}
        self._done = threading.Event()

    def run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self._done.wait(0.1):
            for worker in multiprocessing.active_children():
                try:
                    with open(f"/proc/{worker.pid}/stat", encoding="ascii") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
                self.seconds[worker.pid] = max(used, self.seconds.get(worker.pid, 0.0))

    def total(self) -> float:
        self._done.set()
        self.join()
        return sum(self.seconds.values())


def timed_rebuild(path: str, docs: list[dict], label: str, **options) -> dict:
    """Rebuild the index at ``path`` from ``docs``; wall and CPU seconds, load meanwhile."""
    skeleton.cache_clear()  # each build starts from the same cold caches
    index = SearchIndex(path)
    progress = Progress(label, len(docs))
    load, cpu, workers = os.getloadavg()[0], time.process_time(), WorkerCPU()
    workers.start()
    build = index.rebuild(iter(docs), progress=progress, **options)
    progress.done(build["indexed"])
    index.close()
    build["cpu"] = time.process_time() - cpu + workers.total()
    build["load"] = (load + os.getloadavg()[0]) / 2
    build["rate"] = build["indexed"] / build["seconds"] if build["seconds"] else float("nan")
    return build


def describe(name: str, build: dict) -> str:
    commit = f", commit {build['commit_seconds']:5.1f} s" if "commit_seconds" in build else ""
    return (
        f"{name:<34} {build['indexed']:>7} docs in {build['seconds']:7.1f} s = "
        f"{build['rate']:5.0f} docs/s  (CPU {build['cpu']:6.1f} s{commit}, "
        f"load ~{build['load']:.1f})"
    )


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=GOAL_DOCS, help="corpus size (default 100000)")
    p.add_argument(
        "--reference-docs",
        type=int,
        default=5000,
        help="slice rebuilt both ways for the reference ratio (default 5000)",
    )
    p.add_argument(
        "--procs", type=int, default=os.cpu_count(), help="worker processes (default: CPUs)"
    )
    p.add_argument("--seed", type=int, default=20240917)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    work = tempfile.mkdtemp(prefix="bench-kb-rebuild-")
    load_start = os.getloadavg()[0]
    try:
        docs = corpus(args.docs, vocabularies(args.seed), args.seed)
        sliced = docs[: min(args.reference_docs, len(docs))]
        old = timed_rebuild(os.path.join(work, "old"), sliced, "whoosh writer", whoosh_writer=True)
        one = timed_rebuild(os.path.join(work, "one"), sliced, "rebuild writer", procs=1)
        pool = timed_rebuild(os.path.join(work, "pool"), sliced, "rebuild pool", procs=args.procs)
        log("[compare] reading the three reference indexes")
        contents = [index_contents(os.path.join(work, name)) for name in ("old", "one", "pool")]
        same = contents[0] == contents[1] == contents[2]
        del contents
        full_pool = timed_rebuild(
            os.path.join(work, "full-pool"), docs, "rebuild pool, all", procs=args.procs
        )
        index_bytes = sum(
            e.stat().st_size for e in os.scandir(os.path.realpath(os.path.join(work, "full-pool")))
        )
        shutil.rmtree(os.path.realpath(os.path.join(work, "full-pool")))
        full_one = timed_rebuild(os.path.join(work, "full-one"), docs, "rebuild, all", procs=1)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(
        f"machine: {os.cpu_count()} CPUs, load average at start {load_start:.1f}, at end "
        f"{os.getloadavg()[0]:.1f} (other processes skew absolute figures); "
        f"python {sys.version.split()[0]}"
    )
    print(f"reference slice: the first {len(sliced)} documents, built both ways in this run")
    print(describe("Whoosh writer (previous path)", old))
    print(describe("RebuildWriter, 1 process", one))
    print(describe(f"RebuildWriter, {args.procs} worker processes", pool))
    print(f"  identical index contents (terms, postings, stored fields, lengths): {same}")
    print(describe(f"full corpus, {args.procs} worker processes", full_pool))
    print(describe("full corpus, 1 process", full_one))
    print(f"  index {index_bytes / 1e6:.0f} MB; peak memory of this process {peak_mb:.0f} MB")
    print()
    print(
        f"ratios: on the slice, 1 process/Whoosh writer {one['rate'] / old['rate']:.2f}x docs/s, "
        f"{args.procs} workers/Whoosh writer {pool['rate'] / old['rate']:.2f}x; full corpus, "
        f"{args.procs} workers/1 process {full_pool['rate'] / full_one['rate']:.2f}x docs/s "
        f"({full_pool['cpu'] / full_one['cpu']:.2f}x the CPU)"
    )
    projected = GOAL_DOCS / full_pool["rate"]
    print(
        f"goal: rebuild {GOAL_DOCS} docs in <= {GOAL_SECONDS:.0f} s with {args.procs} "
        f"worker processes: {'yes' if projected <= GOAL_SECONDS else 'NO'} "
        f"({projected:.0f} s{'' if full_pool['indexed'] == GOAL_DOCS else ' projected'})"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
