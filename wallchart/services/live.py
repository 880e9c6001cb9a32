"""Live push: render a changed card once per language and view, send it to every screen.

Screens join one room per (view, language) when they connect, so a change costs the same few
renders however many screens are open. The payload is prepared inside the write transaction
(so its position is exact for its revision) and sent only after the commit succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from ..extensions import db, socketio
from ..models import Project, utcnow
from ..timeutil import iso_utc
from .positions import index_of

VIEWS = ("board", "wall")


def room(view: str, locale: str) -> str:
    return f"{view}:{locale}"


def render_card(project: Project, view: str) -> str:
    """The card partial that the pages, the htmx fragments and the push all share."""
    return render_template("partials/card.html", project=project, view=view)


@dataclass
class Broadcast:
    """What one committed change tells the screens."""

    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def send(self) -> None:
        for to, payload in self.messages:
            socketio.emit("project", payload, to=to)
        # Let the screens' writers run before this request goes on to write its own answer.
        socketio.sleep(0)


def prepare(project: Project, action: str, revision: int) -> Broadcast:
    """Render the card for every (view, language) room; call before commit, send after."""
    db.session.flush()  # assigns the new version and, for a new card, its id
    deleted = action == "deleted"
    payload = {
        "id": project.id,
        "action": action,
        "stage": project.stage,
        "position": None if deleted else index_of(project),
        "version": project.version,
        "revision": revision,
        "at": iso_utc(utcnow()),
    }
    broadcast = Broadcast()
    # A clean request context: the shared fragment must not depend on who caused the change.
    with current_app.test_request_context():
        for locale in current_app.config["LANGUAGES"]:
            with force_locale(locale):
                for view in VIEWS:
                    html = None if deleted else render_card(project, view)
                    broadcast.messages.append((room(view, locale), {**payload, "html": html}))
    return broadcast
