"""Administration: users and passwords, API and display tokens, counties, the first-run setup
link, and the audit log that records every one of these changes.

Each change is one function and one transaction: authorize, validate, write, audit, commit. The
acting user comes first: an administrator, the person himself (his own password), or ``None``
for the command line and the setup link, which act with the authority of the server's console.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, delete, func, or_, select, union_all, update
from sqlalchemy.orm import contains_eager
from werkzeug.security import generate_password_hash

from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.inputs import whole_number
from wallchart.core.models import (
    ApiToken,
    AuditEntry,
    County,
    DisplayToken,
    Project,
    SetupToken,
    Team,
    User,
    hash_token,
    team_member,
    utcnow,
)
from wallchart.core.transactions import next_lobby_revision, quiet_transaction, write_transaction
from wallchart.core.vocabulary import (
    COUNTY_KINDS,
    DEFAULT_HEADER_FIGURES,
    DISPLAY_PROFILES,
    DISPLAY_VIEWS,
    HEADER_FIGURE_COUNT,
    HEADER_FIGURES,
    ROLES,
)
from wallchart.extensions import db
from wallchart.services import sessions
from wallchart.services.validation import clean_text, refuse_if

USERNAME = re.compile(r"^[\w.\-]{1,64}$")
NAME_MAX = 64
PASSWORD_MIN = 8
PASSWORD_MAX = 256
AUDIT_PAGE_SIZE = 50
#: Stands for the command line in the audit log's actor filter; no username has parentheses.
CONSOLE = "(cli)"
#: The shortest and the longest a wall display shows each of its views.
ROTATE_SECONDS = (10, 3600)


def _password_method() -> str:
    """How new passwords are hashed: scrypt at the install's cost (``PASSWORD_SCRYPT_COST``)."""
    return f"scrypt:{current_app.config['PASSWORD_SCRYPT_COST']}:8:1"


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash checked for an unknown username, made as a password's is, so that a wrong name
    costs the same time as a wrong password."""
    return generate_password_hash(secrets.token_urlsafe(16), method)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# --- shared by every change ------------------------------------------------------------------

def require_admin(actor: User | None) -> None:
    """Refuse anyone but an active administrator; ``None`` is the console, trusted as such.

    Called inside the transaction, so an administrator disabled a moment ago is refused too.
    """
    if actor is not None and not actor.can("admin"):
        raise Forbidden(_("You are not allowed to do this."))


def audit(actor: User | None, action: str, target: str, **details: Any) -> None:
    """Add one entry to the audit log, in the transaction of the change it records.

    ``details`` is shown to every administrator: never a password or a token.
    """
    db.session.add(AuditEntry(actor_id=actor.id if actor else None, action=action,
                              target=target[:200], details=details))


def clean_name(value: object, field: str, errors: dict[str, str]) -> str:
    """A required name of at most 64 characters on one line (people, teams, counties, displays)."""
    return clean_text(value, field, errors, limit=NAME_MAX, required=True)


def _check_password(password: object, field: str, errors: dict[str, str]) -> None:
    if not isinstance(password, str) or not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        errors[field] = _("The password needs at least %(n)d characters.", n=PASSWORD_MIN)


def user_named(username: object) -> User:
    user = None
    if isinstance(username, str):
        user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound(_("No user named %(name)s.", name=username))
    return user


def _keep_an_administrator(user: User) -> None:
    """Refuse a change that would leave no active administrator to run the board.

    The other administrators' rows are locked (on PostgreSQL), so that two administrators who
    disable each other at the same moment cannot both succeed.
    """
    if user.role != "admin" or not user.active:
        return
    others = db.session.execute(
        select(User.id).where(User.role == "admin", User.active.is_(True), User.id != user.id)
        .with_for_update()).scalars().all()
    if not others:
        raise Invalid(_("%(name)s is the last active administrator.", name=user.username),
                      {"user": _("Make someone else an administrator first.")})


def _not_yourself(actor: User | None, user: User, message: str) -> None:
    if actor is not None and actor.id == user.id:
        raise Invalid(message, {"user": message})


# --- users ------------------------------------------------------------------------------------

def _add_user(username: object, password: object, role: object, display_name: object,
              errors: dict[str, str] | None = None) -> User:
    """A new user row, or a refusal naming every wrong field (with those already in ``errors``)."""
    errors = {} if errors is None else errors
    if not isinstance(username, str) or not USERNAME.match(username.strip()):
        errors["username"] = _("Use 1 to 64 letters, digits, '.', '-' or '_'.")
    elif db.session.execute(select(User.id).where(User.username == username.strip())).first():
        errors["username"] = _("This username is taken.")
    if role not in ROLES:
        errors["role"] = _("The role must be one of: %(roles)s.", roles=", ".join(ROLES))
    display_name = display_name.strip() if isinstance(display_name, str) else ""
    if display_name:
        clean_name(display_name, "display_name", errors)
    _check_password(password, "password", errors)
    refuse_if(errors)
    user = User(username=username.strip(), role=role, display_name=display_name)
    user.set_password(password, _password_method())
    db.session.add(user)
    return user


def _team_to_join(name: object, errors: dict[str, str]) -> Team | None:
    """The team a new user joins, if one is named: a user in no team can change no project."""
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    team = db.session.execute(select(Team).where(Team.name == name.strip())).scalar() \
        if isinstance(name, str) else None
    if team is None:
        errors["team"] = _("No team named %(name)s.", name=name)
    return team


def create_user(actor: User | None, username: object, password: object, role: object,
                display_name: object = "", team: object = None) -> User:
    """Add a user with his initial password, as a member of ``team`` if one is named."""
    with quiet_transaction():
        require_admin(actor)
        errors: dict[str, str] = {}
        joins = _team_to_join(team, errors)
        user = _add_user(username, password, role, display_name, errors)
        if joins is not None:
            joins.members.append(user)
        audit(actor, "user.create", user.username, role=user.role,
              display_name=user.display_name, **({"team": joins.name} if joins else {}))
    return user


def set_password(actor: User | None, username: object, password: object,
                 revoke_tokens: bool = False) -> User:
    """An administrator (or the console) sets a new password for someone who lost his.

    Whoever knew the old password must not stay signed in: all his sessions end, and the
    socket watcher closes their sockets. A reset after a suspected leak also revokes his API
    tokens (``revoke_tokens``), in the same transaction.
    """
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        _not_yourself(actor, user, _("Change your own password on your account page."))
        errors: dict[str, str] = {}
        _check_password(password, "password", errors)
        refuse_if(errors)
        user.set_password(password, _password_method())
        sessions.end_all(user.id, "password_reset")
        audit(actor, "user.password_reset", user.username)
        if revoke_tokens:
            _revoke(actor, user, _live_tokens_of(user))
    return user


def disable_user(actor: User | None, username: object) -> User:
    """Stop a user from signing in; his projects, teams and history stay as they are.

    His sessions end with it, and the socket watcher closes their sockets.
    """
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        _not_yourself(actor, user, _("You cannot disable your own account."))
        if user.active:
            _keep_an_administrator(user)
            user.active = False
            sessions.end_all(user.id, "disabled")
            audit(actor, "user.disable", user.username)
    return user


def enable_user(actor: User | None, username: object) -> User:
    """Let a disabled user sign in again, with the role and password he had."""
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        if not user.active:
            user.active = True
            audit(actor, "user.enable", user.username)
    return user


def change_role(actor: User | None, username: object, role: object) -> User:
    """Give a user another role. Nobody changes his own: he could lock himself out mid-task."""
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        if role not in ROLES:
            raise Invalid(_("The role must be one of: %(roles)s.", roles=", ".join(ROLES)),
                          {"role": _("Choose a role from the list.")})
        _not_yourself(actor, user, _("Another administrator must change your role."))
        if role != user.role:
            if role != "admin":
                _keep_an_administrator(user)
            audit(actor, "user.role", user.username, **{"from": user.role, "to": role})
            user.role = role
    return user


def change_own_password(user: User, current: object, new: object, repeat: object,
                        keep_session: object = None) -> User:
    """A signed-in user replaces his password, proving first that he knows the current one.

    His other sessions end (someone else may have known the old one); ``keep_session``, the
    token of the one he is using, stays.
    """
    with quiet_transaction():
        if not isinstance(current, str) or not user.check_password(current):
            raise Invalid(_("Your current password is not correct."),
                          {"current": _("Not correct.")})
        errors: dict[str, str] = {}
        _check_password(new, "new", errors)
        if not errors and new != repeat:
            errors["repeat"] = _("The two passwords differ.")
        refuse_if(errors)
        user.set_password(new, _password_method())
        sessions.end_all(user.id, "password_changed", keep=keep_session)
        audit(user, "password.change", user.username)
    return user


def authenticate(username: str, password: str) -> User | None:
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        User(password_hash=_dummy_hash(_password_method())).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


# --- API and display tokens -------------------------------------------------------------------

def issue_api_token(actor: User | None, username: object) -> str:
    """Create an API token for ``username``; only its digest is stored (nor is it audited)."""
    token = _new_token()
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        row = ApiToken(user_id=user.id, token_hash=hash_token(token))
        db.session.add(row)
        db.session.flush()
        audit(actor, "user.api_token", user.username, token=row.id)
    return token


#: How stale a token's ``last_used_at`` may be. The bearer lookup runs on every API request
#: and move, and a write per request would cost a write transaction (on SQLite, the one
#: writer lock that moves wait for) for a figure an administrator reads to the minute.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_in_use(token: object) -> ApiToken | None:
    """The live API token behind ``token`` (not revoked, its user active), its use recorded
    at most once per :data:`LAST_USED_PRECISION`; ``None`` for anything else.

    Asked first thing in a request (Flask-Login's request loader) or a socket's ``connect``,
    before anything else is written: recording the use commits a transaction of its own.
    """
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    row = db.session.execute(_LIVE_TOKEN, {"token_hash": hash_token(token)}).scalar()
    now = utcnow()
    if row is not None and (row.last_used_at is None
                            or now - row.last_used_at >= LAST_USED_PRECISION):
        # Conditional, so that of several processes seeing it stale at once one writes.
        with quiet_transaction():
            db.session.execute(
                update(ApiToken).where(ApiToken.id == row.id, or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at <= now - LAST_USED_PRECISION))
                .values(last_used_at=now).execution_options(synchronize_session=False))
    return row


#: The live token with this digest, its user loaded with it: asked by every API request.
_LIVE_TOKEN = (select(ApiToken).join(ApiToken.user).options(contains_eager(ApiToken.user))
               .where(ApiToken.token_hash == bindparam("token_hash"),
                      ApiToken.revoked_at.is_(None), User.active.is_(True)))


def user_for_api_token(token: object) -> User | None:
    row = api_token_in_use(token)
    return row.user if row is not None else None


def api_tokens_of(user: User) -> list[ApiToken]:
    """Every API token of ``user``, revoked ones too, newest first (his administration page)."""
    return list(db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars())


def _live_tokens_of(user: User) -> list[ApiToken]:
    return [row for row in api_tokens_of(user) if row.revoked_at is None]


def _revoke(actor: User | None, user: User, rows: list[ApiToken]) -> None:
    """Revoke these tokens of ``user`` and audit it; nothing to revoke, nothing recorded.

    HTTP refuses them from the commit on; the socket watcher closes their sockets within
    ``SOCKET_CHECK_SECONDS``.
    """
    if rows:
        now = utcnow()
        for row in rows:
            row.revoked_at = now
        audit(actor, "user.api_token_revoke", user.username, tokens=sorted(row.id for row in rows))


def revoke_api_tokens(actor: User | None, username: object) -> int:
    """Revoke every API token of ``username`` (a leak, or a script retired); returns how many
    were still live. Running it again revokes nothing more."""
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        rows = _live_tokens_of(user)
        _revoke(actor, user, rows)
    return len(rows)


def revoke_api_token(actor: User | None, username: object, token_id: int) -> ApiToken:
    """Revoke one API token of ``username`` (his page lists them); one revoked already stays
    as it is. A token id of someone else is no token of his: :class:`NotFound`."""
    with quiet_transaction():
        require_admin(actor)
        user = user_named(username)
        row = db.session.get(ApiToken, token_id) if 0 < token_id < 2**63 else None  # BIGINT
        if row is None or row.user_id != user.id:
            raise NotFound(_("%(name)s has no such API token.", name=user.username))
        if row.revoked_at is None:
            _revoke(actor, user, [row])
    return row


def revoked_api_tokens_among(token_ids: set[int]) -> set[int]:
    """Which of these API tokens may no longer be used: revoked, or their user disabled (for
    the socket watcher)."""
    if not token_ids:
        return set()
    live = set(db.session.execute(
        select(ApiToken.id).join(User).where(ApiToken.id.in_(token_ids),
                                             ApiToken.revoked_at.is_(None),
                                             User.active.is_(True))).scalars())
    return token_ids - live


def _display_settings(data: dict[str, Any], current: DisplayToken | None = None
                      ) -> dict[str, Any]:
    """A display's profile, views, seconds per view and header figures from ``data`` (any of
    them may be left out: it keeps its current value, or the default). Views and header
    figures: a list of keys (``DISPLAY_VIEWS``, ``HEADER_FIGURES``), or the same as one
    comma-separated string (the command line); shown in that order."""
    errors: dict[str, str] = {}
    profile = data.get("profile", current.profile if current else "staff")
    if profile not in DISPLAY_PROFILES:
        errors["profile"] = _("Choose a staff or a lobby screen.")
    views = _keys(data.get("views", current.views if current else ["board"]))
    if not isinstance(views, list | tuple) or not views:
        errors["views"] = _("Choose at least one view.")
    elif any(not isinstance(view, str) or view not in DISPLAY_VIEWS for view in views):
        errors["views"] = _("Choose among the views: %(views)s.", views=", ".join(DISPLAY_VIEWS))
    elif len(set(views)) != len(views):
        errors["views"] = _("Each view at most once.")
    seconds = data.get("rotate_seconds", current.rotate_seconds if current else 60)
    if isinstance(seconds, str):
        seconds = whole_number(seconds)
    if not isinstance(seconds, int) or isinstance(seconds, bool) \
            or not ROTATE_SECONDS[0] <= seconds <= ROTATE_SECONDS[1]:
        errors["rotate_seconds"] = _("Between %(low)d and %(high)d seconds.",
                                     low=ROTATE_SECONDS[0], high=ROTATE_SECONDS[1])
    figures = _keys(data.get("header_figures", current.header_figures if current
                             else list(DEFAULT_HEADER_FIGURES)))
    if isinstance(figures, list | tuple) and any(
            not isinstance(key, str) or key not in HEADER_FIGURES for key in figures):
        errors["header_figures"] = _("Choose among the figures: %(figures)s.",
                                     figures=", ".join(HEADER_FIGURES))
    elif not isinstance(figures, list | tuple) or len(figures) != HEADER_FIGURE_COUNT \
            or len(set(figures)) != len(figures):
        errors["header_figures"] = _("Choose %(n)d different figures.", n=HEADER_FIGURE_COUNT)
    refuse_if(errors)
    return {"profile": profile, "views": list(views), "rotate_seconds": seconds,
            "header_figures": list(figures)}


def _keys(value: Any) -> Any:
    """A list of keys as sent: a list, or one comma-separated string (the command line)."""
    if isinstance(value, str):
        return [key.strip() for key in value.split(",") if key.strip()]
    return value


def create_display_token(actor: User | None, name: object,
                         settings: dict[str, Any] | None = None) -> str:
    """Create a wall display token named ``name`` (a staff screen showing the board unless
    ``settings`` say otherwise); returns the token itself, shown once."""
    token = _new_token()
    with quiet_transaction():
        require_admin(actor)
        errors: dict[str, str] = {}
        name = clean_name(name, "name", errors)
        refuse_if(errors)
        chosen = _display_settings(settings or {})
        row = DisplayToken(name=name, token_hash=hash_token(token), **chosen)
        db.session.add(row)
        db.session.flush()
        # The settings are recorded when someone chose them; a bare name takes the defaults.
        audit(actor, "display.create", name, id=row.id,
              **({"settings": _settings_record(chosen)} if settings else {}))
    return token


def _set_display(actor: User | None, row: DisplayToken, settings: dict[str, Any]) -> None:
    """Give one active display new settings, audited with the old ones. The socket watcher
    closes that wall's sockets within seconds: it reloads with its new settings."""
    if row.revoked_at is not None:
        raise Invalid(_("This display is revoked."), {"display": _("This display is revoked.")})
    chosen = _display_settings(settings, row)
    before = {key: getattr(row, key) for key in chosen}
    if chosen != before:
        for key, value in chosen.items():
            setattr(row, key, value)
        audit(actor, "display.update", row.name, id=row.id, **{
            "from": _settings_record(before), "to": _settings_record(chosen)})


