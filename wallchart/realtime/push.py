"""Live push: hears every committed change the services announce (``services.events``), renders
the changed card once per room, and sends it to every screen in that room.

Screens join one room per (view, language) when they connect, and a wall display one per
(language, profile): a lobby screen's room receives cards rendered with ``redact``, so a
confidential project's investor and amount never reach it, not even in the pushed data. A change
costs the same few renders however many screens are open. The announcement was prepared inside
the write transaction (so its position is exact for its revision); it arrives here only after
the commit succeeded. Then, a moment later and once for a burst of changes, each wall
room gets its header of key indicators and its ticker again (``wall_summary``), unless no
change of the burst touched what they read (``events.summary_sees``).

A lobby screen must not learn even *when* a confidential project's hidden values changed. So
lobby rooms hear only of the changes a lobby can see (``events.lobby_sees``), numbered by a
revision of their own (``BoardState.lobby_revision``), which every lobby screen reads
everywhere it reads a revision (its hello, its columns, its header, the heartbeat): a change
they cannot see leaves nothing behind, no event, no gap, no header refresh.

Every ``HEARTBEAT_SECONDS`` each process also sends each of its own screens the board's
revision, a lobby its own (``heartbeat``, to the process's ``heartbeat_room``), through the
message queue when there is one: a screen that hears none for a while knows its feed is broken
(a dead Redis, a hung process) and says it may be out of date, and one that hears of a revision
beyond its own fetches the columns again.
"""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from flask.ctx import RequestContext
from flask.testing import EnvironBuilder
from flask_babel import force_locale
from socketio.pubsub_manager import PubSubManager

from wallchart.core.timeutil import iso_utc, today
from wallchart.core.vocabulary import DISPLAY_PROFILES
from wallchart.extensions import socketio
from wallchart.reads import card_cache, queries
from wallchart.reads import meetings as meeting_reads
from wallchart.reports import meeting_mode, wall_summary
from wallchart.services.events import (
    Announcement,
    BoardReloaded,
    MeetingShown,
    ProjectChanged,
)

VIEWS = ("board", "wall")
#: The walls' header and ticker follow a burst of changes once, this long after its first one,
SUMMARY_DELAY_SECONDS = 0.5
#: and, under a stream of changes, at most once in this long: a figure of the year to date
#: that comes a second later is as good, and each refresh reads every figure again.
SUMMARY_INTERVAL_SECONDS = 2.0

def room(view: str, locale: str, profile: str = "staff") -> str:
    """A board screen's room is its language's; a wall's is its language's and profile's."""
    return f"{view}:{locale}:{profile}" if view == "wall" else f"{view}:{locale}"


#: Each app's environ of a request of no one, built once (building it took a fifth of a push).
_clean_environs: weakref.WeakKeyDictionary[Flask, dict[str, Any]] = weakref.WeakKeyDictionary()


def clean_request(app: Flask) -> RequestContext:
    """A request context of no one, in which what every screen shares is rendered."""
    environ = _clean_environs.get(app)
    if environ is None:
        builder = EnvironBuilder(app)
        try:
            environ = _clean_environs[app] = builder.get_environ()
        finally:
            builder.close()
    return app.request_context(dict(environ))


@dataclass(frozen=True)
class Room:
    name: str
    view: str
    locale: str
    profile: str

    @property
    def redact(self) -> bool:
        return self.profile == "lobby"


def _rooms(views: tuple[str, ...] = VIEWS) -> Iterator[Room]:
    """Each room to send to. One process knows who listens and skips empty rooms; behind a
    message queue, screens of other processes may be in any room."""
    manager = socketio.server.manager
    everywhere = isinstance(manager, PubSubManager)
    for locale in current_app.config["LANGUAGES"]:
        for view in views:
            for profile in (DISPLAY_PROFILES if view == "wall" else ("staff",)):
                name = room(view, locale, profile)
                if everywhere or next(manager.get_participants("/", name), None) is not None:
                    yield Room(name, view, locale, profile)


def _payload(change: ProjectChanged, to: Room) -> dict[str, Any]:
    """What a room is told of a change: a lobby room its own revision, and no version (a lobby
    card never moves, and its version would count the changes it cannot see)."""
    payload = {
        "id": change.project.id,
        "action": change.action,
        "stage": change.project.stage,
        "position": change.position,
        "revision": change.revision,
        "at": iso_utc(change.at),
    }
    if to.redact:
        return {**payload, "revision": change.lobby_revision}
    return {**payload, "version": change.version}


