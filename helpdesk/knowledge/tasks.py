"""Index jobs. They run on the "search" queue, which has exactly one worker, so only one
process ever writes the Whoosh index; in-process they are serialized by a lock."""

import threading

from helpdesk import jobs
from helpdesk.extensions import db
from helpdesk.knowledge import indexing, searching
from helpdesk.knowledge.models import Article
from helpdesk.tickets.models import Ticket

_writer_lock = threading.Lock()


@jobs.task("kb.index_article", queue="search")
def index_article(article_id: int) -> None:
    article = db.session.get(Article, article_id)
    with _writer_lock:
        if article is None:
            searching.index().delete([indexing.article_doc_id(article_id)])
        else:
            searching.index().upsert([indexing.article_document(article)])


@jobs.task("kb.index_ticket", queue="search")
def index_ticket(ticket_id: int) -> None:
    """A solved ticket's answer becomes findable; a reopened one disappears until solved."""
    ticket = db.session.get(Ticket, ticket_id)
    with _writer_lock:
        if ticket is None or ticket.status not in indexing.SOLVED_STATUSES:
            searching.index().delete([indexing.ticket_doc_id(ticket_id)])
        else:
            searching.index().upsert([indexing.ticket_document(ticket)])


@jobs.task("kb.rebuild", queue="search")
def rebuild(progress=None) -> dict:
    with _writer_lock:
        return searching.index().rebuild(indexing.all_documents(), progress=progress)
