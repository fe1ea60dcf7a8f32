import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.extensions import db
from helpdesk.geography.models import Block
from helpdesk.timeutil import UTCDateTime, utcnow

ROLES = ("agent", "mentor", "brc", "manager", "admin")
#: languages the interface itself is offered in (a person's choice, ``User.ui_language``)
UI_LANGUAGES = ("en", "hi")
#: roles that see every ticket and work the queue
STAFF_ROLES = ("agent", "manager", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    #: BCP 47 tags of the languages this person can answer in
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: category slugs a mentor is expert in
    skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: ISO 3166-2 codes of the states a mentor or manager covers
    states: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: the BRC a ``brc`` user works for; required for that role
    block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("blocks.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: the interface language this person chose (``UI_LANGUAGES``); null: not chosen, so
    #: the page follows ``?lang=`` or the browser
    ui_language: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    block: Mapped[Block | None] = relationship()

    @property
    def is_active(self) -> bool:
        # Flask-Login checks this only in login_user; the user_loader (helpdesk/__init__.py)
        # and the token lookup refuse inactive users on every request.
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def to_summary(self) -> dict:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role}

    def to_dict(self) -> dict:
        return self.to_summary() | {
            "phone": self.phone,
            "languages": self.languages or [],
            "skills": self.skills or [],
            "states": self.states or [],
            "block": self.block.code if self.block else None,
            "active": self.active,
            "ui_language": self.ui_language,
        }


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak leaks no tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: refreshed at most once a minute (see agents/sessions.py), never on every request
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: after this the token is refused (API_TOKEN_DAYS after issue)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: set by DELETE /api/v1/auth/tokens/current or when all of a user's sessions end
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class UserSession(db.Model):
    """One signed-in browser. The signed session cookie carries a random id whose SHA-256
    is stored here, so signing out (or an admin) can end the session on the server: a copy
    of the cookie is worthless once ``revoked_at`` is set."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: refreshed at most once a minute, like ApiToken.last_used_at
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @staticmethod
    def hash(session_id: str) -> str:
        return hashlib.sha256(session_id.encode()).hexdigest()
