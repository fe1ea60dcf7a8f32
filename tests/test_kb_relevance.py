"""Relevance: real questions in five languages find the article that answers them.

The suite reports the mean reciprocal rank (MRR) and fails below 0.8."""

import json
from pathlib import Path

from helpdesk.knowledge import searching
from helpdesk.knowledge.library import load_library

CASES = json.loads((Path(__file__).with_name("kb_relevance.json")).read_text(encoding="utf-8"))
MRR_FLOOR = 0.8


def test_relevance_set_covers_four_languages():
    assert len(CASES) >= 40
    assert len({case["language"] for case in CASES}) >= 4


def test_mean_reciprocal_rank_of_the_library(app, make_user, run_jobs, capsys):
    reader = make_user("agent")
    ids = load_library(make_user("mentor"))
    run_jobs()
    reciprocal_ranks, misses = [], []
    for case in CASES:
        found = [item["id"] for item in searching.search(reader, case["query"], limit=10)["items"]]
        expected = ids[case["expected"]]
        rank = found.index(expected) + 1 if expected in found else None
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        if rank != 1:
            misses.append(f"{case['query']!r} → rank {rank}")
    mrr = sum(reciprocal_ranks) / len(reciprocal_ranks)
    with capsys.disabled():
        print(f"\nKB relevance: MRR {mrr:.3f} over {len(CASES)} queries; not first: {len(misses)}")
        for miss in misses:
            print("   ", miss)
    assert mrr >= MRR_FLOOR, misses
