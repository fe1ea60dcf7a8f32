"""The SLA engine's tables: calendars (working hours and holidays) and policies (targets).

A ticket names its policy (``Ticket.sla_policy``) and stores its due dates itself.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.tickets.models import Category


class SlaCalendar(db.Model):
    """Working hours an SLA clock runs in; ``default`` is the contract's calendar."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    tz: Mapped[str] = mapped_column(sa.String(60), default="Asia/Kolkata")
    #: weekday ("0" = Monday) → [["09:00", "13:00"], ["14:00", "18:00"]]
    hours: Mapped[dict] = mapped_column(sa.JSON)
    #: close on India's national holidays as the ``holidays`` package lists them
    india_holidays: Mapped[bool] = mapped_column(default=True)
    #: also close on the holidays of the ticket's state (its ``holiday_subdiv``)
    state_holidays: Mapped[bool] = mapped_column(default=False)

    holidays: Mapped[list["SlaHoliday"]] = relationship(
        back_populates="calendar", order_by="SlaHoliday.day", cascade="all, delete-orphan"
    )


class SlaHoliday(db.Model):
    """A business-hours exception an admin set on one date: closed (``hours`` None), or
    open at special hours that replace the weekday's (and any public holiday's)."""

    __tablename__ = "sla_holidays"
    __table_args__ = (
        sa.UniqueConstraint("calendar_id", "day", name="uq_sla_holidays_calendar_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("sla_calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    #: None: closed all day; else the day's slots, [["10:00", "14:00"]]
    hours: Mapped[list | None] = mapped_column(sa.JSON)

    calendar: Mapped[SlaCalendar] = relationship(back_populates="holidays")


class SlaPolicy(db.Model):
    """Targets in business minutes for tickets of one priority, optionally narrowed to a
    category and/or a state; the most specific policy that matches a ticket applies."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        sa.UniqueConstraint(
            "priority", "category_id", "state_code", name="uq_sla_policies_priority_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    priority: Mapped[str] = mapped_column(sa.String(16))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    #: ISO 3166-2 code of the state the policy is for, e.g. ``IN-KL``
    state_code: Mapped[str | None] = mapped_column(sa.String(6))
    first_response_minutes: Mapped[int]
    next_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    #: from escalation to the mentor's first public reply
    mentor_response_minutes: Mapped[int]
    #: name of the SlaCalendar the clocks run in
    calendar: Mapped[str] = mapped_column(sa.String(60), default="default")
    raise_priority_on_breach: Mapped[bool] = mapped_column(default=False)
    escalate_on_breach: Mapped[bool] = mapped_column(default=False)

    category: Mapped[Category | None] = relationship()
