"""The JSON API. Authenticated by session cookie (+ X-CSRFToken on writes) or a bearer token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wallchart.api.serialize import event_json, project_json
from wallchart.core.errors import Conflict, Duplicate, Invalid, MissingFields
from wallchart.core.inputs import json_object
from wallchart.core.models import Project
from wallchart.reads import queries
from wallchart.services import projects
from wallchart.services.validation import refuse_unknown

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
@login_required
def _signed_in():
    """Every API route needs an identity; the services check what it may do."""


def _p(project: Project) -> dict[str, Any]:
    """P, with its place in its column; a withdrawn project has none."""
    return project_json(project, queries.index_of(project) if project.on_board else None)


def _answer(project, status: int = 200):
    return jsonify(_p(project)), status


@bp.errorhandler(Conflict)
def _conflict(error: Conflict):
    """A stale version: say so and send the project as the database has it."""
    body: dict[str, Any] = {"error": error.message}
    project_id = request.view_args.get("project_id") if request.view_args else None
    project = queries.live_project(project_id) if project_id else None
    if project is not None:
        body["project"] = _p(project)
    if error.project_ids:  # a request about several projects: each stale one as it is now
        current = (queries.live_project(stale_id) for stale_id in error.project_ids)
        body["projects"] = [_p(p) for p in current if p is not None]
    return jsonify(body), 409


@bp.errorhandler(Duplicate)
def _duplicate(error: Duplicate):
    """A new project like existing ones: show them; ``allow_duplicate`` saves it anyway."""
    return jsonify(error=error.message, duplicates=[_p(p) for p in error.matches]), 409


@bp.errorhandler(MissingFields)
def _missing(error: MissingFields):
    """A stage gate: name what the stage still needs, to ask for it and try again."""
    return jsonify(error=error.message, missing=error.missing, fields=error.fields), 422


@bp.get("/projects")
def list_projects():
    """The board in column order, or with ``?status=withdrawn`` the archive, latest first."""
    if not current_user.can("read"):
        abort(403)
    status = request.args.get("status", "active")
    if status == "withdrawn":
        return jsonify(projects=[_p(project) for project in queries.withdrawn_projects()])
    if status != "active":
        raise Invalid(_("Ask for the active or the withdrawn projects."),
                      {"status": _("Choose active or withdrawn.")})
    result = []
    for column in queries.board_columns().values():
        result.extend(project_json(project, i) for i, project in enumerate(column))
    return jsonify(projects=result)


@bp.post("/projects")
def create_project():
    project = projects.create_project(current_user, json_object())
    return _answer(project, 201)


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    project = queries.project_or_404(project_id)
    if not current_user.can("read"):
        abort(403)
    body = _p(project)
    body["history"] = [event_json(event) for event in queries.history(project.id)]
    return jsonify(body)


@bp.patch("/projects/<int:project_id>")
def update_project(project_id: int):
    return _answer(projects.update_project(current_user, project_id, json_object()))


MOVE_KEYS = ("stage", "version", "position", "reason")


@bp.post("/projects/<int:project_id>/move")
def move_project(project_id: int):
    """A move; any other key is a record field or ``stage_dates`` saved with it."""
    data = json_object()
    fields = {key: value for key, value in data.items() if key not in MOVE_KEYS}
    project = projects.move_project(current_user, project_id, data.get("stage"),
                                    data.get("version"), data.get("position"), data.get("reason"),
                                    fields)
    return _answer(project)


@bp.post("/projects/<int:project_id>/withdraw")
def withdraw_project(project_id: int):
    data = json_object()
    refuse_unknown(data, {"version", "withdrawn_reason", "reason"})
    return _answer(projects.withdraw_project(current_user, project_id, data.get("version"),
                                             data.get("withdrawn_reason"), data.get("reason")))


@bp.post("/projects/<int:project_id>/reopen")
def reopen_project(project_id: int):
    data = json_object()
    refuse_unknown(data, {"version", "reason"})
    return _answer(projects.reopen_project(current_user, project_id, data.get("version"),
                                           data.get("reason")))


@bp.post("/projects/<int:project_id>/assign")
def assign_project(project_id: int):
    data = json_object()
    refuse_unknown(data, {"owner", "version", "reason"})
    if "owner" not in data:
        raise Invalid(_("Name the owner, or null for none."), {"owner": _("Required.")})
    project = projects.assign_project(current_user, project_id, data["owner"],
                                      data.get("version"), data.get("reason"))
    return _answer(project)


@bp.post("/projects/assign")
def assign_projects():
    """Several projects to one owner, all or nothing (leads and admins)."""
    data = json_object()
    refuse_unknown(data, {"projects", "owner", "reason"})
    if "owner" not in data:
        raise Invalid(_("Name the owner, or null for none."), {"owner": _("Required.")})
    changed = projects.assign_projects(current_user, data.get("projects"), data["owner"],
                                       data.get("reason"))
    return jsonify(projects=[_p(p) for p in changed])


@bp.delete("/projects/<int:project_id>")
def delete_project(project_id: int):
    data = json_object(required=False)
    version = data.get("version", request.args.get("version", type=int))
    projects.delete_project(current_user, project_id, version, data.get("reason"))
    return "", 204

