"""The first search a freshly started app process answers: search warmed up after its first
request (``SEARCH_WARM_UP_ON_START=1``, the default) or by that first search itself (``=0``).

    .venv/bin/python bench/kb_first_search.py DIR [--starts 5] [--after 3]

DIR is an index kept by ``bench/kb_search.py --keep-dir DIR`` (100k documents there). Each
start serves the app with gunicorn (one sync worker, a throwaway SQLite database, the index
of DIR) as a deploy or a restart does; its first request is the readiness check
(``GET /api/v1/categories``), then a bearer token is taken, and ``--after`` seconds later an
agent searches: that first search is timed, then the same query again (the reference: a
searcher in steady use, timed in the same run). Starts alternate between the two settings,
each start with the next realistic query (bench/kb_queries.py). Prints each setting's first
searches (median, max), the reference, the goal (a first search within the search goal,
50 ms) and the ratios. A benchmark that prints figures, not a test: it exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kb_http import prepare_database, serve, timed_get, token  # noqa: E402
from kb_queries import realistic_queries  # noqa: E402

GOAL_MS = 50
SETTINGS = {"warmed up after the first request": "1", "warmed up by the first search": "0"}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", help="a --keep-dir of bench/kb_search.py (its index/ is served)")
    p.add_argument("--starts", type=int, default=5, help="process starts per setting")
    p.add_argument("--after", type=float, default=3.0, help="seconds from start to the search")
    args = p.parse_args(argv)

    index_path = os.path.join(os.path.abspath(args.dir), "index")
    if not os.path.isdir(index_path):
        raise SystemExit(f"no index in {index_path}: run bench/kb_search.py --keep-dir first")
    queries = [q.text for q in realistic_queries()]
    first: dict[str, list[float]] = {name: [] for name in SETTINGS}
    steady: list[float] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kb-first-") as work:
        prepare_database(work, index_path, ["en", "hi", "ml"])
        for start in range(args.starts):
            query = queries[start % len(queries)]
            path = f"/api/v1/kb/search?q={quote(query)}"
            for name, setting in SETTINGS.items():
                with serve(work, index_path, 1, {"SEARCH_WARM_UP_ON_START": setting}) as port:
                    bearer = token(port)
                    time.sleep(args.after)
                    ms, status, _ = timed_get(port, path, bearer)
                    if status != 200:
                        raise SystemExit(f"GET {path}: {status}")
                    first[name].append(ms)
                    steady.append(timed_get(port, path, bearer)[0])
                print(f"start {start + 1}, {name}: first search {ms:8.1f} ms  ({query!r})")
    load_after = os.getloadavg()

    print(
        f"\nmachine load average (1 min) before: {load_before[0]:.2f}, after: "
        f"{load_after[0]:.2f} ({os.cpu_count()} CPUs); index: {index_path}; "
        f"the search {args.after:g} s after the process's first request"
    )
    reference = statistics.median(steady)
    for name, times in first.items():
        print(
            f"{name:34s} first search median {statistics.median(times):8.1f} ms "
            f"(max {max(times):8.1f})"
        )
    print(f"{'steady (the same query again)':34s}              median {reference:8.1f} ms")
    warmed, cold = (statistics.median(first[name]) for name in SETTINGS)
    print(
        f"ratio: warmed up after the first request / by the first search {warmed / cold:.3f}x, "
        f"/ steady {warmed / reference:.2f}x"
    )
    print(f"goal: first search <= {GOAL_MS} ms: {'yes' if warmed <= GOAL_MS else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
