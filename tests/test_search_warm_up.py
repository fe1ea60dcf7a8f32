"""A served process warms its search up after its first request, so the first agent to
search after a start (a deploy, a restart) does not wait for the searcher to open, its
frequent words to be scored and its common filters to be found (about 2 s at 100k
documents)."""

import threading

import pytest

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.knowledge import index as index_module
from helpdesk.knowledge.scoring import ScoreBook
from helpdesk.knowledge.searching import COMMON_FILTERS

ARTICLE = {
    "title": "How an MEC prepares a business plan for a bank loan",
    "body": "The MEC visits the enterprise and writes the business plan the bank asks for.",
    "language": "en",
    "category": "business-plan",
    "status": "published",
}


@pytest.fixture
def filtered(monkeypatch) -> list:
    """Every search filter whose documents were looked up (once per searcher and filter)."""
    queries: list = []
    find = index_module.query_docs

    def noted(searcher, filter_q):
        queries.append(filter_q)
        return find(searcher, filter_q)

    monkeypatch.setattr(index_module, "query_docs", noted)
    return queries


@pytest.fixture
def warmed(monkeypatch) -> list[ScoreBook]:
    """Every score book warmed with the index's frequent words (a process's first one)."""
    books: list[ScoreBook] = []
    warm = ScoreBook.warm

    def noted(book, *args, **kwargs):
        books.append(book)
        return warm(book, *args, **kwargs)

    monkeypatch.setattr(ScoreBook, "warm", noted)
    return books


@pytest.fixture
def served_app(app, config_class):
    """Another app over the test's database and index, built with the given settings, as a
    served process would be; its connections and searcher are closed afterwards."""
    built = []

    def build(**settings):
        settings["SEARCH_INDEX_DIR"] = app.config["SEARCH_INDEX_DIR"]
        built.append(create_app(type("Served", (config_class,), settings)))
        return built[-1]

    yield build
    for served in built:
        with served.app_context():
            if "kb_index" in served.extensions:
                served.extensions["kb_index"].close()
            db.session.remove()
            db.engine.dispose()


def warming_up() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "search-warm-up"]


def test_the_first_request_warms_search_up_before_anyone_searches(
    served_app, api_as, make_user, run_jobs, warmed, filtered
):
    api = api_as(make_user("agent"))
    mentor = api_as(make_user("mentor", states=["IN-JH"]))
    article = mentor.post("/api/v1/kb/articles", json=ARTICLE).json
    run_jobs()

    client = served_app(SEARCH_WARM_UP_ON_START=True).test_client()
    assert client.get("/login").status_code == 200  # any request, not a search
    for thread in warming_up():
        thread.join(10)
    assert len(warmed) == 1  # ready: the searcher is open and its words scored
    assert len(filtered) == len(COMMON_FILTERS)  # and the common filters' documents found

    res = client.get("/api/v1/kb/search", query_string={"q": "business plan"}, headers=api.headers)
    assert res.status_code == 200 and [i["id"] for i in res.json["items"]] == [article["id"]]
    res = client.get("/api/v1/kb/suggest", query_string={"text": "bank loan"}, headers=api.headers)
    assert res.status_code == 200 and [i["id"] for i in res.json["items"]] == [article["id"]]
    assert client.get("/login").status_code == 200
    # The searches used what was ready; it was warmed up once only.
    assert len(warmed) == 1 and len(filtered) == len(COMMON_FILTERS) and not warming_up()


def test_without_the_setting_the_first_search_warms_it_up(
    client, api_as, make_user, run_jobs, warmed, filtered
):
    api = api_as(make_user("mentor", states=["IN-JH"]))
    api.post("/api/v1/kb/articles", json=ARTICLE)
    run_jobs()
    assert client.get("/login").status_code == 200
    assert not warming_up() and warmed == [] and filtered == []
    assert api.get("/api/v1/kb/search", query_string={"q": "business plan"}).status_code == 200
    assert len(warmed) == 1 and len(filtered) == 1
