"""Knowledge-base search index: Indic analysis, ranking, typos, filters, robustness."""

import os
import re
import shutil
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpdesk.knowledge.search import ANALYZER, SearchIndex, SearchIndexLocked, analyze

HINDI_BODY = "यह व्यवसाय योजना बनाने की जानकारी है। बैंक ऋण के लिए योजना ज़रूरी है॥ नहीं तो नहाने जैसा"
MALAYALAM_BODY = "കുടുംബശ്രീ സംരംഭകർക്ക് ബാങ്ക് വായ്പ ലഭിക്കാൻ ബിസിനസ് പ്ലാൻ വേണം."

ARTICLES = [
    {
        "id": "a1",
        "kind": "article",
        "title": "How to prepare a business plan",
        "body": "A business plan lists costs, prices and the market for the enterprise.",
        "language": "en",
        "category": "enterprise",
        "status": "published",
        "tags": ["planning"],
    },
    {
        "id": "a2",
        "kind": "article",
        "title": "Bookkeeping for SHG enterprises",
        "body": "Keep a daily cash book and a monthly ledger.",
        "language": "en",
        "category": "accounts",
        "status": "published",
        "tags": "accounts, cash book",
    },
    {
        "id": "a3",
        "kind": "article",
        "title": "Amrutham Nutrimix unit operations",
        "body": "Production, quality checks and supply of Nutrimix to anganwadis.",
        "language": "en",
        "category": "nutrition",
        "status": "published",
    },
    {
        "id": "a4",
        "kind": "article",
        "title": "Bank loans for neighbourhood groups",
        "body": "Bank linkage loans need a grading by the CDS.",
        "language": "en",
        "category": "finance",
        "status": "published",
    },
    {
        "id": "a5",
        "kind": "article",
        "title": "Marketing at fairs",
        "body": "Stalls at fairs and plans for festival sales.",
        "language": "en",
        "category": "enterprise",
        "status": "draft",
    },
    {
        "id": "h1",
        "kind": "article",
        "title": "व्यवसाय योजना",
        "body": HINDI_BODY,
        "language": "hi",
        "category": "enterprise",
        "status": "published",
    },
    {
        "id": "m1",
        "kind": "article",
        "title": "ബിസിനസ് പ്ലാൻ",
        "body": MALAYALAM_BODY,
        "language": "ml",
        "category": "enterprise",
        "status": "published",
    },
    {
        "id": "t1",
        "kind": "ticket",
        "title": "Loan not received",
        "body": "Bank loan delayed.",
        "language": "en",
        "category": "finance",
        "status": "open",
        "block_id": 11,
    },
    {
        "id": "t2",
        "kind": "ticket",
        "title": "Loan query",
        "body": "Which bank gives loans?",
        "language": "en",
        "category": "finance",
        "status": "open",
        "block_id": 22,
    },
]


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "kb")
    ix.rebuild(ARTICLES)
    yield ix
    ix.close()


def ids(results):
    return [item["id"] for item in results.items]


def marked(snippet):
    return re.findall(r'<b class="match">(.*?)</b>', snippet)


# ---- analyzer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("व्यवसाय योजना", ["व्यवसाय", "योजना"]),  # Devanagari (Hindi)
        ("ব্যবসা পরিকল্পনা", ["ব্যবসা", "পরিকল্পনা"]),  # Bengali
        ("ব্যৱসায়", ["ব্যৱসায়"]),  # Assamese
        ("ਕਾਰੋਬਾਰ ਯੋਜਨਾ", ["ਕਾਰੋਬਾਰ", "ਯੋਜਨਾ"]),  # Gurmukhi
        ("વ્યવસાય યોજના", ["વ્યવસાય", "યોજના"]),  # Gujarati
        ("ବ୍ୟବସାୟ ଯୋଜନା", ["ବ୍ୟବସାୟ", "ଯୋଜନା"]),  # Odia
        ("வணிகத் திட்டம்", ["வணிகத்", "திட்டம்"]),  # Tamil
        ("వ్యాపార ప్రణాళిక", ["వ్యాపార", "ప్రణాళిక"]),  # Telugu
        ("ವ್ಯಾಪಾರ ಯೋಜನೆ", ["ವ್ಯಾಪಾರ", "ಯೋಜನೆ"]),  # Kannada
        ("ബിസിനസ് പ്ലാൻ", ["ബിസിനസ്", "പ്ലാൻ"]),  # Malayalam
        ("ബാങ്ക്", ["ബാങ്ക്"]),
        ("കുടുംബശ്രീ", ["കുടുംബശ്രീ"]),
        ("योजना। बैंक", ["योजना", "बैंक"]),  # danda is punctuation
        ("ऋण॥ बैंक", ["ऋण", "बैंक"]),  # double danda too
    ],
)
def test_analyzer_keeps_whole_indic_words(text, words):
    assert analyze(text) == words


