"""Writing and reading the admin audit (``AdminAuditEntry``)."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from helpdesk.administration.models import AdminAuditEntry
from helpdesk.agents.models import User
from helpdesk.extensions import db
from helpdesk.timeutil import utcnow


def record(
    actor: User | None, subject: str, key: str, action: str, old=None, new=None
) -> AdminAuditEntry:
    """Add one entry in the caller's transaction (it commits with the change it records)."""
    entry = AdminAuditEntry(
        actor=actor,
        at=utcnow(),
        subject=subject,
        subject_key=str(key)[:120],
        action=action,
        old_value=None if old is None else str(old)[:500],
        new_value=None if new is None else str(new)[:500],
    )
    db.session.add(entry)
    return entry


def entries(page: int, per_page: int, subject: str | None = None) -> tuple[list, int]:
    """(entries newest first, total), optionally of one subject."""
    query = sa.select(AdminAuditEntry)
    if subject:
        query = query.where(AdminAuditEntry.subject == subject)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(selectinload(AdminAuditEntry.actor))
        .order_by(AdminAuditEntry.at.desc(), AdminAuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total or 0
