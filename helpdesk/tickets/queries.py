"""Reading tickets: filtered, paginated, and always limited to what the reader may see."""

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from helpdesk.agents.access import ticket_visibility
from helpdesk.agents.models import User
from helpdesk.contacts.models import Contact
from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_
from helpdesk.tickets.models import OPEN_STATUSES, PRIORITIES, STATUSES, Category, Ticket
from helpdesk.validation import as_id, parse_int

MAX_PER_PAGE = 200
#: far past any list's end, yet small enough that (page - 1) × per_page fits every database
MAX_PAGE = 1_000_000


@dataclass
class TicketFilters:
    status: str | None = None  # one status, a comma list, or "open" for every open status
    block: str | None = None
    state: str | None = None
    category: str | None = None
    priority: str | None = None
    assignee: str | None = None  # a user id, "me" or "none"
    q: str | None = None
    triage: str | None = None  # "1"/"true": only tickets without a block, awaiting triage


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int


def parse_paging(page: str | None, per_page: str | None, default: int = 50) -> tuple[int, int]:
    """``page`` (1 to MAX_PAGE) and ``per_page`` (1 to MAX_PER_PAGE) in ASCII digits;
    ValidationFailed naming each bad one."""
    errors = {}
    try:
        page_no = parse_int(page, "page", default=1, minimum=1, maximum=MAX_PAGE)
    except ValidationFailed as exc:
        errors |= exc.fields
    try:
        size = parse_int(per_page, "per_page", default=default, minimum=1, maximum=MAX_PER_PAGE)
    except ValidationFailed as exc:
        errors |= exc.fields
    if errors:
        raise ValidationFailed(N_("Invalid paging."), errors)
    return page_no, size


def _statuses(value: str) -> list[str]:
    if value == "open":
        return list(OPEN_STATUSES)
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown or not wanted:
        raise ValidationFailed(
            N_("Unknown status."), {"status": "must be one of " + ", ".join(STATUSES)}
        )
    return wanted


def filtered_tickets(viewer: User, filters: TicketFilters) -> sa.Select:
    """A SELECT of the tickets ``viewer`` may see that match ``filters``."""
    query = sa.select(Ticket).where(ticket_visibility(viewer))
    if filters.status:
        query = query.where(Ticket.status.in_(_statuses(filters.status)))
    if filters.priority:
        if filters.priority not in PRIORITIES:
            raise ValidationFailed(
                N_("Unknown priority."), {"priority": "must be one of " + ", ".join(PRIORITIES)}
            )
        query = query.where(Ticket.priority == filters.priority)
    if filters.block:
        query = query.where(
            Ticket.block_id.in_(sa.select(Block.id).where(Block.code == filters.block))
        )
    if filters.state:
        query = query.where(
            Ticket.block_id.in_(
                sa.select(Block.id)
                .join(District, Block.district_id == District.id)
                .join(State, District.state_id == State.id)
                .where(State.code == filters.state)
            )
        )
    if filters.category:
        query = query.where(
            Ticket.category_id.in_(sa.select(Category.id).where(Category.slug == filters.category))
        )
    if filters.assignee:
        query = query.where(_assignee_clause(viewer, filters.assignee))
    if wants_triage(filters.triage):
        query = query.where(Ticket.block_id.is_(None))
    if filters.q:
        query = query.where(_text_clause(filters.q))
    return query