def test_vowel_signs_distinguish_words():
    assert analyze("नहर") != analyze("नहाने")
    assert analyze("नहर नहाने") == ["नहर", "नहाने"]


def test_joiners_stay_inside_words_and_old_chillus_match_atomic_ones():
    assert analyze("അവന്\u200d വന്നു") == analyze("അവൻ വന്നു")  # ZWJ chillu == atomic chillu
    assert len(analyze("क्\u200dष")) == 1  # ZWJ does not split a conjunct
    assert len(analyze("র\u200d্যাব")) == 1


def test_text_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "ক্ষুদ্র ঋণ আৰু ব্যৱসায়")
    assert analyze(decomposed) == analyze(unicodedata.normalize("NFC", decomposed))
    assert analyze("\u0958") == analyze("\u0915\u093c")  # क़ precomposed vs nukta sequence


def test_token_offsets_cover_whole_words():
    text = unicodedata.normalize("NFC", HINDI_BODY + " " + MALAYALAM_BODY)
    spans = [text[t.startchar : t.endchar] for t in ANALYZER(text, chars=True, removestops=False)]
    assert spans == re.findall(r"[^\s।॥.]+", text)


def test_english_is_lowercased_stemmed_and_stop_words_dropped():
    assert analyze("Planning") == analyze("plans") == analyze("plan") == ["plan"]
    assert analyze("The Loans and the SHG's accounts") == ["loan", "shg", "account"]
    assert analyze("Rs. 10,000 at 3.5%") == ["rs", "10,000", "3.5"]


# ---- searching ----------------------------------------------------------------------------


def test_indic_highlight_marks_the_whole_word(index):
    results = index.search("योजना")
    assert ids(results) == ["h1"]
    snippet = results.items[0]["snippet"]
    assert '<b class="match">योजना</b>' in snippet
    assert set(marked(snippet)) == {"योजना"}
    ml = index.search("ബാങ്ക്")
    assert ids(ml) == ["m1"] and marked(ml.items[0]["snippet"]) == ["ബാങ്ക്"]


def test_nahane_does_not_match_nahin(index):
    results = index.search("नहाने")
    assert ids(results) == ["h1"]
    assert marked(results.items[0]["snippet"]) == ["नहाने"]


def test_snippets_escape_html_and_fall_back_to_plain_text(tmp_path):
    ix = SearchIndex(tmp_path / "kb")
    ix.rebuild(
        [
            {
                "id": "x",
                "kind": "article",
                "title": "Subsidy rules",
                "body": "Use <script>alert(1)</script> & subsidy forms. " + "More text here. " * 30,
            },
            {
                "id": "y",
                "kind": "article",
                "title": "Insurance",
                "body": "Premiums are paid yearly.",
            },
        ]
    )
    x = ix.search("subsidy").items[0]
    assert "<script>" not in x["snippet"] and "&lt;script&gt;" in x["snippet"]
    assert '<b class="match">subsidy</b>' in x["snippet"]
    y = ix.search("insurance").items[0]  # matches the title only: plain start of the body
    assert y["snippet"] == "Premiums are paid yearly."
    ix.close()


def test_result_items_have_the_promised_fields(index):
    item = index.search("nutrimix").items[0]
    assert set(item) == {"id", "kind", "title", "snippet", "score", "language", "category"}
    assert item["id"] == "a3" and item["kind"] == "article" and item["language"] == "en"
    assert item["category"] == "nutrition" and item["score"] > 0


def test_english_stems_match(index):
    assert "a1" in ids(index.search("planning"))
    assert "a5" in ids(index.search("plan"))  # body says "plans"


def test_more_query_words_rank_higher_and_missing_words_still_match(tmp_path):
    ix = SearchIndex(tmp_path / "kb")
    ix.rebuild(
        [
            {"id": "one", "kind": "article", "title": "Cash book", "body": "cash cash cash cash"},
            {"id": "both", "kind": "article", "title": "Registers", "body": "cash and ledger"},
            {"id": "none", "kind": "article", "title": "Fairs", "body": "stalls"},
        ]
    )
    assert ids(ix.search("cash ledger")) == ["both", "one"]
    partial = ix.search("cash ledger zyxwvut")
    assert ids(partial) == ["both", "one"] and partial.total == 2 and not partial.degraded
    ix.close()


@pytest.mark.parametrize(
    "typo, expected",
    [
        ("buisness plan", "a1"),
        ("bookeeping", "a2"),
        ("nutrimx", "a3"),
        ("nutrimicks", "a3"),
        ("laon", "a4"),
        ("neighbourhod", "a4"),
    ],
)
def test_typos_in_english_titles_find_the_article(index, typo, expected):
    results = index.search(typo, kind="article")
    assert ids(results)[:1] == [expected]


