import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db


class State(db.Model):
    __tablename__ = "states"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ISO 3166-2 code, e.g. ``IN-JH``
    code: Mapped[str] = mapped_column(sa.String(6), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    #: subdivision code the ``holidays`` package uses for the state's own holidays
    holiday_subdiv: Mapped[str | None] = mapped_column(sa.String(8))

    districts: Mapped[list["District"]] = relationship(back_populates="state")


class District(db.Model):
    __tablename__ = "districts"
    __table_args__ = (sa.UniqueConstraint("state_id", "name", name="uq_districts_state_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(sa.ForeignKey("states.id"))
    name: Mapped[str] = mapped_column(sa.String(80))

    state: Mapped[State] = relationship(back_populates="districts")
    blocks: Mapped[list["Block"]] = relationship(back_populates="district")


class Block(db.Model):
    """A block and its Block Resource Centre (BRC) for enterprise promotion."""

    __tablename__ = "blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique code callers and the MIS use, e.g. ``JH-WSB-KHUNTPANI``
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)

    district: Mapped[District] = relationship(back_populates="blocks")

    @property
    def state(self) -> State:
        return self.district.state

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "district": self.district.name,
            "state": self.district.state.code,
        }
