"""Live push: render a changed card once per room, send it to every screen in that room.

Screens join one room per (view, language) when they connect, and a wall display one per
(language, profile): a lobby screen's room receives cards rendered with ``redact``, so a
confidential project's investor and amount never reach it, not even in the pushed data. A change
costs the same few renders however many screens are open. The payload is prepared inside the
write transaction (so its position is exact for its revision); the cards are rendered and sent
only after the commit succeeded. Then, a moment later and once for a burst of changes, each wall
room gets its header of key indicators and its ticker again (``wall_summary``).

Every ``HEARTBEAT_SECONDS`` each process also sends every screen the board's revision
(``heartbeat``), through the message queue when there is one: a screen that hears none for a
while knows its feed is broken (a dead Redis, a hung process) and says it may be out of date,
and one that hears of a revision beyond its own fetches the columns again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from socketio.pubsub_manager import PubSubManager

from .. import queries, wall_summary
from ..extensions import db, socketio
from ..models import Project, utcnow
from ..timeutil import iso_utc
from ..vocabulary import DISPLAY_PROFILES
from .positions import index_of

VIEWS = ("board", "wall")
#: Actions after which the card is no longer on the board: screens remove it.
LEAVES_BOARD = frozenset({"deleted", "withdrawn"})
#: The walls' header and ticker follow a burst of changes once, this long after its first one.
SUMMARY_DELAY_SECONDS = 0.5


def room(view: str, locale: str, profile: str = "staff") -> str:
    """A board screen's room is its language's; a wall's is its language's and profile's."""
    return f"{view}:{locale}:{profile}" if view == "wall" else f"{view}:{locale}"


def render_card(project: Project, view: str, redact: bool = False) -> str:
    """The card partial that the pages, the htmx fragments and the push all share;
    ``redact``: for a lobby screen (a confidential project shows neither investor nor amount)."""
    return render_template("partials/card.html", project=project, view=view, redact=redact)


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


@dataclass
class Broadcast:
    """What one committed change tells the screens."""

    project: Project
    payload: dict[str, Any]

    def send(self) -> None:
        """Render the card for each room with screens in it, and emit. Call after commit."""
        deleted = self.payload["action"] in LEAVES_BOARD
        rendered: dict[tuple[str, str, bool], str | None] = {}
        # A clean request context: the shared fragment must not depend on who caused the change.
        with current_app.test_request_context():
            try:
                for to in _rooms():
                    # A lobby room gets the staff rendering of a card with nothing to hide.
                    key = (to.view, to.locale, to.redact and self.project.confidential)
                    if key not in rendered:
                        with force_locale(to.locale):
                            rendered[key] = None if deleted else render_card(
                                self.project, to.view, redact=key[2])
                    socketio.emit("project", {**self.payload, "html": rendered[key]},
                                  to=to.name)
            except Exception:  # the change is committed: the heartbeat brings screens to it
                current_app.logger.exception("Live push of revision %s",
                                             self.payload["revision"])
        refresh_walls_soon()
        # Let the screens' writers run before this request goes on to write its own answer.
        socketio.sleep(0)


def prepare(project: Project, action: str, revision: int) -> Broadcast:
    """Take what the screens need while the write transaction still holds the board."""
    db.session.flush()  # assigns the new version and, for a new card, its id
    deleted = action in LEAVES_BOARD
    return Broadcast(project, {
        "id": project.id,
        "action": action,
        "stage": project.stage,
        "position": None if deleted else index_of(project),
        "version": project.version,
        "revision": revision,
        "at": iso_utc(utcnow()),
    })


# --- the walls' header and ticker -------------------------------------------------------------

#: The Socket.IO servers of this process with a refresh of the walls' summaries on its way. Only
#: this process's own changes are concerned: nothing another process would need.
_pending: set[int] = set()


def refresh_walls_soon() -> None:
    """Push every wall room its header and ticker again, once for a burst of changes."""
    server = socketio.server
    if id(server) in _pending or next(_rooms(("wall",)), None) is None:
        return
    _pending.add(id(server))
    socketio.start_background_task(_refresh_later, current_app._get_current_object(), server)


def _refresh_later(app: Flask, server) -> None:
    socketio.sleep(SUMMARY_DELAY_SECONDS)
    # From here on a new change schedules another refresh: the last one reads the last commit.
    _pending.discard(id(server))
    if socketio.server is not server:  # a test's app was replaced by the next one's
        return
    with app.app_context(), app.test_request_context():
        try:
            push_wall_summaries()
        except Exception:  # a failed refresh must not stop the next one
            app.logger.exception("Wall summary push")


def push_wall_summaries() -> None:
    """Compute the figures once per profile, render them once per (language, profile) room,
    and emit ``indicators`` and ``ticker``, each with the board revision it was read at."""
    rooms = list(_rooms(("wall",)))
    summaries = {profile: wall_summary.read(profile)
                 for profile in dict.fromkeys(to.profile for to in rooms)}
    for to in rooms:
        summary = summaries[to.profile]
        with force_locale(to.locale):
            header, ticker = wall_summary.render(summary)
        revision = summary.revision
        socketio.emit("indicators", {"revision": revision, "html": header}, to=to.name)
        socketio.emit("ticker", {"revision": revision, "html": ticker}, to=to.name)


# --- the heartbeat ----------------------------------------------------------------------------

#: The Socket.IO servers of this process whose heartbeat runs (one each).
_beating: set[int] = set()


def start_heartbeat(app: Flask) -> None:
    """Start this server's heartbeat once, from the first screen that connects to it."""
    server = socketio.server
    if id(server) not in _beating:
        _beating.add(id(server))
        socketio.start_background_task(_beat, app, server)


def _beat(app: Flask, server) -> None:
    """One database read and one message per interval, however many screens are open."""
    send = _heartbeat_sender(app, server)
    while True:
        socketio.sleep(app.config["HEARTBEAT_SECONDS"])
        if socketio.server is not server:  # a test's app was replaced by the next one's
            break
        with app.app_context():
            try:
                send({"revision": queries.board_revision()})
            except Exception:  # a failed beat (the database away) must not stop the next
                app.logger.exception("Heartbeat")
    _beating.discard(id(server))


def _heartbeat_sender(app: Flask, server) -> Callable[[dict[str, int]], None]:
    """How this process's beats reach the screens.

    The queue's manager hands what this process emits to its own screens directly, so pushes
    reach them with the queue down; a beat must prove the queue works, so it goes out through
    a write-only manager of its own (another sender, as a separate process would be) and comes
    back to this process's screens, like everyone else's, only through the queue.
    """
    manager = server.manager
    if not isinstance(manager, PubSubManager):
        return lambda data: server.emit("heartbeat", data, namespace="/")
    sender = type(manager)(app.config["SOCKETIO_MESSAGE_QUEUE"], channel=manager.channel,
                           write_only=True, logger=app.logger)
    return lambda data: sender.emit("heartbeat", data, namespace="/")
