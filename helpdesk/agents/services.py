"""Users, sign-in and API tokens: the rules every entry point (API, admin pages, the
``users`` CLI) goes through, and the one place a user is cut off (``deactivate_user``)."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk import reference_cache
from helpdesk.agents.models import ROLES, STAFF_ROLES, UI_LANGUAGES, ApiToken, User, UserSession
from helpdesk.agents.passwords import check_without_account, password_problem
from helpdesk.agents.sessions import current_session_id, due_for_touch, schedule_touch
from helpdesk.agents.signals import user_access_changed, user_deactivated
from helpdesk.contacts.phones import InvalidPhone, normalize_phone
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.geography.models import Block, State
from helpdesk.i18n import N_
from helpdesk.languages import LANGUAGES
from helpdesk.tickets.models import Category
from helpdesk.timeutil import utcnow

#: bearer tokens are kept with their users in the reference cache (``token_for``)
reference_cache.watch(User, ApiToken, inserts=False)


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
    active: bool = True,
) -> User:
    """Create a user after checking every field: ValidationFailed (422) naming the bad
    ones, or Conflict (409) when only the e-mail address is already someone's."""
    values = _checked_fields(
        {
            "email": email,
            "name": name,
            "role": role,
            "password": password,
            "block": block,
            "languages": languages or [],
            "skills": skills or [],
            "states": states or [],
            "phone": phone,
            "active": active,
        },
        user=None,
        actor=None,
    )
    user = User(active=values.pop("active"))
    user.set_password(values.pop("password"))
    for name_, value in values.items():
        setattr(user, name_, value)
    db.session.add(user)
    _commit_user_change()
    return user


