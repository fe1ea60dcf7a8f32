"""Search finds what people type: nukta or none, decomposed letters, Hindi typed in Latin
letters, function words left out of ranking and highlights (contract: "Search spelling")."""

import os
import re
import unicodedata

import pytest

from helpdesk.knowledge.search import SearchIndex, analyze

DOCS = [
    {
        "id": "fees",
        "kind": "article",
        "title": "MEC की फ़ीस कितनी है",
        "body": "उद्यमी MEC को सेवा की फ़ीस देते हैं। फ़ीस का हिसाब रजिस्टर में लिखें।",
        "language": "hi",
        "status": "published",
    },
    {
        "id": "market",
        "kind": "article",
        "title": "साप्ताहिक बाजार",  # written without nukta
        "body": "हर हफ़्ते बाजार में स्टॉल लगाएं। हाँ, पंचायत की अनुमति चाहिए।",
        "language": "hi",
        "status": "published",
    },
    {
        "id": "plan",
        "kind": "article",
        "title": "व्यवसाय योजना",
        "body": "बैंक लोन के लिए व्यवसाय योजना ज़रूरी है। यह योजना MEC के साथ बनाएं।",
        "language": "hi",
        "status": "published",
    },
    {
        "id": "trade",
        "kind": "article",
        "title": "छोटा व्यापार",
        "body": "गाँव में व्यापार शुरू करने की जानकारी। हिन्दी में पूरी जानकारी।",
        "language": "hi",
        "status": "published",
    },
    {
        "id": "loan-ml",
        "kind": "article",
        "title": "ബാങ്ക് വായ്പ",
        "body": "കുടുംബശ്രീ സംരംഭകർക്ക് ബാങ്ക് വായ്പ ലഭിക്കാൻ ബിസിനസ് പ്ലാൻ വേണം.",
        "language": "ml",
        "status": "published",
    },
    {
        "id": "market-kn",
        "kind": "article",
        "title": "ವಾರದ ಸಂತೆ",
        "body": "ವಾರದ ಸಂತೆ ಆರಂಭಿಸುವುದು ಹೇಗೆ.",
        "language": "kn",
        "status": "published",
    },
    {
        "id": "bank-en",
        "kind": "article",
        "title": "Bank loans for enterprises",
        "body": "The bank asks for a business plan.",
        "language": "en",
        "status": "published",
    },
]


@pytest.fixture
def index(tmp_path):
    ix = SearchIndex(tmp_path / "kb")
    ix.rebuild(DOCS)
    yield ix
    ix.close()


def ids(results):
    return [item["id"] for item in results.items]


def marked(results, doc_id):
    snippet = next(item["snippet"] for item in results.items if item["id"] == doc_id)
    return re.findall(r'<b class="match">(.*?)</b>', snippet)


def test_nukta_less_query_finds_the_nukta_article_and_shows_it_as_written(index):
    results = index.search("फीस")
    assert ids(results) == ["fees"]
    assert set(marked(results, "fees")) == {"फ़ीस"}  # the original spelling, nukta and all
    assert ids(index.search("फ़ीस")) == ["fees"]


def test_nukta_query_finds_the_article_written_without_nukta(index):
    results = index.search("बाज़ार")
    assert ids(results) == ["market"]
    assert set(marked(results, "market")) == {"बाजार"}


def test_decomposed_precomposed_and_nasal_variants_are_one_spelling(index):
    decomposed = unicodedata.normalize("NFD", "फ़ीस")  # फ + ़ + ी + स
    precomposed = "\u095e\u0940\u0938"  # फ़ (U+095E) ी स
    assert ids(index.search(decomposed)) == ids(index.search(precomposed)) == ["fees"]
    assert analyze("हाँ") == analyze("हां")  # chandrabindu or anusvara
    assert analyze("हिन्दी") == analyze("हिंदी")  # half nasal or anusvara
    assert analyze("कुर्सी\u200d") == analyze("कुर्सी")  # a stray joiner
    assert ids(index.search("हिंदी")) == ["trade"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("vyavsay yojana", "plan"),
        ("vyavasay yojna", "plan"),
        ("yojana", "plan"),
        ("vyapar", "trade"),
        ("vyaapaar jaankari", "trade"),
        ("bazaar", "market"),
        ("MEC ki fees kitni hai", "fees"),
    ],
)
def test_hindi_typed_in_latin_letters_finds_the_devanagari_article(index, query, expected):
    results = index.search(query)
    assert ids(results)[:1] == [expected]


def test_romanized_matches_are_highlighted_in_devanagari(index):
    results = index.search("vyavsay yojana")
    assert set(marked(results, "plan")) == {"व्यवसाय", "योजना"}


def test_romanized_malayalam_and_kannada(index):
    assert ids(index.search("vaayppa"))[:1] == ["loan-ml"]
    assert ids(index.search("sante"))[:1] == ["market-kn"]


def test_english_words_stay_english(index):
    # "bank" is an article word: it is not read as romanized and never meets ബാങ്ക്.
    assert ids(index.search("bank")) == ["bank-en"]


def test_a_stop_word_only_query_does_not_pull_in_everything(index):
    for query in ("के की है में नहीं", "ki hai nahi", "और भी"):
        results = index.search(query)
        assert results.items == [] and results.total == 0 and not results.degraded


def test_function_words_are_neither_ranked_nor_highlighted(index):
    results = index.search("बैंक के लिए योजना है")
    assert ids(results)[:1] == ["plan"]
    assert set(marked(results, "plan")) == {"बैंक", "योजना"}  # not के, है


def test_an_index_of_an_older_schema_answers_degraded_until_rebuilt(index):
    with open(os.path.join(index.path, "HELPDESK_SCHEMA_VERSION"), "w") as fh:
        fh.write("1")
    fresh = SearchIndex(index.path)  # as a process started after the upgrade
    old = fresh.search("योजना")
    assert old.degraded and ids(old) == ["plan"]  # still answers, and asks for a rebuild
    fresh.rebuild(DOCS)
    assert not fresh.search("योजना").degraded and fresh.is_healthy()
    fresh.close()


# ---- through the API ------------------------------------------------------------------------

HINDI_ARTICLE = {
    "title": "बैंक लोन के लिए व्यवसाय योजना",
    "body": "MEC उद्यमी के साथ व्यवसाय योजना बनाते हैं और बैंक की फ़ीस बताते हैं।",
    "language": "hi",
    "category": "business-plan",
    "status": "published",
}


@pytest.fixture
def api(api_as, make_user, run_jobs):
    mentor = api_as(make_user("mentor", states=["IN-JH"]))
    article = mentor.post("/api/v1/kb/articles", json=HINDI_ARTICLE)
    assert article.status_code == 201, article.json
    run_jobs()
    return mentor, article.json["id"]


def test_api_search_finds_nukta_less_and_romanized_spellings(api):
    mentor, article_id = api
    for q in ("फीस", "vyavsay yojana", "vyavasay yojna"):
        res = mentor.get("/api/v1/kb/search", query_string={"q": q})
        assert res.status_code == 200
        assert [i["id"] for i in res.json["items"]] == [article_id], q


def test_live_suggestions_understand_romanized_hindi(api, api_as, make_user):
    _mentor, article_id = api
    brc = api_as(make_user("brc"))
    res = brc.get("/api/v1/kb/suggest", query_string={"text": "vyavsay yojana kaise banayen"})
    assert res.status_code == 200 and not res.json["degraded"]
    assert [i["id"] for i in res.json["items"]][:1] == [article_id]
    assert "योजना</b>" in res.json["items"][0]["snippet"]
