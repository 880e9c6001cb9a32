"""Socket.IO handlers. ``before_request`` and ``login_required`` do not run here, so the
``connect`` handler authenticates on its own and puts each screen in its broadcast room.

A socket keeps the credential it connected with, so each process also watches its own sockets
and closes those whose session ended, whose user was disabled or whose display or API token
was revoked. What it remembers concerns only its own sockets: nothing another process would need.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, request, session
from flask_login import current_user
from flask_socketio import disconnect as flask_disconnect
from flask_socketio import emit, join_room

from wallchart.core import build, origins
from wallchart.extensions import socketio
from wallchart.reads import queries
from wallchart.realtime.notices import start_due_check, user_room
from wallchart.realtime.push import display_room, heartbeat_room, room, start_heartbeat
from wallchart.services import accounts, sessions


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
    view = credential = display = None
    person = None
    if isinstance(token, str) and token:
        if (display := accounts.display_for_token(token)) is not None:
            view, credential = "wall", ("display", accounts.display_settings_key(display))
        elif (api := accounts.api_token_in_use(token)) is not None and api.user.can("read"):
            view, credential = "board", ("api", api.id)
            person = api.user.id
    elif origin_allowed and current_user.is_authenticated and current_user.can("read"):
        row = sessions.active(session.get("sid"), current_user.id)
        if row is not None:
            view, credential = "board", ("session", row.id)
            person = current_user.id
    if view is None:
        raise ConnectionRefusedError("unauthorized")
    _watched[request.sid] = credential
    _start_watching(current_app._get_current_object())
    start_heartbeat(current_app._get_current_object())
    profile = display.profile if display else "staff"
    join_room(room(view, _locale(auth), profile))
    if display is not None:  # meeting mode speaks to the walls the chair chose
        join_room(display_room(display.id, _locale(auth)))
    join_room(heartbeat_room(profile == "lobby"))
    if person is not None:  # the bell's live count (realtime.notices)
        join_room(user_room(person))
        start_due_check(current_app._get_current_object())
    hello = {"revision": queries.board_revision(lobby=profile == "lobby"), "view": view,
             "build": build.build_id(), "heartbeat": current_app.config["HEARTBEAT_SECONDS"]}
    if display is not None:  # the wall reloads when its settings changed while it was away
        hello["display"] = credential[1]
        accounts.displays_seen({display.id})
    emit("hello", hello)


def disconnect(reason: Any = None) -> None:
    _watched.pop(request.sid, None)
    _heard.pop(request.sid, None)


def anything(event: str, *args: Any) -> None:
    """Screens only listen; whatever one sends is dropped, and one that keeps sending is cut
    off so that it cannot slow the others."""
    now = time.monotonic()
    started, count = _heard.get(request.sid, (now, 0))
    if now - started > FLOOD_WINDOW_SECONDS:
        started, count = now, 0
    _heard[request.sid] = (started, count + 1)
    if count + 1 > FLOOD_MESSAGES:
        current_app.logger.warning("Closing socket %s: %d messages in %d s", request.sid,
                                   count + 1, FLOOD_WINDOW_SECONDS)
        flask_disconnect()


#: More messages than this within the window from one socket, and it is closed.
FLOOD_MESSAGES = 20
FLOOD_WINDOW_SECONDS = 10
_heard: dict[str, tuple[float, int]] = {}


#: This process's sockets and what let each in: ("session" | "api", row id), or ("display",
#: its settings key), so that a display whose profile or views change is closed and reloads.
_watched: dict[str, tuple[str, int | str]] = {}
_watchers: set[int] = set()


def _start_watching(app: Flask) -> None:
    """Start this server's watcher once, from the first socket that connects to it."""
    server = socketio.server
    if id(server) not in _watchers:
        _watchers.add(id(server))
        socketio.start_background_task(_watch, app, server)


def _watch(app: Flask, server) -> None:
    """Every few seconds, close the sockets whose credential no longer holds."""
    while True:
        socketio.sleep(app.config["SOCKET_CHECK_SECONDS"])
        if socketio.server is not server:  # a test's app was replaced by the next one's
            break
        close_revoked(app, server)
    _watchers.discard(id(server))


def close_revoked(app: Flask, server) -> None:
    """Close the sockets whose session ended, whose user was disabled, whose API token was
    revoked, or whose display was revoked or given new settings (it reloads with them)."""
    with app.app_context():
        try:
            revoked = _revoked()
            accounts.displays_seen({int(str(key).partition(":")[0]) for kind, key
                                    in _watched.values() if kind == "display"})
        except Exception:  # the watcher must outlive a database hiccup
            app.logger.exception("Socket watcher")
            return
        for sid in revoked:
            _watched.pop(sid, None)
            try:
                server.disconnect(sid, namespace="/")
            except Exception:  # one socket that is gone already must not spare the others
                app.logger.exception("Socket watcher: closing %s", sid)


def _revoked() -> list[str]:
    """The sockets whose session ended, whose user is disabled, whose API token was revoked or
    whose display token was revoked or given other settings."""
    watched = dict(_watched)
    by_kind: dict[str, set] = {"session": set(), "display": set(), "api": set()}
    for kind, row_id in watched.values():
        by_kind[kind].add(row_id)
    gone = {("session", i) for i in sessions.ended_among(by_kind["session"])}
    gone |= {("display", k) for k in accounts.stale_displays_among(by_kind["display"])}
    gone |= {("api", i) for i in accounts.revoked_api_tokens_among(by_kind["api"])}
    return [sid for sid, credential in watched.items() if credential in gone]


def init_app() -> None:
    """Register the handlers on the Socket.IO server that ``init_app`` just created.

    (Decorators would bind them to whichever server existed at import time only.)
    """
    socketio.on_event("connect", connect)
    socketio.on_event("disconnect", disconnect)
    socketio.on_event("*", anything)
    build.build_id()  # computed once per process, before the first screen asks
