"""The app's side of search: one reader per process, filters by who is asking, and a
rebuild requested (once) when the index is missing or corrupt."""

import logging
import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app

from helpdesk import jobs
from helpdesk.agents import access
from helpdesk.agents.models import STAFF_ROLES, User
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.knowledge.search import SearchIndex

log = logging.getLogger(__name__)
#: seconds between two automatic rebuild requests from one process
REBUILD_BACKOFF = 60.0


def index() -> SearchIndex:
    """This process's index object; it reuses its searcher and refreshes it per search."""
    ext = current_app.extensions
    if "kb_index" not in ext:
        config = current_app.config
        ext["kb_index"] = SearchIndex(
            config["SEARCH_INDEX_DIR"],
            score_cache_mb=config.get("SEARCH_SCORE_CACHE_MB", 256),
            read_path=config.get("SEARCH_READ_PATH", "bulk"),
        )
        ext["kb_rebuild_requested_at"] = 0.0
    return ext["kb_index"]


#: the filters of most searches (``search`` and ``suggest`` below), found ahead of them
COMMON_FILTERS = (
    {"kind": "article", "status": "published"},  # suggestions; agents' and BRC staff's search
    {"kind": "article"},  # article editors' search
    {"kind": "ticket", "status": "resolved"},  # past solutions, call-centre staff
)


def warm_up_when_serving(app: Flask) -> None:
    """With ``SEARCH_WARM_UP_ON_START``, the process's first request (whatever it asks)
    opens the searcher, scores its frequent words and finds the common filters' documents
    on a thread of its own (``SearchIndex.warm_up``), so the first agent to search after a
    start does not wait for it. On a request, not at start-up: CLI commands and RQ workers
    load the same app and never search."""
    if not app.config.get("SEARCH_WARM_UP_ON_START"):
        return
    started = threading.Event()

    @app.before_request
    def warm_up_search_once() -> None:
        if started.is_set():
            return
        started.set()
        threading.Thread(target=_warm_up, args=(app,), name="search-warm-up", daemon=True).start()


def _warm_up(app: Flask) -> None:
    with app.app_context():
        began = time.perf_counter()
        if index().warm_up(COMMON_FILTERS):
            log.info("search: warmed up in %.2fs", time.perf_counter() - began)


def _ticket_blocks(viewer: User) -> list[str] | None:
    """Blocks whose solved tickets ``viewer`` may find; None means every block."""
    if viewer.role in STAFF_ROLES:
        return None
    if viewer.role == "brc":
        return [str(viewer.block_id)] if viewer.block_id else []
    return [
        str(block_id)
        for block_id in db.session.scalars(
            sa.select(Block.id)
            .join(District, Block.district_id == District.id)
            .join(State, District.state_id == State.id)
            .where(State.code.in_(viewer.states or []))
        )
    ]


def search(
    viewer: User, query: str, *, language=None, category=None, kind="article", limit: int = 10
) -> dict:
    kind = "ticket" if kind == "ticket" else "article"
    can_edit = viewer.role in access.ARTICLE_EDITOR_ROLES
    results = index().search(
        query[:500],
        language=language,
        category=category,
        kind=kind,
        status=None
        if (can_edit and kind == "article")
        else ("resolved" if kind == "ticket" else "published"),
        block_ids=_ticket_blocks(viewer) if kind == "ticket" else None,
        limit=limit,
    )
    if results.degraded:
        _request_rebuild()
    return {
        "items": [_item(hit) for hit in results.items],
        "total": results.total,
        "degraded": results.degraded,
    }


def suggest(viewer: User, text: str, *, language=None, limit: int = 5) -> dict:
    """Articles for a ticket being typed: its words, best matches first, published only."""
    results = index().search(
        text[:1000], language=language, kind="article", status="published", limit=limit
    )
    if results.degraded:
        _request_rebuild()
    return {
        "items": [_item(hit) for hit in results.items],
        "total": results.total,
        "degraded": results.degraded,
    }


def _item(hit: dict) -> dict:
    kind, _, number = hit["id"].partition("-")
    return {
        "id": int(number),
        "kind": kind,
        "title": hit["title"],
        "snippet": hit["snippet"],
        "score": round(hit["score"], 4),
        "language": hit["language"],
        "category": hit["category"],
    }


def _request_rebuild() -> None:
    """Ask the single index writer for a rebuild, at most once a minute per process."""
    ext = current_app.extensions
    now = time.monotonic()
    if now - ext.get("kb_rebuild_requested_at", 0.0) < REBUILD_BACKOFF:
        return
    ext["kb_rebuild_requested_at"] = now
    try:
        jobs.enqueue("kb.rebuild")
        db.session.commit()
        jobs.deliver_pending()
    except Exception:  # search must answer even if the rebuild cannot be queued now
        current_app.logger.exception("could not queue a search index rebuild")
        db.session.rollback()
        jobs.discard_pending()