def push(change: Announcement) -> None:
    """Render the card for each room with screens in it, and emit: the listener of every
    committed change (``services.events.subscribe``)."""
    if isinstance(change, BoardReloaded):
        reload_screens(change)
        return
    if isinstance(change, MeetingShown):
        show_meeting()
        return
    project = change.project
    rendered: dict[tuple[str, str, bool], str | None] = {}
    # A clean request context: the shared fragment must not depend on who caused the change.
    with clean_request(current_app._get_current_object()):
        try:
            for to in _rooms():
                if to.redact and change.lobby_revision is None:
                    continue
                # A lobby room gets the staff rendering of a card with nothing to hide.
                key = (to.view, to.locale, to.redact and project.confidential)
                if key not in rendered:
                    with force_locale(to.locale):
                        rendered[key] = None if change.leaves_board else card_cache.render(
                            project, to.view, redact=key[2])
                socketio.emit("project", {**_payload(change, to), "html": rendered[key]},
                              to=to.name)
        except Exception:  # the change is committed: the heartbeat brings screens to it
            current_app.logger.exception("Live push of revision %s", change.revision)
    if change.summary_sees:
        refresh_walls_soon(lobby=change.lobby_revision is not None)
    # Let the screens' writers run before this request goes on to write its own answer.
    socketio.sleep(0)


def render_meeting(profile: str) -> str | None:
    """Meeting mode's pane for a wall of ``profile``: the item on the walls, or ``None``."""
    shown = meeting_mode.screen(profile, today())
    return render_template("partials/wall_meeting.html", **shown) if shown else None


def display_room(display_id: int, locale: str) -> str:
    """A wall display's own room in its language: meeting mode speaks to the walls one by one,
    as the chair chose them."""
    return f"display:{display_id}:{locale}"


def show_meeting() -> None:
    """Meeting mode: each wall the chair chose shows what he put up (rendered once per
    language and profile, a lobby's without what it must not show); every other wall is told
    ``null`` and keeps (or goes back to) its rotation."""
    rendered: dict[tuple[str, str], str | None] = {}
    manager = socketio.server.manager
    everywhere = isinstance(manager, PubSubManager)
    with clean_request(current_app._get_current_object()):
        try:
            for display in meeting_reads.wall_displays():
                for locale in current_app.config["LANGUAGES"]:
                    name = display_room(display.id, locale)
                    if not everywhere and next(manager.get_participants("/", name), None) is None:
                        continue
                    key = (locale, display.profile)
                    if not display.in_meeting:
                        html = None
                    elif key in rendered:
                        html = rendered[key]
                    else:
                        with force_locale(locale):
                            html = rendered[key] = render_meeting(display.profile)
                    socketio.emit("meeting", {"html": html}, to=name)
        except Exception:  # the walls keep what they show; the next change puts it right
            current_app.logger.exception("Meeting mode push")
    socketio.sleep(0)


def reload_screens(change: BoardReloaded) -> None:
    """Tell every room that the board was reloaded at its revision (a lobby room: at its own,
    if it can see the change at all): each screen reads its columns again."""
    try:
        for to in _rooms():
            revision = change.lobby_revision if to.redact else change.revision
            if revision is not None:
                socketio.emit("reloaded", {"revision": revision}, to=to.name)
    except Exception:  # the change is committed: the heartbeat brings screens to it
        current_app.logger.exception("Live push of revision %s", change.revision)
    refresh_walls_soon(lobby=change.lobby_revision is not None)


# --- the walls' header and ticker -------------------------------------------------------------

#: The Socket.IO servers of this process with a refresh of the walls' summaries on its way, each
#: with whether the lobby rooms are due one too. Only this process's own changes are
#: concerned: nothing another process would need.
_pending: dict[int, bool] = {}


def refresh_walls_soon(lobby: bool = True) -> None:
    """Push every wall room its header and ticker again, once for a burst of changes; the lobby
    rooms only if one of them was a change they can see (``lobby``)."""
    server = socketio.server
    if id(server) in _pending:
        _pending[id(server)] |= lobby
        return
    if next(_rooms(("wall",)), None) is None:
        return
    _pending[id(server)] = lobby
    socketio.start_background_task(_refresh_later, current_app._get_current_object(), server)


#: When each Socket.IO server of this process last refreshed the walls.
_refreshed_at: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