def _settings_record(settings: dict[str, Any]) -> dict[str, Any]:
    """A display's settings as the audit log keeps them: by key, read in each reader's language."""
    return {key: settings[key] for key in ("profile", "views", "rotate_seconds",
                                           "header_figures")}


def update_display(actor: User | None, token_id: int, settings: dict[str, Any]) -> DisplayToken:
    """Change one display's profile, views or seconds per view (the displays page)."""
    with quiet_transaction():
        require_admin(actor)
        row = db.session.get(DisplayToken, token_id)
        if row is None:
            raise NotFound(_("No such display."))
        _set_display(actor, row, settings)
    return row


def update_displays_named(actor: User | None, name: str, settings: dict[str, Any]) -> int:
    """Change every active display named ``name`` (the command line); returns how many."""
    with quiet_transaction():
        require_admin(actor)
        rows = _active_displays_named(name)
        for row in rows:
            _set_display(actor, row, settings)
    return len(rows)


def _active_displays_named(name: str) -> list[DisplayToken]:
    rows = list(db.session.execute(
        select(DisplayToken).where(DisplayToken.name == name,
                                   DisplayToken.revoked_at.is_(None))).scalars())
    if not rows:
        raise NotFound(_("No active display named %(name)s.", name=name))
    return rows


def revoke_display_tokens(actor: User | None, name: str) -> int:
    """Revoke every active display token named ``name``; returns how many were revoked.

    The socket watcher closes the sockets of those walls within seconds.
    """
    with quiet_transaction():
        require_admin(actor)
        tokens = _active_displays_named(name)
        for row in tokens:
            row.revoked_at = utcnow()
        audit(actor, "display.revoke", name, ids=[row.id for row in tokens])
    return len(tokens)


