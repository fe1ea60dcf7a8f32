"""Fault: the search index is deleted or truncated under a running app. Search, suggestions
and the knowledge-base pages still answer (empty, flagged degraded), never a 500; the
rebuild the app asks for, or `flask kb reindex`, brings every document back."""

import os
import shutil
from pathlib import Path

import pytest

PLAN = {
    "title": "How an MEC prepares a business plan for a bank loan",
    "body": "The MEC visits the enterprise and writes the business plan the bank asks for.",
    "language": "en",
    "category": "business-plan",
    "tags": ["bank loan"],
    "status": "published",
}
NUTRIMIX = {
    "title": "Nutrimix unit licence renewal",
    "body": "Renew the FSSAI licence of a nutrimix unit every year at the district office.",
    "language": "en",
    "category": "business-plan",
    "status": "published",
}


def delete_index(path: Path) -> None:
    shutil.rmtree(os.path.realpath(path))


def delete_index_and_its_folder(path: Path) -> None:
    shutil.rmtree(path.parent)


def truncate_every_file(path: Path) -> None:
    for name in os.listdir(os.path.realpath(path)):
        os.truncate(os.path.join(os.path.realpath(path), name), 0)


def truncate_segments(path: Path) -> None:
    for name in os.listdir(os.path.realpath(path)):
        if name.endswith(".seg"):
            os.truncate(os.path.join(os.path.realpath(path), name), 10)


DAMAGE = [delete_index, delete_index_and_its_folder, truncate_every_file, truncate_segments]


@pytest.fixture
def mentor(make_user):
    return make_user("mentor", states=["IN-JH"])


def found(api, query: str) -> list[int]:
    res = api.get("/api/v1/kb/search", query_string={"q": query})
    assert res.status_code == 200 and res.json["degraded"] is False, res.json
    return [item["id"] for item in res.json["items"]]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_search_answers_degraded_while_the_index_is_damaged_then_heals(
    app, client, api_as, mentor, make_ticket, login_as, run_jobs, damage
):
    api = api_as(mentor)
    plan = api.post("/api/v1/kb/articles", json=PLAN).json
    run_jobs()
    assert found(api, "business plan") == [plan["id"]]  # the app's searcher is open now
    ticket = make_ticket(subject="Business plan for the bank", description="Loan needs a plan")

    damage(Path(app.config["SEARCH_INDEX_DIR"]))

    res = api.get("/api/v1/kb/search", query_string={"q": "business plan"})
    assert res.status_code == 200
    assert res.json["degraded"] is True and res.json["items"] == []
    for path, params in [
        ("/api/v1/kb/search", {"q": "plan", "kind": "ticket"}),
        ("/api/v1/kb/suggest", {"text": "bank wants a business plan"}),
    ]:
        res = api.get(path, query_string=params)
        assert res.status_code == 200 and set(res.json) >= {"items", "degraded"}, res.json
    # Writing an article while the index is damaged works; indexing it waits for the rebuild.
    nutrimix = api.post("/api/v1/kb/articles", json=NUTRIMIX)
    assert nutrimix.status_code == 201
    login_as(mentor)
    for page in [
        "/kb",
        "/kb/search?q=business+plan",
        "/kb/search?q=business+plan&kind=ticket",
        f"/kb/{plan['id']}",
        f"/tickets/{ticket.id}",
    ]:
        assert client.get(page).status_code == 200, page

    run_jobs()  # the rebuild the degraded searches asked for
    assert found(api, "business plan") == [plan["id"]]
    assert found(api, "nutrimix licence") == [nutrimix.json["id"]]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_an_article_written_after_the_index_was_damaged_does_not_hide_the_others(
    app, api_as, mentor, run_jobs, damage
):
    """No search came between the damage and the write: the write itself must not start a
    new index holding only its own article."""
    api = api_as(mentor)
    plan = api.post("/api/v1/kb/articles", json=PLAN).json
    run_jobs()
    damage(Path(app.config["SEARCH_INDEX_DIR"]))

    nutrimix = api.post("/api/v1/kb/articles", json=NUTRIMIX).json
    run_jobs()
    assert found(api, "nutrimix licence") == [nutrimix["id"]]
    assert found(api, "business plan") == [plan["id"]]


def test_kb_reindex_restores_a_truncated_index_under_the_running_app(
    app, runner, api_as, mentor, run_jobs
):
    api = api_as(mentor)
    plan = api.post("/api/v1/kb/articles", json=PLAN).json
    run_jobs()
    assert found(api, "business plan") == [plan["id"]]
    truncate_every_file(Path(app.config["SEARCH_INDEX_DIR"]))
    app.extensions["kb_rebuild_requested_at"] = float("inf")  # only the command may rebuild

    assert api.get("/api/v1/kb/search?q=business plan").json["degraded"] is True
    result = runner.invoke(args=["kb", "reindex"])
    assert result.exit_code == 0, result.output
    assert found(api, "business plan") == [plan["id"]]
