"""Reference rows every installation has: India's states and the ticket categories.

The initial migration inserts them, and the tests' fresh databases get the same rows.
"""

from helpdesk.geography.data import INDIAN_STATES
from helpdesk.tickets.categories import DEFAULT_CATEGORIES


def reference_rows() -> dict[str, list[dict]]:
    return {
        "states": [
            {"code": code, "name": name, "holiday_subdiv": subdiv}
            for code, name, subdiv in INDIAN_STATES
        ],
        "categories": [
            {"slug": slug, "name": name, "description": description, "domain": domain}
            for slug, name, description, domain in DEFAULT_CATEGORIES
        ],
    }


def build_schema_from_models(*, drop_first: bool = True) -> None:
    """Create every table from the models (dropping existing ones first) and insert the
    reference rows: a fresh throw-away database for the benchmarks, faster than running
    the migrations. Needs an app context."""
    from helpdesk.extensions import db

    if drop_first:
        db.drop_all()
    db.create_all()
    with db.engine.begin() as conn:
        for table, rows in reference_rows().items():
            conn.execute(db.metadata.tables[table].insert(), rows)
