"""Search scoring: the block-wise BM25F read path gives Whoosh's own scores and the
coverage-first order over every match, with its score cache inside its memory bound."""

import numpy as np
import pytest

from helpdesk.knowledge.ranking import _best
from helpdesk.knowledge.scoring import ScoreMap
from helpdesk.knowledge.search import SearchIndex

WORDS = "loan bank plan market training fee register cash book subsidy village".split()


def corpus(n: int) -> list[dict]:
    docs = []
    for i in range(n):
        words = [WORDS[(i * k + k) % len(WORDS)] for k in range(1, 2 + i % 7)]
        docs.append(
            {
                "id": f"d{i}",
                "kind": "article" if i % 4 else "ticket",
                "status": "published" if i % 5 else "draft",
                "title": " ".join(words[:3]).capitalize(),
                "body": " ".join(words * (1 + i % 3)) + " योजना बैंक" * (i % 2),
                "tags": words[:1],
                "language": "en",
            }
        )
    return docs


def ranked(results) -> list[tuple[str, float]]:
    return [(item["id"], round(item["score"], 4)) for item in results.items]


QUERIES = ["loan", "bank loan", "cash book register", "fee village subsidy plan", "योजना", "laon"]


@pytest.mark.parametrize("cache_mb", [256, 0])
def test_scores_and_order_are_whoosh_scoring_every_match(tmp_path, cache_mb):
    path = tmp_path / "kb"
    SearchIndex(path).rebuild(corpus(400))  # common words' postings span several blocks
    # a second segment and deleted documents: offsets and deletions must not shift scores
    SearchIndex(path).upsert([{**doc, "body": doc["body"] + " loan"} for doc in corpus(10)])
    bulk = SearchIndex(path, score_cache_mb=cache_mb)
    exhaustive = SearchIndex(path, read_path="exhaustive")
    for query in QUERIES:
        for kw in ({}, {"kind": "article", "status": "published"}, {"limit": 5, "page": 2}):
            ours, reference = bulk.search(query, **kw), exhaustive.search(query, **kw)
            assert ranked(ours) == ranked(reference), (query, kw)
            assert ours.total == reference.total and ours.total > 0
            assert ranked(bulk.search(query, **kw)) == ranked(reference)  # from the cache
    bulk.close()
    exhaustive.close()


def test_documents_matching_every_word_come_first_however_many_match_one(tmp_path):
    """Whoosh's loop re-ranked only its 200 best-scored hits: a document with every query
    word but a low score was lost behind hundreds that name one word in their title."""
    docs = [
        {"id": f"t{i}", "kind": "article", "title": f"Subsidy {i}", "body": "subsidy"}
        for i in range(230)
    ]
    long_body = "A long note about many other things. " * 40 + "subsidy for the tailoring unit"
    docs.append({"id": "both", "kind": "article", "title": "Notes", "body": long_body})
    index = SearchIndex(tmp_path / "kb")
    index.rebuild(docs)
    results = index.search("subsidy tailoring")
    assert results.items[0]["id"] == "both" and results.total == 231
    assert '<b class="match">tailoring</b>' in results.items[0]["snippet"]
    index.close()


def test_score_cache_stays_within_its_memory_bound(tmp_path):
    SearchIndex(tmp_path / "kb").rebuild(corpus(300))
    unbounded = SearchIndex(tmp_path / "kb")
    index = SearchIndex(tmp_path / "kb", score_cache_mb=0.01)  # 10 kB: several hundred scores
    for query in QUERIES:
        assert ranked(index.search(query)) == ranked(unbounded.search(query))
    assert unbounded._book.cached_bytes > 10_000  # the queries' maps do not all fit
    assert 0 < index._book.cached_bytes <= 10_000
    index.close()
    unbounded.close()


def test_after_a_change_the_words_in_use_are_scored_again_for_the_new_index(tmp_path):
    """A saved article or solved ticket changes the index: the next search finds the words
    agents were just using already scored, with the new index's figures, not stale ones."""
    path = tmp_path / "kb"
    SearchIndex(path).rebuild(corpus(120))
    index = SearchIndex(path)
    index.search("cash book register")
    before = index._book
    index.upsert([{**corpus(1)[0], "id": "new", "body": "cash cash book"}])
    index.search("village")
    after = index._book
    assert after is not before
    used = {key for key in before._cache if key[0] != "word"}
    assert used and used <= set(after._cache)  # scored again before anyone asked
    exhaustive = SearchIndex(path, read_path="exhaustive")
    assert ranked(index.search("cash book")) == ranked(exhaustive.search("cash book"))
    index.close()
    exhaustive.close()


def test_an_unknown_read_path_is_refused(tmp_path):
    with pytest.raises(ValueError):
        SearchIndex(tmp_path / "kb", read_path="fast")


def test_page_order_is_coverage_then_score_then_document_number():
    """Every coverage level, ties on score included, cut at any page size: the same order
    as sorting every matching document (the arrays path picks pages without a full sort)."""
    rng = np.random.default_rng(5)
    doc_count = 2000
    maps = []
    for size in (1500, 700, 300, 40):
        docs = np.sort(rng.choice(doc_count, size, replace=False)).astype(np.int32)
        scores = rng.choice([0.5, 1.25, 2.0, 3.5], size)  # few values: many ties
        maps.append(ScoreMap(docs, scores))
    allowed = rng.random(doc_count) < 0.8
    summed: dict[int, float] = {}
    covered: dict[int, int] = {}
    for m in sorted(maps, key=len):
        for d, s in zip(m.docs.tolist(), m.scores.tolist()):
            summed[d] = summed.get(d, 0.0) + s
            covered[d] = covered.get(d, 0) + 1
    expected = sorted(
        ((covered[d], summed[d], d) for d in summed if allowed[d]),
        key=lambda f: (-f[0], -f[1], f[2]),
    )
    for k in (1, 7, 10, 38, 39, 250, 1800, 5000):
        best, total = _best(maps, allowed, k, doc_count)
        assert best == expected[:k] and total == len(expected), k
    best, total = _best(maps, None, 10, doc_count)
    assert total == len(summed) and best[0][0] == max(covered.values())
