"""The JSON API. Authenticated by session cookie (+ X-CSRFToken on writes) or a bearer token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import queries
from .errors import Conflict, Invalid, NotFound
from .serialize import event_json, project_json
from .services import projects
from .services.positions import index_of

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
@login_required
def _signed_in():
    """Every API route needs an identity; the services check what it may do."""


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid(_("Send a JSON object in the request body."))
    return data


def _project_or_404(project_id: int):
    project = queries.live_project(project_id)
    if project is None:
        raise NotFound(_("No such project."))
    if not current_user.can("read"):
        abort(403)
    return project


def _answer(project, status: int = 200):
    return jsonify(project_json(project, index_of(project))), status


@bp.errorhandler(Conflict)
def _conflict(error: Conflict):
    """A stale version: say so and send the project as the database has it."""
    body: dict[str, Any] = {"error": error.message}
    project_id = request.view_args.get("project_id") if request.view_args else None
    project = queries.live_project(project_id) if project_id else None
    if project is not None:
        body["project"] = project_json(project, index_of(project))
    if error.project_ids:  # a request about several projects: each stale one as it is now
        current = (queries.live_project(stale_id) for stale_id in error.project_ids)
        body["projects"] = [project_json(p, index_of(p)) for p in current if p is not None]
    return jsonify(body), 409


@bp.get("/projects")
def list_projects():
    if not current_user.can("read"):
        abort(403)
    result = []
    for column in queries.board_columns().values():
        result.extend(project_json(project, i) for i, project in enumerate(column))
    return jsonify(projects=result)


@bp.post("/projects")
def create_project():
    project = projects.create_project(current_user, _body())
    return _answer(project, 201)


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    project = _project_or_404(project_id)
    body = project_json(project, index_of(project))
    body["history"] = [event_json(event) for event in queries.history(project.id)]
    return jsonify(body)


@bp.patch("/projects/<int:project_id>")
def update_project(project_id: int):
    return _answer(projects.update_project(current_user, project_id, _body()))


@bp.post("/projects/<int:project_id>/move")
def move_project(project_id: int):
    data = _body()
    projects.refuse_unknown(data, {"stage", "version", "position", "reason"})
    project = projects.move_project(current_user, project_id, data.get("stage"),
                                    data.get("version"), data.get("position"), data.get("reason"))
    return _answer(project)


@bp.post("/projects/<int:project_id>/assign")
def assign_project(project_id: int):
    data = _body()
    projects.refuse_unknown(data, {"owner", "version", "reason"})
    if "owner" not in data:
        raise Invalid(_("Name the owner, or null for none."), {"owner": _("Required.")})
    project = projects.assign_project(current_user, project_id, data["owner"],
                                      data.get("version"), data.get("reason"))
    return _answer(project)


@bp.post("/projects/assign")
def assign_projects():
    """Several projects to one owner, all or nothing (leads and admins)."""
    data = _body()
    projects.refuse_unknown(data, {"projects", "owner", "reason"})
    if "owner" not in data:
        raise Invalid(_("Name the owner, or null for none."), {"owner": _("Required.")})
    changed = projects.assign_projects(current_user, data.get("projects"), data["owner"],
                                       data.get("reason"))
    return jsonify(projects=[project_json(p, index_of(p)) for p in changed])


@bp.delete("/projects/<int:project_id>")
def delete_project(project_id: int):
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise Invalid(_("Send a JSON object in the request body."))
    version = data.get("version", request.args.get("version", type=int))
    projects.delete_project(current_user, project_id, version, data.get("reason"))
    return "", 204

