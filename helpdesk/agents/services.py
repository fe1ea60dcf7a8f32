"""Users, sign-in and API tokens."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from helpdesk.agents.models import ROLES, STAFF_ROLES, ApiToken, User, UserSession
from helpdesk.agents.passwords import check_without_account, password_problem
from helpdesk.agents.sessions import due_for_touch, schedule_touch
from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, State
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import Category
from helpdesk.timeutil import utcnow


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    block: str | None = None,
    languages: list[str] | None = None,
    skills: list[str] | None = None,
    states: list[str] | None = None,
    phone: str | None = None,
) -> User:
    """Create a user after checking every field; raises ValidationFailed naming the bad ones."""
    errors: dict[str, str] = {}
    email = (email or "").strip()
    if "@" not in email or len(email) > 254:
        errors["email"] = "not an e-mail address"
    elif user_by_email(email):
        errors["email"] = "already in use"
    if not (name or "").strip():
        errors["name"] = "required"
    if role not in ROLES:
        errors["role"] = "must be one of " + ", ".join(ROLES)
    if problem := password_problem(password, email=email):
        errors["password"] = problem
    block_row = None
    if block:
        block_row = db.session.scalar(sa.select(Block).where(Block.code == block))
        if block_row is None:
            errors["block"] = "unknown block"
    elif role == "brc":
        errors["block"] = "BRC staff need a block"
    languages = languages or []
    if bad := [code for code in languages if code not in LANGUAGES]:
        errors["languages"] = "unknown: " + ", ".join(bad)
    skills = skills or []
    known_skills = set(
        db.session.scalars(sa.select(Category.slug).where(Category.slug.in_(skills)))
    )
    if bad := [s for s in skills if s not in known_skills]:
        errors["skills"] = "unknown categories: " + ", ".join(bad)
    states = states or []
    known_states = set(db.session.scalars(sa.select(State.code).where(State.code.in_(states))))
    if bad := [s for s in states if s not in known_states]:
        errors["states"] = "unknown states: " + ", ".join(bad)
    if phone:
        try:
            phone = normalize_phone(phone)
        except InvalidPhone:
            errors["phone"] = "not a valid phone number"
    if errors:
        raise ValidationFailed("The user has invalid fields.", errors)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        block=block_row,
        phone=phone or None,
        languages=languages,
        skills=skills,
        states=states,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None. Costs one password check
    whatever the outcome, so its timing does not tell which e-mails have accounts."""
    user = user_by_email(email or "")
    if user is None:
        check_without_account(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def create_api_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token for ``user``, valid API_TOKEN_DAYS; the plain token is returned
    once and never stored."""
    token = secrets.token_urlsafe(32)
    days = current_app.config.get("API_TOKEN_DAYS", 30)
    row = ApiToken(
        user=user, token_hash=ApiToken.hash(token), expires_at=utcnow() + timedelta(days=days)
    )
    db.session.add(row)
    db.session.commit()
    return token, row


def issue_token(user: User) -> str:
    return create_api_token(user)[0]


def token_for(token: str) -> ApiToken | None:
    """The live (unexpired, unrevoked) token row of an active user, its user loaded in the
    same query; notes its use at most once a minute."""
    found = db.session.execute(
        sa.select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == ApiToken.hash(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
        )
    ).first()
    if found is None or not found.User.active:
        return None
    row = found.ApiToken
    if due_for_touch(row.last_used_at):
        schedule_touch(ApiToken, row.id, "last_used_at")
    return row


def user_for_token(token: str) -> User | None:
    row = token_for(token)
    return row.user if row is not None else None


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    db.session.commit()


def revoke_sessions(
    user_id: int, *, keep_session_id: int | None = None, tokens: bool = True, commit: bool = True
) -> int:
    """End every signed-in session of a user (all browsers; with ``tokens`` also every API
    token) at once: their cookies and tokens get 401 / the sign-in page from the next
    request. ``keep_session_id`` spares one session (the browser changing its own
    password). Returns how many sessions and tokens were revoked."""
    now = utcnow()
    sessions = sa.update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep_session_id is not None:
        sessions = sessions.where(UserSession.id != keep_session_id)
    revoked = db.session.execute(sessions.values(revoked_at=now)).rowcount
    if tokens:
        revoked += db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
    if commit:
        db.session.commit()
    return revoked


def assignable_users() -> list[User]:
    """Active users a ticket may be assigned to (the service accepts only these)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_(STAFF_ROLES))
            .order_by(User.name)
        )
    )