def revoke_display_token(actor: User | None, token_id: int) -> DisplayToken:
    """Revoke one display token (the page lists them one by one; names may repeat).

    The socket watcher closes the sockets of that wall within seconds.
    """
    with quiet_transaction():
        require_admin(actor)
        row = db.session.get(DisplayToken, token_id)
        if row is None:
            raise NotFound(_("No such display."))
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit(actor, "display.revoke", row.name, ids=[row.id])
    return row


def display_settings_key(display: DisplayToken) -> str:
    """Names a display and its current settings: its sockets are closed (and the wall reloads)
    once the key no longer matches, that is when the display is revoked or changed."""
    settings = (f"{display.profile}|{','.join(display.views)}|{display.rotate_seconds}"
                f"|{','.join(display.header_figures)}")
    return f"{display.id}:{hashlib.sha256(settings.encode()).hexdigest()[:12]}"


def stale_displays_among(keys: set[str]) -> set[str]:
    """Which of these display settings keys no longer hold (for the socket watcher)."""
    if not keys:
        return set()
    ids = {int(key.partition(":")[0]) for key in keys}
    current = {display_settings_key(row) for row in db.session.execute(
        select(DisplayToken).where(DisplayToken.id.in_(ids),
                                   DisplayToken.revoked_at.is_(None))).scalars()}
    return keys - current