def test_correct_words_are_not_fuzzily_expanded(index):
    assert ids(index.search("cash")) == ["a2"]  # not "case", "cast", ...


def test_filters(index):
    assert set(ids(index.search("loan", kind="ticket"))) == {"t1", "t2"}
    assert set(ids(index.search("loan", kind="ticket", block_ids=[11]))) == {"t1"}
    assert set(ids(index.search("loan", block_ids=[]))) == {"a4"}  # no ticket visible
    assert set(ids(index.search("loan", block_ids={"22"}))) == {"a4", "t2"}
    assert ids(index.search("plan", status="published", kind="article")) == ["a1"]
    assert set(ids(index.search("plan", status=["published", "draft"]))) == {"a1", "a5"}
    assert ids(index.search("plan", category="enterprise", status="draft")) == ["a5"]
    assert ids(index.search("योजना", language="en")) == []
    assert ids(index.search("ബാങ്ക്", language=["ml", "en"])) == ["m1"]


def test_pagination(index):
    first = index.search("loan", limit=2, page=1)
    second = index.search("loan", limit=2, page=2)
    assert first.total == second.total == 3
    assert len(first.items) == 2 and len(second.items) == 1
    assert not set(ids(first)) & set(ids(second))
    assert index.search("loan", limit=2, page=9).items == []


@pytest.mark.parametrize(
    "query",
    [
        '"(AND OR:*',
        "title:plan",
        "plan AND (loan",
        "*",
        "?",
        "~2",
        '"unclosed',
        "\\",
        "[a TO",
        "{}",
        "^2",
        "NOT",
        "plan^",
        "loan~",
        "-plan +loan",
        "a:b:c",
        "plan)",
        "' OR 1=1 --",
    ],
)
def test_query_syntax_characters_never_raise(index, query):
    results = index.search(query)
    assert not results.degraded


def test_empty_queries_give_nothing(index):
    for query in ("", "   ", None, "the and of", "।॥"):
        results = index.search(query)
        assert results.items == [] and results.total == 0 and not results.degraded


# ---- writing ------------------------------------------------------------------------------


def test_upsert_and_delete_are_seen_by_open_searchers(index, tmp_path):
    other = SearchIndex(tmp_path / "kb")
    assert ids(other.search("nutrimix")) == ["a3"]
    index.upsert([{**ARTICLES[2], "title": "Take home ration", "body": "Millet mix."}])
    index.upsert([{"id": "a9", "kind": "article", "title": "Nutrimix pricing", "body": "x"}])
    assert ids(index.search("nutrimix")) == ids(other.search("nutrimix")) == ["a9"]
    assert index.search("millet").total == 1
    assert index.delete(["a9", "missing"]) == 1
    assert other.search("nutrimix").total == 0
    with pytest.raises(ValueError):
        index.upsert([{"id": "bad", "kind": "page"}])
    other.close()


def test_writer_lock_timeout_raises_a_clear_error(index):
    held = SearchIndex(index.path)._writer()  # another process's writer, in effect
    try:
        index.lock_timeout = 0.2
        with pytest.raises(SearchIndexLocked, match="locked by another writer"):
            index.upsert([ARTICLES[0]])
    finally:
        held.cancel()
    assert index.upsert([ARTICLES[0]]) == 1


def test_ensure_creates_once_and_rebuild_reports_progress(tmp_path):
    ix = SearchIndex(tmp_path / "sub" / "kb")
    assert not ix.is_healthy()
    assert ix.ensure() is True and ix.ensure() is False
    assert ix.is_healthy() and ix.search("plan").total == 0
    seen = []
    docs = ARTICLES + [{"id": "a1", "kind": "article"}, {"kind": "article"}, {"id": "z"}]
    counts = ix.rebuild(iter(docs), progress=seen.append)
    assert counts["indexed"] == len(ARTICLES) and counts["skipped"] == 3
    assert seen[-1] == len(ARTICLES)
    assert ix.search("plan").total > 0
    ix.close()


def test_rebuild_swap_keeps_another_open_index_usable(tmp_path):
    writer, reader = SearchIndex(tmp_path / "kb"), SearchIndex(tmp_path / "kb")
    writer.rebuild(ARTICLES)
    assert ids(reader.search("nutrimix")) == ["a3"]  # reader now holds a searcher
    for generation in range(3):  # the reader's original directory is pruned on the way
        writer.rebuild(
            [{"id": f"g{generation}", "kind": "article", "title": "Nutrimix v2", "body": "new"}]
        )
        results = reader.search("nutrimix")
        assert ids(results) == [f"g{generation}"] and not results.degraded
    builds = [n for n in os.listdir(tmp_path) if n.startswith("kb.")]
    assert len(builds) == 2  # current and previous
    assert reader.is_healthy()
    writer.close()
    reader.close()


