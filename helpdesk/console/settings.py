"""The console's switches (auto-assignment on or off): read by anyone's request, written by
admins only."""

import sqlalchemy as sa

from helpdesk import reference_cache
from helpdesk.agents.models import User
from helpdesk.console.models import ConsoleSettings
from helpdesk.errors import Forbidden
from helpdesk.extensions import db
from helpdesk.i18n import N_
from helpdesk.timeutil import utcnow

SETTINGS_ID = 1
reference_cache.watch(ConsoleSettings)


def console_settings() -> ConsoleSettings:
    """The saved settings, or the defaults (not added to the session) if none were saved."""
    row = db.session.get(ConsoleSettings, SETTINGS_ID)
    return row if row is not None else ConsoleSettings(id=SETTINGS_ID, auto_assign=False)


def auto_assign_enabled() -> bool:
    return reference_cache.cached("auto-assign", None, _auto_assign_saved)


def _auto_assign_saved() -> bool:
    return bool(
        db.session.scalar(
            sa.select(ConsoleSettings.auto_assign).where(ConsoleSettings.id == SETTINGS_ID)
        )
    )


def update_settings(actor: User, *, auto_assign: bool) -> ConsoleSettings:
    """Switch auto-assignment on or off; only an admin may. Commits."""
    if actor.role != "admin":
        raise Forbidden(N_("Only an administrator changes the console settings."))
    try:
        row = db.session.get(ConsoleSettings, SETTINGS_ID)
        if row is None:
            row = ConsoleSettings(id=SETTINGS_ID)
            db.session.add(row)
        row.auto_assign = auto_assign
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row
