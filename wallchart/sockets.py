"""Socket.IO handlers. ``before_request`` and ``login_required`` do not run here, so the
``connect`` handler authenticates on its own and puts each screen in its broadcast room."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_login import current_user
from flask_socketio import emit, join_room

from . import origins, queries
from .extensions import socketio
from .services import accounts
from .services.live import room


def _locale(auth: dict[str, Any]) -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = auth.get("lang") or session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def connect(auth: Any = None):
    """Admit a signed-in session, a display token or an API token; refuse everyone else.

    The browser sends the session cookie whichever page opens the socket, so a session counts
    only together with an allowed ``Origin``; one without any is refused (browsers always send
    it on the WebSocket that live.js opens). A token is a credential someone chose to hand over:
    a script may leave ``Origin`` out, but a page that names one must be on an allowed site.
    """
    auth = auth if isinstance(auth, dict) else {}
    token = auth.get("token")
    origin = request.headers.get("Origin")
    origin_allowed = origins.allowed(origin, request.environ,
                                     current_app.config["ALLOWED_ORIGINS"])
    if origin is not None and not origin_allowed:
        raise ConnectionRefusedError("origin not allowed")
    view = None
    if isinstance(token, str) and token:
        if accounts.display_for_token(token) is not None:
            view = "wall"
        elif (user := accounts.user_for_api_token(token)) is not None and user.can("read"):
            view = "board"
    elif origin_allowed and current_user.is_authenticated and current_user.can("read"):
        view = "board"
    if view is None:
        raise ConnectionRefusedError("unauthorized")
    join_room(room(view, _locale(auth)))
    emit("hello", {"revision": queries.board_revision(), "view": view})


def init_app() -> None:
    """Register the handlers on the Socket.IO server that ``init_app`` just created.

    (Decorators would bind them to whichever server existed at import time only.)
    """
    socketio.on_event("connect", connect)
