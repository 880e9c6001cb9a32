"""Progress notes (进展): what happened on a project, in a few lines, by whom and when.

A note is an entry of the project's history (a ``ProjectEvent`` with the action ``noted``):
append-only like the rest of the history, so it needs no table of its own and no version from
the client. Adding one dates the project's last update (``last_note_on``), which the early
warnings read from the project row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from wallchart.core.models import Project, ProjectEvent, User, utcnow
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import teams
from wallchart.services.changes import board_change
from wallchart.services.project_steps import authorize, load_project, record_event, require_active
from wallchart.services.validation import clean_text, refuse_if

NOTE_MAX = 5000


def may_write(user: User, project: Project) -> bool:
    """Whether ``user`` may add notes and blockers to ``project``: what the forms are shown for."""
    return (user.is_authenticated and user.can("note") and project.on_board
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def add_note(actor: User | None, project_id: int, text: Any) -> ProjectEvent:
    """Add a progress note; every screen re-renders the card (its "no update" warning clears)."""
    actor_id = authorize(actor, "note")
    errors: dict[str, str] = {}
    text = clean_text(text, "text", errors, limit=NOTE_MAX, required=True, lines=True)
    refuse_if(errors)
    with board_change() as change:
        project = load_project(actor, project_id)
        require_active(project)
        project.last_note_on = today()
        project.updated_at = utcnow()
        note = record_event(project, actor_id, "noted", change.revision, changes={"note": text})
        change.announce(project, "noted")
    return note


def notes_of(project_id: int) -> list[ProjectEvent]:
    """A project's notes, the newest first, their authors joined in: one query."""
    return list(db.session.execute(
        select(ProjectEvent).where(ProjectEvent.project_id == project_id,
                                   ProjectEvent.action == "noted")
        .order_by(ProjectEvent.at.desc(), ProjectEvent.id.desc())).scalars())
