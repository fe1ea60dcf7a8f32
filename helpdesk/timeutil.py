"""Time helpers: everything is stored in UTC and shown in Asia/Kolkata."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

IST = ZoneInfo("Asia/Kolkata")


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def as_ist(value: datetime | None) -> datetime | None:
    return value.astimezone(IST) if value else None


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that goes in aware and comes out aware UTC on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
