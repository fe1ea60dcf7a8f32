"""Index jobs. They run on the "search" queue, which has exactly one worker, so only one
process ever writes the Whoosh index; in-process they are serialized by a lock."""

import threading
from collections.abc import Callable

from flask import current_app

from helpdesk import jobs
from helpdesk.extensions import db
from helpdesk.knowledge import indexing, searching
from helpdesk.knowledge.models import Article
from helpdesk.knowledge.search import SearchIndex
from helpdesk.tickets.models import Ticket

_writer_lock = threading.Lock()


@jobs.task("kb.index_article", queue="search")
def index_article(article_id: int) -> None:
    article = db.session.get(Article, article_id)
    if article is None:
        _write(lambda index: index.delete([indexing.article_doc_id(article_id)]))
    else:
        _write(lambda index: index.upsert([indexing.article_document(article)]))


@jobs.task("kb.index_ticket", queue="search")
def index_ticket(ticket_id: int) -> None:
    """A solved ticket's answer becomes findable; a reopened one disappears until solved."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.status not in indexing.SOLVED_STATUSES:
        _write(lambda index: index.delete([indexing.ticket_doc_id(ticket_id)]))
    else:
        _write(lambda index: index.upsert([indexing.ticket_document(ticket)]))


@jobs.task("kb.rebuild", queue="search")
def rebuild(progress=None, writing=None) -> dict:
    with _writer_lock:
        return searching.index().rebuild(
            indexing.all_documents(), progress=progress, writing=writing
        )


def _write(change: Callable[[SearchIndex], object]) -> None:
    """Apply one document's change, or rebuild everything if the index is missing or damaged:
    writing into a missing one would start an index of this one document (every other
    article unfindable, and no search degraded to ask for a rebuild); into a damaged one it
    would fail. The rebuild reads the database, so it includes this change."""
    with _writer_lock:
        index = searching.index()
        if index.is_healthy():
            change(index)
            return
        # In a session of its own: the rebuild streams the corpus, detaching what it read.
        with current_app.app_context():
            index.rebuild(indexing.all_documents())
