"""Knowledge-base and past-solution search: the one door the rest of the app uses.

Nothing outside ``helpdesk/knowledge`` imports Whoosh.  The work is split by concept:
``analysis`` (text to terms), ``index_fields`` (what a document stores), ``ranking`` (query
to ranked hits), ``scoring`` (BM25F of whole postings lists, and their cache), ``snippets``
(highlighted windows of a hit's body), ``index`` (the on-disk index's lifecycle),
``bulk_writer`` (a rebuild's fast writer), and ``whoosh_ranking`` (Whoosh's own search
loop, kept for comparison).
"""

from helpdesk.knowledge.analysis import ANALYZER, analyze
from helpdesk.knowledge.bulk_writer import index_contents
from helpdesk.knowledge.index import (
    SearchIndex,
    SearchIndexError,
    SearchIndexLocked,
    SearchResults,
)
from helpdesk.knowledge.index_fields import SCHEMA_VERSION

__all__ = [
    "ANALYZER",
    "SCHEMA_VERSION",
    "SearchIndex",
    "SearchIndexError",
    "SearchIndexLocked",
    "SearchResults",
    "analyze",
    "index_contents",
]
