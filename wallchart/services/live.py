"""Live push: render a changed card once per language and view, send it to every screen.

Screens join one room per (view, language) when they connect, so a change costs the same few
renders however many screens are open. The payload is prepared inside the write transaction
(so its position is exact for its revision); the cards are rendered and sent only after the
commit succeeded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from socketio.pubsub_manager import PubSubManager

from ..extensions import db, socketio
from ..models import Project, utcnow
from ..timeutil import iso_utc
from .positions import index_of

VIEWS = ("board", "wall")
#: Actions after which the card is no longer on the board: screens remove it.
LEAVES_BOARD = frozenset({"deleted", "withdrawn"})


def room(view: str, locale: str) -> str:
    return f"{view}:{locale}"


def render_card(project: Project, view: str) -> str:
    """The card partial that the pages, the htmx fragments and the push all share."""
    return render_template("partials/card.html", project=project, view=view)


def _rooms() -> Iterator[tuple[str, str, str]]:
    """Each (room, view, language) to send to. One process knows who listens and skips empty
    rooms; behind a message queue, screens of other processes may be in any room."""
    manager = socketio.server.manager
    everywhere = isinstance(manager, PubSubManager)
    for locale in current_app.config["LANGUAGES"]:
        for view in VIEWS:
            name = room(view, locale)
            if everywhere or next(manager.get_participants("/", name), None) is not None:
                yield name, view, locale


@dataclass
class Broadcast:
    """What one committed change tells the screens."""

    project: Project
    payload: dict[str, Any]

    def send(self) -> None:
        """Render the card for each room with screens in it, and emit. Call after commit."""
        deleted = self.payload["action"] in LEAVES_BOARD
        # A clean request context: the shared fragment must not depend on who caused the change.
        with current_app.test_request_context():
            for to, view, locale in _rooms():
                with force_locale(locale):
                    html = None if deleted else render_card(self.project, view)
                socketio.emit("project", {**self.payload, "html": html}, to=to)
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
