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
