"""Server-side sessions, so that a session can really end.

The cookie is signed but lives in the browser: replayed after sign-out it would still work. So
sign-in creates a row and the cookie carries its token; every request checks the row. Signing
out ends that row; disabling a user or resetting his password ends all of his. Sockets keep a
copy of the session taken at connect, so the socket watcher (wallchart/sockets.py) closes the
ones whose row has ended.

Idle time is kept in the signed cookie (no write per request); the absolute limit comes from the
row's creation time.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from wallchart.core.models import User, UserSession, hash_token, utcnow
from wallchart.core.transactions import quiet_transaction
from wallchart.extensions import db


def start(user_id: int) -> str:
    """Open a session for a user who just proved who he is; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    with quiet_transaction():
        db.session.add(UserSession(token_hash=hash_token(token), user_id=user_id))
    return token


def _max_age() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def active(token: object, user_id: int) -> UserSession | None:
    """The session behind ``token`` if it belongs to ``user_id``, has not ended and is young
    enough."""
    if not isinstance(token, str) or not token:
        return None
    row = db.session.execute(
        select(UserSession).where(UserSession.token_hash == hash_token(token))).scalar()
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    if utcnow() - row.created_at > _max_age():
        return None
    return row


def end(token: object, reason: str) -> None:
    """End the session behind ``token`` (sign-out, idle); unknown tokens are ignored."""
    if isinstance(token, str) and token:
        with quiet_transaction():
            _end(UserSession.token_hash == hash_token(token), reason)


def end_all(user_id: int, reason: str, keep: object = None) -> None:
    """End every session of a user, except ``keep`` (a token) if given.

    Call it inside the transaction of the change that demands it (disabling the user, a new
    password), so that both happen or neither.
    """
    condition = UserSession.user_id == user_id
    if isinstance(keep, str) and keep:
        condition = condition & (UserSession.token_hash != hash_token(keep))
    _end(condition, reason)


def _end(condition, reason: str) -> None:
    db.session.execute(update(UserSession)
                       .where(condition, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason=reason)
                       .execution_options(synchronize_session=False))


def ended_among(session_ids: set[int]) -> set[int]:
    """Which of these sessions may no longer be used (ended, too old, or user disabled)."""
    if not session_ids:
        return set()
    oldest: datetime = utcnow() - _max_age()
    rows = db.session.execute(
        select(UserSession.id, UserSession.ended_at, UserSession.created_at, User.active)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id.in_(session_ids))).all()
    alive = {row.id for row in rows
             if row.ended_at is None and row.created_at >= oldest and row.active}
    return session_ids - alive
