"""Progress notes (进展): what happened on a project, in a few lines, by whom and when.

A note is an entry of the project's history (a ``ProjectEvent`` with the action ``noted``):
append-only like the rest of the history, so it needs no table of its own and no version from
the client. Adding one dates the project's last update (``last_note_on``), which the early
warnings read from the project row.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from wallchart.core.inputs import unstorable, unstorable_message
from wallchart.core.models import Project, ProjectEvent, User, utcnow
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import teams
from wallchart.services.accounts import refuse_if
from wallchart.services.changes import board_change
from wallchart.services.project_steps import authorize, load_project, record_event, require_active

NOTE_MAX = 5000


def clean_text(value: Any, field: str, errors: dict[str, str], *, limit: int,
               required: bool = False, lines: bool = True) -> str:
    """Text as a person typed it, blanks around it trimmed: with ``lines``, line breaks are kept
    (as ``\\n``); any other control character is refused (it would not print, or mislead)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters.", n=limit)
    elif any(unicodedata.category(ch) == "Cc" and not (lines and ch == "\n") for ch in value):
        errors[field] = (_("Only text and line breaks are allowed here.") if lines
                         else _("Line breaks and control characters are not allowed here."))
    elif unstorable(value):
        errors[field] = unstorable_message()
    return value


def may_write(user: User, project: Project) -> bool:
    """Whether ``user`` may add notes and blockers to ``project``: what the forms are shown for."""
    return (user.is_authenticated and user.can("note") and project.on_board
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def add_note(actor: User | None, project_id: int, text: Any) -> ProjectEvent:
    """Add a progress note; every screen re-renders the card (its "no update" warning clears)."""
    actor_id = authorize(actor, "note")
    errors: dict[str, str] = {}
    text = clean_text(text, "text", errors, limit=NOTE_MAX, required=True)
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
