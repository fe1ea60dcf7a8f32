"""Search index rebuild benchmark: SearchIndex.rebuild() from scratch at 100k documents.

    .venv/bin/python bench/kb_rebuild.py [--docs 100000] [--reference-docs 5000] [--seed N]

What it does, every run:

1. Builds the synthetic multilingual corpus of bench/kb_search.py (same generator, same
   seed: articles and resolved tickets in nine languages, words drawn Zipf-like).
2. Reference, on the first --reference-docs documents, interleaved in this run: the same
   slice rebuilt with Whoosh's own writer (``whoosh_writer=True``, the path used before
   RebuildWriter) and with RebuildWriter, then the two indexes compared field by field
   (every term's postings and statistics, stored fields, lengths): they must be identical.
3. The full rebuild with RebuildWriter: docs/s, seconds, CPU seconds, peak memory.
4. Prints the figures, the goal (<= 180 s at 100k documents) and the ratios.

A benchmark that prints figures, not a test: it exits 0 whether or not the goal holds
(1 if the two reference indexes differ).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
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


def timed_rebuild(path: str, docs: list[dict], label: str, whoosh_writer: bool) -> dict:
    """Rebuild the index at ``path`` from ``docs``; wall and CPU seconds, load meanwhile."""
    skeleton.cache_clear()  # each build starts from the same cold caches
    index = SearchIndex(path)
    progress = Progress(label, len(docs))
    load, cpu = os.getloadavg()[0], time.process_time()
    build = index.rebuild(iter(docs), progress=progress, whoosh_writer=whoosh_writer)
    progress.done(build["indexed"])
    index.close()
    build["cpu"] = time.process_time() - cpu
    build["load"] = (load + os.getloadavg()[0]) / 2
    build["rate"] = build["indexed"] / build["seconds"] if build["seconds"] else float("nan")
    return build


def describe(name: str, build: dict) -> str:
    return (
        f"{name:<34} {build['indexed']:>7} docs in {build['seconds']:7.1f} s = "
        f"{build['rate']:5.0f} docs/s  (CPU {build['cpu']:6.1f} s, "
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
    p.add_argument("--seed", type=int, default=20240917)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    work = tempfile.mkdtemp(prefix="bench-kb-rebuild-")
    load_start = os.getloadavg()[0]
    try:
        docs = corpus(args.docs, vocabularies(args.seed), args.seed)
        sliced = docs[: min(args.reference_docs, len(docs))]
        old = timed_rebuild(os.path.join(work, "old"), sliced, "whoosh writer", True)
        new_slice = timed_rebuild(os.path.join(work, "new"), sliced, "rebuild writer", False)
        log("[compare] reading both reference indexes")
        same = index_contents(os.path.join(work, "old")) == index_contents(
            os.path.join(work, "new")
        )
        full = timed_rebuild(os.path.join(work, "full"), docs, "rebuild writer, all", False)
        index_bytes = sum(
            e.stat().st_size for e in os.scandir(os.path.realpath(os.path.join(work, "full")))
        )
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
    print(describe("RebuildWriter", new_slice))
    print(f"  identical index contents (terms, postings, stored fields, lengths): {same}")
    print(describe("RebuildWriter, full corpus", full))
    print(f"  index {index_bytes / 1e6:.0f} MB; peak memory of this process {peak_mb:.0f} MB")
    print()
    print(
        f"ratios: RebuildWriter/Whoosh writer on the slice {new_slice['rate'] / old['rate']:.2f}x "
        f"docs/s ({old['cpu'] / new_slice['cpu']:.2f}x less CPU); full corpus vs the Whoosh "
        f"writer's slice rate {full['rate'] / old['rate']:.2f}x"
    )
    projected = GOAL_DOCS / full["rate"]
    print(
        f"goal: rebuild {GOAL_DOCS} docs in <= {GOAL_SECONDS:.0f} s: "
        f"{'yes' if projected <= GOAL_SECONDS else 'NO'} "
        f"({projected:.0f} s{'' if full['indexed'] == GOAL_DOCS else ' projected'})"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