def _refresh_later(app: Flask, server) -> None:
    since = time.monotonic() - _refreshed_at.get(server, float("-inf"))
    socketio.sleep(max(SUMMARY_DELAY_SECONDS, SUMMARY_INTERVAL_SECONDS - since))
    _refreshed_at[server] = time.monotonic()
    # From here on a new change schedules another refresh: the last one reads the last commit.
    lobby = _pending.pop(id(server), True)
    if socketio.server is not server:  # a test's app was replaced by the next one's
        return
    # A failed refresh must not stop the next one: nor must the database going away while its
    # context closes (the session's rollback then fails too).
    try:
        with app.app_context(), clean_request(app):
            push_wall_summaries(lobby)
    except Exception:
        app.logger.exception("Wall summary push")


#: What each Socket.IO server of this process last pushed to each wall room, by event
#: (``indicators``, ``ticker``): the HTML less its revision, and that revision.
_last_pushed: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], tuple[str, int]]] = \
    weakref.WeakKeyDictionary()


def push_wall_summaries(lobby: bool = True) -> None:
    """Compute the figures once per profile, render them once per (language, profile) room
    (the lobby rooms only if ``lobby``), and emit ``indicators`` and ``ticker``, each with the
    revision it was read at.

    Only what changed is sent whole: a header (or ticker) that reads as the one pushed last to
    its room goes as its revision and that push's (``same_since``). A wall that shows that push
    keeps it; one that loaded, fetched or missed something in between asks for the summary
    (``static/js/wall.js``). Behind a message queue every push is whole: the last one to a
    room may have come from another process.
    """
    rooms = [to for to in _rooms(("wall",)) if lobby or not to.redact]
    summaries = {profile: wall_summary.read(profile)
                 for profile in dict.fromkeys(to.profile for to in rooms)}
    server = socketio.server
    everywhere = isinstance(server.manager, PubSubManager)
    pushed = _last_pushed.setdefault(server, {})
    for to in rooms:
        summary = summaries[to.profile]
        revision = summary.revision
        with force_locale(to.locale):
            header, ticker = wall_summary.render(summary)
        for event, html in (("indicators", header), ("ticker", ticker)):
            shown = html.replace(f'data-revision="{revision}"', "", 1)
            last = pushed.get((to.name, event))
            if last is not None and last[0] == shown and not everywhere:
                message = {"revision": revision, "same_since": last[1]}
            else:
                message = {"revision": revision, "html": html}
            pushed[(to.name, event)] = (shown, revision)
            socketio.emit(event, message, to=to.name)


# --- the heartbeat ----------------------------------------------------------------------------

#: The Socket.IO servers of this process whose heartbeat runs (one each).
_beating: set[int] = set()
#: Each Socket.IO server's own name, made when it is first asked (after gunicorn's fork).
_names: dict[int, str] = {}


def heartbeat_room(lobby: bool) -> str:
    """The room of this process's screens of one kind (lobby, or any other), which its beat is
    sent to: behind a message queue, each screen then hears one beat an interval, its own
    process's, however many processes share the queue."""
    name = _names.setdefault(id(socketio.server), uuid.uuid4().hex)
    return f"beat:{name}:{'lobby' if lobby else 'staff'}"


def start_heartbeat(app: Flask) -> None:
    """Start this server's heartbeat once, from the first screen that connects to it."""
    server = socketio.server
    if id(server) not in _beating:
        _beating.add(id(server))
        socketio.start_background_task(_beat, app, server)


def _beat(app: Flask, server) -> None:
    """Two database reads and two messages per interval, however many screens are open: this
    process's lobby screens are told the lobby revision, its other screens the board's."""
    send = _heartbeat_sender(app, server)
    while True:
        socketio.sleep(app.config["HEARTBEAT_SECONDS"])
        if socketio.server is not server:  # a test's app was replaced by the next one's
            break
        with app.app_context():
            try:
                for lobby in (False, True):
                    send({"revision": queries.board_revision(lobby)}, heartbeat_room(lobby))
            except Exception:  # a failed beat (the database away) must not stop the next
                app.logger.exception("Heartbeat")
    _beating.discard(id(server))


def _heartbeat_sender(app: Flask, server) -> Callable[[dict[str, int], str], None]:
    """How this process's beats reach the screens.

    The queue's manager hands what this process emits to its own screens directly, so pushes
    reach them with the queue down; a beat must prove the queue works, so it goes out through
    a write-only manager of its own (another sender, as a separate process would be) and comes
    back to this process's screens, like everyone else's, only through the queue.
    """
    manager = server.manager
    if not isinstance(manager, PubSubManager):
        return lambda data, to: server.emit("heartbeat", data, to=to, namespace="/")
    sender = type(manager)(app.config["SOCKETIO_MESSAGE_QUEUE"], channel=manager.channel,
                           write_only=True, logger=app.logger)
    return lambda data, to: sender.emit("heartbeat", data, namespace="/", room=to)
