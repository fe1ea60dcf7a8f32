"""Users, sign-in and API tokens."""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from helpdesk.agents.models import ROLES, STAFF_ROLES, ApiToken, User
from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, State
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import Category


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
    if len(password or "") < 8:
        errors["password"] = "at least 8 characters"
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
    user = user_by_email(email or "")
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user


def issue_token(user: User) -> str:
    """A new bearer token for ``user``; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token)))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == ApiToken.hash(token))
        .options(joinedload(ApiToken.user))  # one query per request, not two
    )
    if row is None or not row.user.active:
        return None
    return row.user


def assignable_users() -> list[User]:
    """Active users a ticket may be assigned to (the service accepts only these)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_(STAFF_ROLES))
            .order_by(User.name)
        )
    )