#: A wall screen counts as on while it was seen this recently: the socket watcher stamps each
#: connected display at most once per :data:`LAST_USED_PRECISION`.
DISPLAY_ONLINE_WITHIN = 2 * LAST_USED_PRECISION


def displays_seen(ids: set[int]) -> None:
    """Record that these displays' screens are connected now (a socket's connect, the watcher's
    rounds), each at most once per :data:`LAST_USED_PRECISION`: a read, and a write only when
    one is due, so that a round costs no write transaction."""
    if not ids:
        return
    now = utcnow()
    due = or_(DisplayToken.last_seen_at.is_(None),
              DisplayToken.last_seen_at <= now - LAST_USED_PRECISION)
    stale = db.session.execute(
        select(DisplayToken.id).where(DisplayToken.id.in_(ids), due)).scalars().all()
    if stale:
        with quiet_transaction():
            db.session.execute(update(DisplayToken).where(DisplayToken.id.in_(stale), due)
                               .values(last_seen_at=now)
                               .execution_options(synchronize_session=False))


def display_online(display: DisplayToken) -> bool:
    return display.last_seen_at is not None and \
        utcnow() - display.last_seen_at <= DISPLAY_ONLINE_WITHIN


def display_for_token(token: object) -> DisplayToken | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return db.session.execute(
        select(DisplayToken).where(DisplayToken.token_hash == hash_token(token),
                                   DisplayToken.revoked_at.is_(None))).scalar()


