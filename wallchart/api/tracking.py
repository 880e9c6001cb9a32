"""The JSON API of progress notes and blockers; authenticated like ``api``: a session cookie
(+ X-CSRFToken on writes) or a bearer API token. Everyone signed in reads; the services decide
who writes."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from wallchart.api.errors import api_blueprint
from wallchart.api.serialize import blocker_json, note_json
from wallchart.core.inputs import json_object
from wallchart.identity import readers_only
from wallchart.reads import queries
from wallchart.services import blockers, notes
from wallchart.services.validation import refuse_unknown

bp = api_blueprint("tracking_api", __name__)


bp.before_request(readers_only)


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