def list_users(
    *, role: str | None = None, active: bool | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[User], int]:
    """One page of users by name, and how many match in all."""
    query = sa.select(User)
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    users = db.session.scalars(
        query.options(joinedload(User.block))
        .order_by(sa.func.lower(User.name), User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(users), total or 0


def update_user(user: User, changes: dict, *, actor: User | None = None) -> User:
    """An admin changes any of ``USER_FIELDS`` of ``user`` (only the keys given). Everything
    is checked before anything is written. ``"active": False`` cuts the user off
    (``deactivate_user``); a new password ends their API tokens; a changed role, block or
    states moves their open console into the rooms they may now hear."""
    values = _checked_fields(changes, user=user, actor=actor)
    previous = (user.role, user.block_id, list(user.states or []))
    password = values.pop("password", None)
    active = values.pop("active", None)
    for name, value in values.items():
        setattr(user, name, value)
    if password is not None:
        user.set_password(password)
        # A reset password usually follows a lost or leaked one: its sessions and tokens go too.
        revoke_sessions(user.id, commit=False)
    if active is False and user.active:
        return deactivate_user(user, actor=actor)
    if active is True:
        user.active = True
    _commit_user_change()
    if user.active and (user.role, user.block_id, list(user.states or [])) != previous:
        _announce(
            user_access_changed,
            user,
            previous_role=previous[0],
            previous_block_id=previous[1],
            previous_states=previous[2],
        )
    return user


def deactivate_user(user: User, *, actor: User | None = None) -> User:
    """Cut ``user`` off at once: marked inactive and their API tokens deleted in one
    commit, so their next request with a token or a session cookie gets 401 (the
    user_loader refuses inactive users); then ``user_deactivated`` closes their open
    console sockets in whichever app process holds them. Safe to call twice."""
    if actor is not None and actor.id == user.id:
        db.session.rollback()
        raise ValidationFailed(
            N_("You cannot deactivate your own account."),
            {"active": N_("you cannot deactivate yourself")},
        )
    user.active = False
    revoke_sessions(user.id, commit=False)
    _commit_user_change()
    _announce(user_deactivated, user)
    return user


def update_profile(user: User, changes: dict) -> User:
    """A person changes their own ``PROFILE_FIELDS``; a new password needs the current one
    (``current_password``)."""
    changes = dict(changes)
    current_password = changes.pop("current_password", None)
    if unknown := set(changes) - set(PROFILE_FIELDS):
        raise ValidationFailed(
            N_("These fields are not yours to change."),
            dict.fromkeys(sorted(unknown), N_("not allowed")),
        )
    errors: dict[str, str] = {}
    if "password" in changes:
        if not current_password:
            errors["current_password"] = N_("required to set a new password")
        elif not isinstance(current_password, str) or not user.check_password(current_password):
            errors["current_password"] = N_("does not match your current password")
    try:
        values = _checked_fields(changes, user=user, actor=user)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, errors | exc.fields) from exc
    if errors:
        raise ValidationFailed(N_("Some fields are invalid."), errors)
    if (password := values.pop("password", None)) is not None:
        user.set_password(password)
        # Every other browser and token of this person ends; the one in use stays signed in.
        revoke_sessions(user.id, keep_session_id=current_session_id(), commit=False)
    for name, value in values.items():
        setattr(user, name, value)
    _commit_user_change()
    return user


#: what an admin may set on a user (``password`` included; ``active`` cuts them off)
USER_FIELDS = (
    "email",
    "name",
    "role",
    "password",
    "block",
    "languages",
    "skills",
    "states",
    "phone",
    "active",
)
#: what a person may change about themselves
PROFILE_FIELDS = ("name", "phone", "password", "ui_language")


def _checked_fields(changes: dict, *, user: User | None, actor: User | None) -> dict:
    """The given fields checked and normalised (e-mail trimmed, phone in E.164, block code
    to its row), ready to set on ``user`` (None: a new user, every field given). Raises
    ValidationFailed naming every bad field, or Conflict when the only problem is an
    e-mail address already in use."""
    errors: dict[str, str] = {}
    values: dict = {}
    to_self = actor is not None and user is not None and actor.id == user.id
    if unknown := set(changes) - set(USER_FIELDS) - {"ui_language"}:
        errors |= dict.fromkeys(sorted(unknown), N_("unknown field"))
    taken = False
    if "email" in changes:
        email = _text(changes["email"])
        if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
            errors["email"] = N_("not an e-mail address")
        else:
            holder = user_by_email(email)
            taken = holder is not None and holder is not user
            values["email"] = email
    if "name" in changes:
        name = _text(changes["name"])
        if not name:
            errors["name"] = N_("required")
        elif len(name) > 120:
            errors["name"] = N_("at most 120 characters")
        values["name"] = name
    if "role" in changes:
        if changes["role"] not in ROLES:
            errors["role"] = "must be one of " + ", ".join(ROLES)
        elif to_self and changes["role"] != user.role:
            errors["role"] = N_("you cannot change your own role")
        values["role"] = changes["role"]
    if "password" in changes:
        password = changes["password"]
        email = values.get("email") or (user.email if user else "")
        if not isinstance(password, str):
            errors["password"] = N_("a text")
        elif problem := password_problem(password, email=email):
            errors["password"] = problem
        values["password"] = password
    if "block" in changes:
        code = _text(changes["block"])
        values["block"] = None
        if code:
            values["block"] = db.session.scalar(sa.select(Block).where(Block.code == code))
            if values["block"] is None:
                errors["block"] = N_("unknown block")
    role = values.get("role", user.role if user else None)
    block = values["block"] if "block" in values else (user.block if user else None)
    if role == "brc" and block is None and "block" not in errors:
        errors["block"] = N_("BRC staff need a block")
    if "languages" in changes:
        values["languages"] = _codes(changes["languages"], "languages", errors)
        if bad := [code for code in values["languages"] if code not in LANGUAGES]:
            errors["languages"] = "unknown: " + ", ".join(bad)
    if "skills" in changes:
        skills = values["skills"] = _codes(changes["skills"], "skills", errors)
        known = set(db.session.scalars(sa.select(Category.slug).where(Category.slug.in_(skills))))
        if bad := [s for s in skills if s not in known]:
            errors["skills"] = "unknown categories: " + ", ".join(bad)
    if "states" in changes:
        states = values["states"] = _codes(changes["states"], "states", errors)
        known = set(db.session.scalars(sa.select(State.code).where(State.code.in_(states))))
        if bad := [s for s in states if s not in known]:
            errors["states"] = "unknown states: " + ", ".join(bad)
    if "phone" in changes:
        phone = _text(changes["phone"])
        values["phone"] = None
        if phone:
            try:
                values["phone"] = normalize_phone(phone)
            except InvalidPhone:
                errors["phone"] = N_("not a valid phone number")
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            errors["active"] = N_("true or false")
        elif changes["active"] is False and to_self:
            errors["active"] = N_("you cannot deactivate yourself")
        values["active"] = changes["active"]
    if "ui_language" in changes:
        if changes["ui_language"] not in (*UI_LANGUAGES, None):
            errors["ui_language"] = "must be " + " or ".join(UI_LANGUAGES) + ", or null"
        values["ui_language"] = changes["ui_language"]
    if errors:
        if taken:
            errors["email"] = N_("already in use")
        raise ValidationFailed(N_("The user has invalid fields."), errors)
    if taken:
        raise Conflict(
            N_("Someone already uses this e-mail address."), {"email": N_("already in use")}
        )
    return values


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _codes(value, field: str, errors: dict[str, str]) -> list[str]:
    """A list of codes, each once, in the order given."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[field] = N_("a list of codes")
        return []
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _commit_user_change() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # two admins creating the same e-mail at once
        db.session.rollback()
        raise Conflict(
            N_("Someone already uses this e-mail address."), {"email": N_("already in use")}
        ) from exc


def _announce(signal, user: User, **kwargs) -> None:
    """Tell the features that care; a failing receiver never undoes a committed change."""
    try:
        signal.send(user, **kwargs)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("a receiver of %s failed for user %s", signal.name, user.id)


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
    same query; notes its use at most once a minute.

    With Redis, live tokens are kept per process in the reference cache (a request then
    reads none): revoking a token, or any change to a user or token row (not a new one),
    increments the cache's generation in Redis, which every request reads first, so a
    revoked token or a deactivated user is refused from the next request in every process.
    Without Redis other processes could not hear of a revocation: every request reads the
    row."""
    token_hash = ApiToken.hash(token)
    if not current_app.config.get("REDIS_URL"):
        return _usable(_live_token(token_hash))
    kept = reference_cache.cached(
        "api-token", token_hash, lambda: _detached_token(token_hash), keep_none=False
    )
    row = _usable(reference_cache.attach(kept))
    if row is not None and row.last_used_at is not kept.last_used_at:
        set_committed_value(kept, "last_used_at", row.last_used_at)  # touched just now
    return row


def _live_token(token_hash: str) -> ApiToken | None:
    return db.session.scalar(
        sa.select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user))
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
        )
    )


def _detached_token(token_hash: str) -> ApiToken | None:
    row = _live_token(token_hash)
    if row is None:
        return None
    return reference_cache.detached_copy(row, user=reference_cache.detached_copy(row.user))


def _usable(row: ApiToken | None) -> ApiToken | None:
    """``row`` unless it expired since it was read or its user is inactive; notes its use
    (at most once a minute)."""
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    if due_for_touch(row.last_used_at):
        schedule_touch(ApiToken, row.id, "last_used_at")
        set_committed_value(row, "last_used_at", utcnow())
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
        reference_cache.note_write()  # processes that keep these tokens drop them at commit
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
