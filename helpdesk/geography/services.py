"""Adding blocks (BRCs) to the geography."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, District, State
from helpdesk.i18n import N_


def state_by_code(code: str) -> State | None:
    return db.session.scalar(sa.select(State).where(State.code == code))


def create_block(*, code: str, name: str, district: str, state: str, commit: bool = True) -> Block:
    """Add a block; its district is created on first use within the state. ``commit=False``
    only flushes, for a caller that writes more in the same transaction (the admin audit)."""
    state_row = state_by_code(state)
    if state_row is None:
        raise ValidationFailed(
            N_("Unknown state."), {"state": N_("not an ISO 3166-2 code of India")}
        )
    if db.session.scalar(sa.select(Block.id).where(Block.code == code)) is not None:
        raise Conflict(N_("A block with this code exists."), {"code": N_("already in use")})
    district_row = db.session.scalar(
        sa.select(District).where(District.state_id == state_row.id, District.name == district)
    )
    if district_row is None:
        district_row = District(state=state_row, name=district)
        db.session.add(district_row)
    block = Block(code=code, name=name, district=district_row)
    db.session.add(block)
    try:
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except IntegrityError as exc:  # the same code added at the same moment elsewhere
        db.session.rollback()
        raise Conflict(
            N_("A block with this code exists."), {"code": N_("already in use")}
        ) from exc
    return block


def list_blocks() -> list[Block]:
    return list(
        db.session.scalars(
            sa.select(Block)
            .join(District, Block.district_id == District.id)
            .join(State, District.state_id == State.id)
            # Pages list each block with its district and state: one query, not one per district.
            .options(contains_eager(Block.district).contains_eager(District.state))
            .order_by(State.code, District.name, Block.name)
        )
    )


def block_choices() -> list[sa.Row]:
    """Every block as (code, name, district, state) names, for pickers: plain rows, not
    ORM objects, since a page lists all of them (640 in the demo's 8 states)."""
    return list(
        db.session.execute(
            sa.select(
                Block.code, Block.name, District.name.label("district"), State.name.label("state")
            )
            .join(District, Block.district_id == District.id)
            .join(State, District.state_id == State.id)
            .order_by(State.code, District.name, Block.name)
        )
    )


def states_with_blocks() -> list[State]:
    """The states the call-centre serves: those with at least one block."""
    return list(
        db.session.scalars(
            sa.select(State)
            .where(State.id.in_(sa.select(District.state_id).join(Block).distinct()))
            .order_by(State.name)
        )
    )
