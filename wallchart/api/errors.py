"""The API's one error map: what a refusal of any ``/api`` blueprint answers besides the
message. Everything else (403, 404, 422 with its ``fields``...) is the app's error handlers'
(``web.error_pages``), which answer JSON under ``/api``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from wallchart.api.serialize import blocker_json, placed_json
from wallchart.core.errors import Conflict, Duplicate, MissingFields
from wallchart.reads import queries
from wallchart.services import blockers


def _conflict(error: Conflict):
    """A stale version: say so and send what the request named as the database has it (the
    project, each stale one of a request about several, or the blocker)."""
    body: dict[str, Any] = {"error": error.message}
    args = request.view_args or {}
    project = queries.live_project(args["project_id"]) if args.get("project_id") else None
    if project is not None:
        body["project"] = placed_json(project)
    if error.project_ids:  # a request about several projects: each stale one as it is now
        current = (queries.live_project(stale_id) for stale_id in error.project_ids)
        body["projects"] = [placed_json(p) for p in current if p is not None]
    blocker = blockers.find_blocker(args["blocker_id"]) if args.get("blocker_id") else None
    if blocker is not None:
        body["blocker"] = blocker_json(blocker)
    return jsonify(body), 409


def _duplicate(error: Duplicate):
    """A new project like existing ones: show them; ``allow_duplicate`` saves it anyway."""
    return jsonify(error=error.message, duplicates=[placed_json(p) for p in error.matches]), 409


def _missing(error: MissingFields):
    """A stage gate: name what the stage still needs, to ask for it and try again."""
    return jsonify(error=error.message, missing=error.missing, fields=error.fields), 422


ERRORS = {Conflict: _conflict, Duplicate: _duplicate, MissingFields: _missing}


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint on ``/api`` with the error map: every API module makes its own here."""
    bp = Blueprint(name, import_name, url_prefix="/api")
    for error, handler in ERRORS.items():
        bp.register_error_handler(error, handler)
    return bp
