"""A rebuild writes exactly what Whoosh's own writer would: same terms, postings, weights,
positions, stored fields and lengths, so searches answer the same after the faster rebuild."""

import multiprocessing
import os
import unicodedata

import pytest

from helpdesk.knowledge import rebuild_pool
from helpdesk.knowledge.library import ARTICLES_DIR, parse_article_file
from helpdesk.knowledge.search import SearchIndex, index_contents

# Words that test the tokenizer's and filters' edges: stop words first (positions are
# renumbered from the first kept word), words that fold to nothing, nuktas and chandrabindu,
# old-style chillus, joiners, numbers with separators, possessives, romanized Hindi, repeats.
EDGE_CASES = [
    {
        "id": "edge-1",
        "kind": "article",
        "title": "The how of the SHG's plan: planning, planned, plans",
        "body": "the the of ' '' ’ 3.5 10,000 २३ फ़ीस फीस हाँ हां हिन्दी हिंदी "
        "ന്‍ ൻ क्‍ष क्ष the plan plan PLAN Plan’s don't",
        "language": "en",
        "category": "finance",
        "status": "published",
        "tags": ["Bank Loan", "फ़ीस, शुल्क", ""],
    },
    {
        "id": "edge-2",
        "kind": "ticket",
        "title": "T-2 vyavsay yojana kaise banaye",
        "body": "mera vyavasaay yojna nahi bana. व्यवसाय योजना। কেন ঋণ? வணிகத் திட்டம்",
        "language": "hi",
        "category": "enterprise",
        "status": "resolved",
        "block_id": "7",
    },
    {  # not NFC as typed: the index stores and analyses the NFC form either way
        "id": "edge-3",
        "kind": "article",
        "title": unicodedata.normalize("NFD", "Café ऩ ड़ी"),
        "body": "",
        "language": "en",
        "category": "training",
        "status": "draft",
        "tags": "a,b , c",
    },
    {"id": "edge-4", "kind": "ticket", "title": "", "body": "only body words", "block_id": ""},
]


def library_documents() -> list[dict]:
    """The real articles, in every language of the library, as the app indexes them."""
    docs = []
    for number, path in enumerate(sorted(ARTICLES_DIR.glob("*.md"))):
        if path.name == "SOURCES.md":
            continue
        article = parse_article_file(path)
        docs.append(
            {
                "id": f"article-{number}",
                "kind": "article" if number % 3 else "ticket",
                "title": article.title,
                "body": article.body,
                "language": article.language,
                "category": article.category,
                "status": "published" if number % 3 else "resolved",
                "block_id": str(number % 5) if number % 3 == 0 else None,
                "tags": article.tags,
            }
        )
    return docs


def built(tmp_path, name: str, documents: list[dict], whoosh_writer=False, procs=1) -> dict:
    index = SearchIndex(tmp_path / name)
    counts = index.rebuild(iter(documents), procs=procs, whoosh_writer=whoosh_writer)
    index.close()
    assert counts["indexed"] == len(documents)
    return index_contents(os.path.realpath(tmp_path / name))


@pytest.mark.parametrize("sample", ["edge cases", "library", "library twice over"])
def test_rebuild_writes_what_whoosh_writer_writes(tmp_path, sample):
    documents = {
        "edge cases": EDGE_CASES,
        "library": library_documents(),
        # the same words in many documents: postings lists longer than one block
        "library twice over": [
            {**doc, "id": f"{doc['id']}-{copy}"}
            for copy in range(160)
            for doc in library_documents()[:2]
        ],
    }[sample]
    ours = built(tmp_path, "ours", documents, whoosh_writer=False)
    whoosh = built(tmp_path, "whoosh", documents, whoosh_writer=True)
    assert ours["docs"] == whoosh["docs"]
    assert ours["totals"] == whoosh["totals"]
    assert ours["terms"].keys() == whoosh["terms"].keys()
    assert ours["terms"] == whoosh["terms"]
    assert len(ours["terms"]) > 20


def test_rebuilt_index_answers_like_one_built_by_whoosh(tmp_path):
    documents = library_documents()
    answers = {}
    for name, whoosh_writer in (("ours", False), ("whoosh", True)):
        index = SearchIndex(tmp_path / name)
        index.rebuild(iter(documents), whoosh_writer=whoosh_writer)
        answers[name] = [
            index.search(query, limit=10).items
            for query in ("business plan", "vyavsay yojana", "फीस", "ബാങ്ക് വായ്പ", "ledgr")
        ]
        index.close()
    assert answers["ours"] == answers["whoosh"]
    assert any(answers["ours"])


def library_three_times() -> list[dict]:
    return [
        {**doc, "id": f"{doc['id']}-{copy}"} for copy in range(3) for doc in library_documents()
    ]


def test_worker_processes_build_the_same_index(tmp_path, monkeypatch):
    monkeypatch.setattr(rebuild_pool, "BATCH_DOCS", 7)  # many batches, several per worker
    documents = EDGE_CASES + library_three_times()
    pooled = built(tmp_path, "pooled", documents, procs=2)
    assert pooled == built(tmp_path, "alone", documents, procs=1)
    assert pooled == built(tmp_path, "whoosh", documents, whoosh_writer=True)
    assert multiprocessing.active_children() == []  # the workers are gone


def test_a_dying_worker_fails_the_rebuild_and_keeps_the_old_index(tmp_path, monkeypatch):
    monkeypatch.setattr(rebuild_pool, "BATCH_DOCS", 7)
    index = SearchIndex(tmp_path / "kb")
    index.rebuild(EDGE_CASES, procs=1)
    live = os.path.realpath(tmp_path / "kb")
    workers = []

    def kill_the_workers(done: int) -> None:  # as the OOM killer might, mid-rebuild
        if not workers:
            workers.extend(multiprocessing.active_children())
            for worker in workers:
                worker.kill()

    with pytest.raises(rebuild_pool.BrokenProcessPool):
        index.rebuild(library_three_times(), progress=kill_the_workers, procs=2)
    assert len(workers) == 2
    assert os.path.realpath(tmp_path / "kb") == live
    assert sorted(os.listdir(tmp_path)) == ["kb", os.path.basename(live)]  # nothing half-built
    assert [hit["id"] for hit in index.search("vyavsay yojana").items] == ["edge-2"]
    assert multiprocessing.active_children() == []
    index.close()