# --- counties, districts and zones ------------------------------------------------------------

def _free_county_name(name: str, errors: dict[str, str], county_id: int | None = None) -> None:
    if "name" not in errors and db.session.execute(
            select(County.id).where(County.name == name, County.id != county_id)).first():
        errors["name"] = _("%(name)s exists already.", name=name)


def county_by_id(county_id: int) -> County:
    """The county with this id, or :class:`NotFound` (a page or form naming a removed one)."""
    county = db.session.get(County, county_id)
    if county is None:
        raise NotFound(_("No such county or district."))
    return county


def add_county(actor: User | None, name: object, kind: object = "county") -> County:
    """Add a county, district, county-level city or zone at the end of the list."""
    with quiet_transaction():
        require_admin(actor)
        errors: dict[str, str] = {}
        name = clean_name(name, "name", errors)
        _free_county_name(name, errors)
        if kind not in COUNTY_KINDS:
            errors["kind"] = _("Choose a kind from the list.")
        refuse_if(errors)
        last = db.session.execute(select(func.max(County.sort_order))).scalar() or 0
        county = County(name=name, kind=kind, sort_order=last + 1)
        db.session.add(county)
        audit(actor, "county.add", name, kind=kind)
    return county


def rename_county(actor: User | None, county_id: int, name: object) -> County:
    """Rename a county; its projects follow, since they point at the row.

    Cards show the name, so this is a change of the board that lobby screens see too: it
    takes a board revision and a lobby revision, and every screen, seeing the gap at the next
    change or heartbeat, fetches its columns again.
    """
    with write_transaction():
        require_admin(actor)
        county = county_by_id(county_id)
        errors: dict[str, str] = {}
        name = clean_name(name, "name", errors)
        _free_county_name(name, errors, county.id)
        refuse_if(errors)
        if name != county.name:
            audit(actor, "county.rename", name, **{"from": county.name, "to": name})
            county.name = name
            next_lobby_revision()
    return county


