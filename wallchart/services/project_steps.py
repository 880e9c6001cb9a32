"""The steps every change to a project shares, whichever service makes it (projects, notes,
blockers): who may do it, which project it is (and whether the actor's team holds it), whether
the request still matches the stored row, whether the project may still change, and the history
entry that records it.

Each raises the error the house rules name for its refusal, before anything is written.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from wallchart.core.errors import Conflict, Forbidden, Invalid, NotFound
from wallchart.core.models import Project, ProjectEvent, User
from wallchart.core.transactions import stale_message
from wallchart.extensions import db
from wallchart.services import teams


def authorize(actor: User | None, permission: str) -> int:
    """Refuse an actor whose role lacks ``permission``; return the id the history records."""
    if actor is None or not actor.can(permission):
        raise Forbidden(_("You are not allowed to do this."))
    return actor.id


def load_project(actor: User, project_id: Any) -> Project:
    """The project with this id that ``actor`` may change: none, or a deleted one, is not found
    (a deleted card is gone for every change); one of a team the actor is not in is refused."""
    project = None
    if isinstance(project_id, int) and not isinstance(project_id, bool):
        project = db.session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        raise NotFound(_("No such project."))
    teams.check_access(actor, project)
    return project


def check_version(row: Any, version: Any, conflict: str | None = None) -> None:
    """Refuse a change made to an older state of ``row`` than the stored one (``conflict`` says
    why; by default, that someone else changed the project)."""
    if not isinstance(version, int) or isinstance(version, bool):
        raise Invalid(_("The version must be a whole number."), {"version": _("Required.")})
    if version != row.version:
        raise Conflict(conflict or stale_message())


def require_active(project: Project) -> None:
    """A withdrawn project is in the archive: it changes only by being reopened."""
    if project.status == "withdrawn":
        raise Invalid(_("This project is withdrawn. Reopen it first."))


def record_event(project: Project, actor_id: int, action: str, revision: int,
                 **fields: Any) -> ProjectEvent:
    """Add the history entry of a change, in its transaction, at the board revision it has."""
    event = ProjectEvent(project=project, user_id=actor_id, action=action,
                         revision=revision, **fields)
    db.session.add(event)
    return event