def wants_triage(value: str | None) -> bool:
    if value in (None, "", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValidationFailed(N_("Invalid triage filter."), {"triage": N_("must be 1 or 0")})


def _assignee_clause(viewer: User, value: str) -> sa.ColumnElement[bool]:
    if value == "me":
        return Ticket.assignee_id == viewer.id
    if value == "none":
        return Ticket.assignee_id.is_(None)
    user_id = as_id(value)
    if user_id is None:
        raise ValidationFailed(
            N_("Invalid assignee."), {"assignee": N_("a user id, 'me' or 'none'")}
        )
    return Ticket.assignee_id == user_id


def _text_clause(q: str) -> sa.ColumnElement[bool]:
    """A ticket number; else words in the subject or description, the requester's name or
    phone (any written form, matched exactly as E.164), or the block's name."""
    q = q.strip()[:200]
    ticket_id = Ticket.id_from_number(q)
    if ticket_id is not None:
        return Ticket.id == ticket_id
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    clauses = [
        Ticket.subject.ilike(pattern, escape="\\"),
        Ticket.description.ilike(pattern, escape="\\"),
    ]
    try:
        phone = normalize_phone(q)
    except InvalidPhone:
        phone = None
    # Contacts and blocks are searched in their own tables: the scan of tickets then tests
    # ids against those small sets (hashed subplans on PostgreSQL) instead of joining.
    if phone:  # a phone number is nobody's name: one lookup in the unique phone index
        clauses.append(Ticket.requester_id.in_(sa.select(Contact.id).where(Contact.phone == phone)))
    else:
        clauses += [
            Ticket.requester_id.in_(
                sa.select(Contact.id).where(Contact.name.ilike(pattern, escape="\\"))
            ),
            Ticket.block_id.in_(sa.select(Block.id).where(Block.name.ilike(pattern, escape="\\"))),
        ]
    return sa.or_(*clauses)


def list_tickets(viewer: User, filters: TicketFilters, page: int, per_page: int) -> Page:
    query = filtered_tickets(viewer, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(
            joinedload(Ticket.block).joinedload(Block.district).joinedload(District.state),
            joinedload(Ticket.category),
            # The answer names the requester's block too: one query for all of them.
            joinedload(Ticket.requester).selectinload(Contact.block),
            selectinload(Ticket.assignee),
            selectinload(Ticket.mentor),
        )
        .order_by(Ticket.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=rows, page=page, per_page=per_page, total=total or 0)


#: Status tabs count up to this many tickets each; beyond it they show "10,000+". Counting
#: every solved ticket of a big helpdesk would cost more than the rest of the page.
STATUS_COUNT_CAP = 10_000


def status_counts(viewer: User, filters: TicketFilters) -> dict[str, int]:
    """Tickets per status among those matching every filter except the status itself; a
    count above STATUS_COUNT_CAP means "more than the cap" (each status stops counting at
    cap + 1, reading at most that many index entries)."""
    base = filtered_tickets(viewer, replace(filters, status=None))
    parts = [
        sa.select(sa.literal(status).label("status"), sa.func.count().label("n")).select_from(
            base.where(Ticket.status == status)
            .with_only_columns(Ticket.id)
            .limit(STATUS_COUNT_CAP + 1)
            .subquery()
        )
        for status in STATUSES
    ]
    rows = [(status, n) for status, n in db.session.execute(sa.union_all(*parts)) if n]
    counts = {status: 0 for status in STATUSES} | {status: n for status, n in rows}
    counts["all"] = sum(n for _, n in rows)
    counts["open"] = sum(counts[s] for s in OPEN_STATUSES)
    return counts


def triage_count(viewer: User) -> int:
    """Open tickets without a block that ``viewer`` may see (staff: all of them; others none)."""
    query = filtered_tickets(viewer, TicketFilters(status="open", triage="1"))
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(query.with_only_columns(Ticket.id).subquery())
    )


def open_tickets_of_contacts(
    viewer: User | None, contact_ids: list[int], limit: int = 20, *, user_ids: list[int] = ()
) -> list[Ticket]:
    """The open tickets these callers raised (as requester, or as the BRC staff in
    ``user_ids`` who opened them) that ``viewer`` may see, newest first. ``viewer=None``
    reads as the call-centre staff do: every ticket."""
    if not contact_ids and not user_ids:
        return []
    raised = sa.or_(Ticket.requester_id.in_(contact_ids), Ticket.created_by_id.in_(user_ids))
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(
                ticket_visibility(viewer) if viewer is not None else sa.true(),
                raised,
                Ticket.status.in_(OPEN_STATUSES),
            )
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
    )


def list_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.name)))


def escalated_to(mentor: User, page: int, per_page: int) -> Page:
    """A mentor's "escalated to me" list: open tickets first, the soonest mentor answer due
    first among them; then the rest, most recently changed first."""
    query = sa.select(Ticket).where(Ticket.mentor_id == mentor.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    is_closed = sa.case((Ticket.status.in_(OPEN_STATUSES), 0), else_=1)
    no_due = sa.case((Ticket.mentor_response_due.is_(None), 1), else_=0)
    rows = db.session.scalars(
        query.options(
            joinedload(Ticket.block).joinedload(Block.district).joinedload(District.state),
            joinedload(Ticket.category),
            selectinload(Ticket.assignee),
        )
        .order_by(
            is_closed,
            no_due,
            Ticket.mentor_response_due,
            Ticket.updated_at.desc(),
            Ticket.id.desc(),
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=rows, page=page, per_page=per_page, total=total or 0)