def delete_county(actor: User | None, county_id: int) -> County:
    """Remove a county nobody uses; one that any project names (even one taken off the board,
    whose record keeps it) is refused."""
    with quiet_transaction():
        require_admin(actor)
        county = county_by_id(county_id)
        used = db.session.execute(select(func.count()).select_from(Project)
                                  .where(Project.county_id == county.id)).scalar_one()
        if used:
            raise Invalid(ngettext("%(name)s is used by %(num)d project and cannot be deleted.",
                                   "%(name)s is used by %(num)d projects and cannot be deleted.",
                                   used, name=county.name))
        audit(actor, "county.delete", county.name, kind=county.kind)
        db.session.delete(county)
    return county


# --- the first-run setup link -----------------------------------------------------------------

def needs_setup() -> bool:
    """True until an active administrator exists (demo data alone creates none)."""
    return db.session.execute(
        select(func.count()).select_from(User)
        .where(User.role == "admin", User.active.is_(True))).scalar_one() == 0


def issue_setup_token() -> str | None:
    """A one-time token for the setup link, or ``None`` once an administrator exists."""
    if not needs_setup():
        return None
    token = _new_token()
    db.session.add(SetupToken(token_hash=hash_token(token)))
    db.session.commit()
    return token


def setup_token_valid(token: object) -> bool:
    if not isinstance(token, str) or not token or not needs_setup():
        return False
    return db.session.execute(
        select(SetupToken.id).where(SetupToken.token_hash == hash_token(token))).first() is not None


