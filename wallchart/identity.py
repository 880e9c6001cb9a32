"""Who is asking, for every face: the user a request carries (a session cookie, or an API token
in ``Authorization: Bearer TOKEN``), the guard of what only readers may see, and the first-run
setup link.

A request that carries a bearer token is judged by that token alone, never by a cookie that
came along. May import ``services`` and ``core``; the faces (``web``, ``api``, ``realtime``,
``cli``) import it.
"""

from __future__ import annotations

import time

from flask import Flask, abort, current_app, request, session
from flask_login import current_user, login_required

from wallchart.core.models import User
from wallchart.core.transactions import end_read
from wallchart.extensions import db, login_manager
from wallchart.services import accounts, sessions


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@login_required
def readers_only() -> None:
    """The guard of blueprints that show the board's data (``bp.before_request(readers_only)``):
    a signed-in person (or API token) whose role may read; others get 403."""
    if not current_user.can("read"):
        abort(403)


def _load_from_session(user_id: str) -> User | None:
    """The signed-in user, while his server-side session lives and he has not been idle."""
    if "Authorization" in request.headers or not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or sessions.active(session.get("sid"), user.id) is None:
        return None
    now = int(time.time())
    seen = session.get("seen")
    if not isinstance(seen, int) or now - seen > sessions.idle_limit().total_seconds():
        sessions.end(session.get("sid"), "idle")
        return None
    if now - seen >= 60:  # the cookie is rewritten at most once a minute
        session["seen"] = now
    end_read()
    return user


def _load_from_bearer(req) -> User | None:
    token = bearer_token()
    user = accounts.user_for_api_token(token) if token else None
    end_read()
    return user


def console_url(path: str) -> str:
    """The full address of ``path``, for the console to print: on the site people reach
    (``WALLCHART_PUBLIC_URL``, e.g. nginx's before several processes), else on this server (a
    server listening on every address is reached on loopback from its own machine)."""
    if current_app.config["PUBLIC_URL"]:
        return f"{current_app.config['PUBLIC_URL']}{path}"
    host = current_app.config["HOST"]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{current_app.config['PORT']}{path}"


def setup_url(token: str) -> str:
    return console_url(f"/setup?token={token}")


def init_app(app: Flask) -> None:
    """Let Flask-Login find the user of each request: by session cookie, else by API token."""
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_bearer)
