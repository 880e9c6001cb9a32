"""The JSON API of progress notes and blockers; authenticated like ``api``: a session cookie
(+ X-CSRFToken on writes) or a bearer API token. Everyone signed in reads; the services decide
who writes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_login import current_user

from wallchart.core.errors import Conflict
from wallchart.core.inputs import json_object
from wallchart.core.models import Blocker, ProjectEvent
from wallchart.core.timeutil import iso_utc, today
from wallchart.identity import readers_only
from wallchart.reads import queries
from wallchart.services import blockers, notes
from wallchart.services.validation import refuse_unknown

bp = Blueprint("tracking_api", __name__, url_prefix="/api")


bp.before_request(readers_only)


def note_json(note: ProjectEvent) -> dict[str, Any]:
    return {"id": note.id, "at": iso_utc(note.at),
            "by": note.user.username if note.user else None, "text": note.changes["note"]}


def blocker_json(blocker: Blocker) -> dict[str, Any]:
    day = today()
    return {
        "id": blocker.id,
        "project": {"id": blocker.project.id, "name": blocker.project.name},
        "kind": blocker.kind,
        "department": blocker.department,
        "description": blocker.description,
        "raised_on": blocker.raised_on.isoformat(),
        "due_on": blocker.due_on.isoformat() if blocker.due_on else None,
        "status": blocker.status,
        "resolution": blocker.resolution,
        "resolved_on": blocker.resolved_on.isoformat() if blocker.resolved_on else None,
        "raised_by": blocker.raised_by.username if blocker.raised_by else None,
        "resolved_by": blocker.resolved_by.username if blocker.resolved_by else None,
        "version": blocker.version,
        "overdue": blockers.overdue(blocker, day),
        "age_days": blockers.age_days(blocker, day),
    }


@bp.errorhandler(Conflict)
def _conflict(error: Conflict):
    """A stale blocker version: say so and send the blocker as the database has it."""
    body: dict[str, Any] = {"error": error.message}
    blocker_id = request.view_args.get("blocker_id") if request.view_args else None
    current = blockers.find_blocker(blocker_id) if blocker_id else None
    if current is not None:
        body["blocker"] = blocker_json(current)
    return jsonify(body), 409


@bp.get("/projects/<int:project_id>/notes")
def list_notes(project_id: int):
    project = queries.project_or_404(project_id)
    return jsonify(notes=[note_json(n) for n in notes.notes_of(project.id)])


@bp.post("/projects/<int:project_id>/notes")
def add_note(project_id: int):
    data = json_object()
    refuse_unknown(data, {"text"})
    return jsonify(note_json(notes.add_note(current_user, project_id, data.get("text")))), 201


@bp.get("/projects/<int:project_id>/blockers")
def list_blockers(project_id: int):
    found = blockers.blockers_of(queries.project_or_404(project_id).id)
    return jsonify(blockers=[blocker_json(b) for b in found])


@bp.post("/projects/<int:project_id>/blockers")
def raise_blocker(project_id: int):
    blocker = blockers.raise_blocker(current_user, project_id, json_object())
    return jsonify(blocker_json(blocker)), 201


@bp.post("/blockers/<int:blocker_id>/resolve")
def resolve_blocker(blocker_id: int):
    data = json_object()
    refuse_unknown(data, {"version", "resolution"})
    blocker = blockers.resolve_blocker(current_user, blocker_id, data.get("version"),
                                       data.get("resolution"))
    return jsonify(blocker_json(blocker))


@bp.get("/blockers")
def city_blockers():
    """Every project's blockers, city-wide: ``status``, ``sort``, ``county``, ``department``."""
    args = request.args
    found = blockers.city_list(args.get("status", "open"), args.get("sort", "age"),
                               args.get("county") or None, args.get("department") or None)
    return jsonify(blockers=[blocker_json(b) for b in found])
