"""Administration: users, API and display tokens, the first-run setup link, and counties."""

from __future__ import annotations

import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import ApiToken, County, DisplayToken, SetupToken, User, hash_token, utcnow
from ..vocabulary import COUNTY_KINDS, ROLES

USERNAME = re.compile(r"^[\w.\-]{1,64}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 256
# Checked for an unknown username, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = (
    "scrypt:32768:8:1$2yRCV9A6ddiAvF91$dc94106d9cbe76d2ad8363dd28d9e5448b09d9365c4fd9257ba42f1b"
    "ca3acbbbdd93e1dee3a818f1195acd026dc18ef9d3aaf1d75f0ee12d5ed8bb16a0793f4f"
)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def validate_password(password: object) -> str:
    if not isinstance(password, str) or not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise Invalid(_("The password needs at least %(n)d characters.", n=PASSWORD_MIN),
                      {"password": _("At least %(n)d characters.", n=PASSWORD_MIN)})
    return password


def create_user(username: object, password: object, role: object,
                display_name: str = "") -> User:
    """Add a user. The caller (CLI, setup page) has already established the right to do so."""
    errors = {}
    if not isinstance(username, str) or not USERNAME.match(username.strip()):
        errors["username"] = _("Use 1 to 64 letters, digits, '.', '-' or '_'.")
    elif db.session.execute(select(User.id).where(User.username == username.strip())).first():
        errors["username"] = _("This username is taken.")
    if role not in ROLES:
        errors["role"] = _("The role must be one of: %(roles)s.", roles=", ".join(ROLES))
    if errors:
        raise Invalid(_("Please correct the marked fields."), errors)
    user = User(username=username.strip(), role=role, display_name=display_name.strip()[:64])
    user.set_password(validate_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def set_password(username: str, password: object) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound(_("No user named %(name)s.", name=username))
    user.set_password(validate_password(password))
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def issue_api_token(username: str) -> str:
    """Create an API token for ``username``; only its digest is stored."""
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound(_("No user named %(name)s.", name=username))
    token = _new_token()
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    db.session.commit()
    return token


def user_for_api_token(token: str) -> User | None:
    return db.session.execute(
        select(User).join(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                          ApiToken.revoked_at.is_(None),
                                          User.active.is_(True))).scalar()


def create_display_token(name: str) -> str:
    """Create a wall display token named ``name``; returns the token itself, shown once."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Invalid(_("Give the display a name of 1 to 64 characters."), {"name": _("Invalid.")})
    token = _new_token()
    db.session.add(DisplayToken(name=name, token_hash=hash_token(token)))
    db.session.commit()
    return token


def revoke_display_tokens(name: str) -> int:
    """Revoke every active display token named ``name``; returns how many were revoked."""
    tokens = db.session.execute(
        select(DisplayToken).where(DisplayToken.name == name,
                                   DisplayToken.revoked_at.is_(None))).scalars().all()
    if not tokens:
        raise NotFound(_("No active display named %(name)s.", name=name))
    for row in tokens:
        row.revoked_at = utcnow()
    db.session.commit()
    return len(tokens)


def display_for_token(token: object) -> DisplayToken | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return db.session.execute(
        select(DisplayToken).where(DisplayToken.token_hash == hash_token(token),
                                   DisplayToken.revoked_at.is_(None))).scalar()


def add_county(name: object, kind: str = "county") -> County:
    """Add a county, district, county-level city or zone at the end of the list."""
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
        raise Invalid(_("Give a name of 1 to 64 characters."), {"name": _("Invalid.")})
    if kind not in COUNTY_KINDS:
        raise Invalid(_("Unknown kind of county."), {"kind": _("Invalid.")})
    if db.session.execute(select(County.id).where(County.name == name.strip())).first():
        raise Invalid(_("%(name)s exists already.", name=name.strip()),
                      {"name": _("Taken.")})
    last = db.session.execute(select(func.max(County.sort_order))).scalar() or 0
    county = County(name=name.strip(), kind=kind, sort_order=last + 1)
    db.session.add(county)
    db.session.commit()
    return county


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


def complete_setup(token: object, username: object, password: object) -> User:
    """Create the first admin through a setup link; every setup link stops working after."""
    if not setup_token_valid(token):
        raise NotFound(_("This setup link is no longer valid."))
    user = create_user(username, password, "admin")
    db.session.execute(delete(SetupToken))
    db.session.commit()
    return user
