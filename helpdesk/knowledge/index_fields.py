"""What the search index stores: its fields, their analyzers and the schema version, and
how an article or ticket dict becomes field values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whoosh.fields import ID, KEYWORD, TEXT, Schema

from helpdesk.knowledge.analysis import ANALYZER, LOOSE, NGRAMS, WORDS, nfc
from helpdesk.knowledge.spelling import fold_word

# Bump when the schema or analyzer changes: is_healthy() then says False and the app rebuilds.
SCHEMA_VERSION = "2"  # 2: spelling folds, Indic stop words, loose fields
VERSION_FILE = "HELPDESK_SCHEMA_VERSION"
KINDS = frozenset({"article", "ticket"})

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    title=TEXT(analyzer=ANALYZER, stored=True, field_boost=2.0),
    body=TEXT(analyzer=ANALYZER, stored=True),
    language=ID(stored=True),
    category=ID(stored=True),
    status=ID(stored=True),
    block_id=ID(stored=True),
    tags=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
    # Typo tolerance, fed from articles only (curated spelling; tickets are full of typos).
    spelling=TEXT(analyzer=WORDS, phrase=False),  # unstemmed article words
    title_ngram=TEXT(analyzer=NGRAMS, phrase=False),  # 3-4 letter grams of article titles
    # Loose spellings (romanized Hindi, vowel length...): see spelling.skeleton.
    title_loose=TEXT(analyzer=LOOSE, phrase=False, field_boost=2.0),
    body_loose=TEXT(analyzer=LOOSE, phrase=False),
)


def prepare(doc: Mapping[str, Any]) -> dict:
    """Validate a document and return its Whoosh field values (NFC text); ValueError if bad."""
    doc_id, kind = nfc(doc.get("id")).strip(), nfc(doc.get("kind")).strip()
    if not doc_id or kind not in KINDS:
        raise ValueError(f"search document {doc_id!r}: needs an id and a kind in {sorted(KINDS)}")
    title, body = nfc(doc.get("title")), nfc(doc.get("body"))
    fields = {
        "id": doc_id,
        "kind": kind,
        "title": title,
        "body": body,
        "title_loose": title,
        "body_loose": body,
    }
    if kind == "article":
        fields.update(spelling=f"{title}\n{body}", title_ngram=title)
    for name in ("language", "category", "status", "block_id"):
        if doc.get(name) not in (None, ""):
            fields[name] = nfc(doc[name]).strip()
    tags = doc.get("tags") or []
    tags = [
        " ".join(fold_word(word) for word in nfc(tag).lower().split())
        for tag in (tags.split(",") if isinstance(tags, str) else tags)
    ]
    if any(tags):
        fields["tags"] = ",".join(tag.replace(",", " ") for tag in tags if tag)
    return fields