def test_corrupt_index_degrades_and_rebuild_repairs_it(index):
    assert ids(index.search("nutrimix")) == ["a3"]  # searcher open while files are damaged
    directory = os.path.realpath(index.path)
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "wb") as fh:
            fh.write(b"\x00garbage\xff" * 3)
    # Scores already read stay in memory until the index changes; the first word that has
    # to be read from the damaged files degrades the search.
    results = index.search("market")
    assert results.degraded and results.items == [] and results.total == 0
    assert not index.is_healthy()
    fresh = SearchIndex(index.path)
    assert fresh.search("nutrimix").degraded and not fresh.is_healthy()
    index.rebuild(ARTICLES)
    assert index.is_healthy() and ids(index.search("nutrimix")) == ["a3"]
    assert fresh.is_healthy() and ids(fresh.search("nutrimix")) == ["a3"]
    fresh.close()


def test_truncated_segment_degrades(index):
    directory = os.path.realpath(index.path)
    for name in os.listdir(directory):
        if name.endswith(".seg"):
            with open(os.path.join(directory, name), "r+b") as fh:
                fh.truncate(10)
    assert index.search("nutrimix").degraded
    assert not index.is_healthy()


def test_missing_index_degrades_and_ensure_recreates(index):
    shutil.rmtree(os.path.realpath(index.path))
    assert index.search("plan").degraded
    assert not index.is_healthy()
    assert index.ensure() is True
    assert index.is_healthy() and not index.search("plan").degraded


def test_outdated_schema_version_is_unhealthy(index):
    with open(os.path.join(index.path, "HELPDESK_SCHEMA_VERSION"), "w") as fh:
        fh.write("0")
    assert not index.is_healthy()


def test_concurrent_searches_from_threads(index):
    def search(query):
        return [index.search(query) for _ in range(15)]

    def write():
        for i in range(5):
            index.upsert(
                [{"id": f"w{i}", "kind": "article", "title": "Loan help", "body": "योजना loan"}]
            )

    queries = ("loan", "योजना", "buisness plan", "ബാങ്ക്") * 2
    with ThreadPoolExecutor(max_workers=len(queries) + 1) as pool:
        writes = pool.submit(write)
        batches = [f.result() for f in [pool.submit(search, q) for q in queries]]
        writes.result()  # re-raises anything the writer thread raised
    assert all(r.items and not r.degraded for batch in batches for r in batch)
    assert index.search("loan", kind="article").total == 6


def test_a_commit_removing_the_generation_a_search_is_opening_does_not_degrade_it(
    index, monkeypatch
):
    # A writer's commit deletes the previous TOC; a searcher that listed the directory just
    # before opens the newer one instead of answering "index missing".
    from helpdesk.knowledge import index as index_module

    index.upsert([{"id": "w1", "kind": "article", "title": "Loan help", "body": "loan"}])
    opened, removed = index_module._Storage.open_file, []

    def open_file(self, name, **kwargs):
        if name.endswith(".toc") and not removed:
            removed.append(name)
            raise FileNotFoundError(2, "No such file or directory", name)
        return opened(self, name, **kwargs)

    monkeypatch.setattr(index_module._Storage, "open_file", open_file)
    results = index.search("loan")
    assert removed and results.items and not results.degraded


def test_a_segment_file_removed_while_listed_is_left_out_of_the_listing(tmp_path, monkeypatch):
    from helpdesk.knowledge import index as index_module

    (tmp_path / "_MAIN_1.toc").write_bytes(b"x")
    (tmp_path / "gone.seg").write_bytes(b"y")
    scandir = os.scandir

    class Listed(list):  # what os.scandir gives: iterable, and a context manager
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def scandir_then_remove(path):
        with scandir(path) as entries:
            listed = Listed(entries)
        os.remove(tmp_path / "gone.seg")  # a commit's clean-up, between listing and stat
        return listed

    monkeypatch.setattr(index_module.os, "scandir", scandir_then_remove)
    assert [f[0] for f in index_module._segment_files(str(tmp_path))] == ["_MAIN_1.toc"]


def test_misspellings_in_tickets_do_not_block_typo_correction(index):
    index.upsert(
        [
            {
                "id": "t9",
                "kind": "ticket",
                "title": "buisness plan help",
                "body": "pls",
                "block_id": 11,
            }
        ]
    )
    assert ids(index.search("buisness", kind="article"))[:1] == ["a1"]