def complete_setup(token: object, username: object, password: object,
                   display_name: object = "") -> User:
    """Create the first admin through a setup link; every setup link stops working after.
    His display name is what the ticker and the history show for him."""
    with quiet_transaction():
        if not setup_token_valid(token):
            raise NotFound(_("This setup link is no longer valid."))
        errors: dict[str, str] = {}
        if not isinstance(display_name, str) or not display_name.strip():
            errors["display_name"] = _("Enter the name the wall and the history show for you.")
        user = _add_user(username, password, "admin", display_name, errors)
        db.session.execute(delete(SetupToken))
        audit(None, "user.create", user.username, role="admin", display_name=user.display_name,
              setup_link=True)
    return user


# --- reads for the administration pages -------------------------------------------------------

def users_with_teams() -> list[tuple[User, list[str]]]:
    """Every user with the names of the teams he leads or belongs to, in two queries."""
    users = db.session.execute(select(User).order_by(User.username)).scalars().all()
    places = db.session.execute(union_all(
        select(team_member.c.user_id, Team.name).join(Team, Team.id == team_member.c.team_id),
        select(Team.lead_id, Team.name).where(Team.lead_id.is_not(None)),
    )).all()
    teams: dict[int, set[str]] = {}
    for user_id, name in places:
        teams.setdefault(user_id, set()).add(name)
    return [(user, sorted(teams.get(user.id, ()))) for user in users]


def counties_in_use() -> list[tuple[County, int]]:
    """Every county in board order with how many projects name it."""
    return [(county, used) for county, used in db.session.execute(
        select(County, func.count(Project.id)).outerjoin(Project, Project.county_id == County.id)
        .group_by(County.id).order_by(County.sort_order, County.id))]


def display_tokens() -> list[DisplayToken]:
    return list(db.session.execute(
        select(DisplayToken).order_by(DisplayToken.created_at.desc(), DisplayToken.id.desc())
    ).scalars())


def audit_page(action: str = "", actor: str = "", page: int = 1) -> tuple[list[AuditEntry], bool]:
    """One page of the audit log, newest first, and whether an older page follows.

    ``actor`` is a username, or :data:`CONSOLE` for the command line; empty filters match all.
    """
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor == CONSOLE:
        query = query.where(AuditEntry.actor_id.is_(None))
    elif actor:
        query = query.where(AuditEntry.actor_id.in_(
            select(User.id).where(User.username == actor)))
    rows = db.session.execute(query.offset((page - 1) * AUDIT_PAGE_SIZE)
                              .limit(AUDIT_PAGE_SIZE + 1)).scalars().all()
    return list(rows[:AUDIT_PAGE_SIZE]), len(rows) > AUDIT_PAGE_SIZE


def audit_actors() -> list[str]:
    """The usernames that appear in the audit log, for its filter."""
    return list(db.session.execute(
        select(User.username).where(User.id.in_(select(AuditEntry.actor_id)))
        .order_by(User.username)).scalars())
