"""The JSON API. Authenticated by session cookie (+ X-CSRFToken on writes) or a bearer token."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wallchart.api.errors import api_blueprint
from wallchart.api.serialize import event_json, placed_json, project_json
from wallchart.core.errors import Invalid
from wallchart.core.inputs import INT_MAX, json_object, whole_number
from wallchart.reads import filters, queries
from wallchart.services import projects
from wallchart.services.validation import refuse_unknown

bp = api_blueprint("api", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every API route needs an identity; the services check what it may do."""


def _answer(project, status: int = 200):
    return jsonify(placed_json(project)), status


#: Projects per page when a page is asked without ``per_page``, and the most a page holds.
PER_PAGE = 100
PER_PAGE_MAX = 500


def _paging() -> tuple[int, int] | None:
    """``?page=N&per_page=M`` (from 1; ``per_page`` 1 to ``PER_PAGE_MAX``); ``None`` when the
    request asks for no page: then the whole list, as before paging existed."""
    if "page" not in request.args and "per_page" not in request.args:
        return None
    errors: dict[str, str] = {}
    numbers = {}
    for name, default, largest in (("page", 1, INT_MAX), ("per_page", PER_PAGE, PER_PAGE_MAX)):
        values = request.args.getlist(name)
        number = whole_number(values[0], largest) if len(values) == 1 else None
        if not values:
            number = default
        elif number is None or number < 1:
            errors[name] = _("Enter a whole number from 1 to %(max)s.", max=f"{largest:,}")
        numbers[name] = number
    if errors:
        raise Invalid(_("Ask for a page by whole numbers: page from 1, per_page from 1 to "
                        "%(max)s.", max=PER_PAGE_MAX), errors)
    return numbers["page"], numbers["per_page"]


@bp.get("/projects")
def list_projects():
    """The board in column order, narrowed by the board's filter parameters (``county``,
    ``stage``, ``q``…); or with ``?status=withdrawn`` the archive, latest first. With ``page``
    (and ``per_page``) one page of it; ``total`` counts the whole list either way."""
    if not current_user.can("read"):
        abort(403)
    paging = _paging()
    status = request.args.get("status", "active")
    if status == "withdrawn":
        used = [name for name in filters.PARAMETERS if any(
            value.strip() for value in request.args.getlist(name))]
        if used:
            raise filters.BadFilter(
                _("The board's filters apply to the projects on the board only."), used[0])
        withdrawn = queries.withdrawn_projects()
        total = len(withdrawn)
        if paging:
            page, per_page = paging
            withdrawn = withdrawn[(page - 1) * per_page:page * per_page]
        return jsonify(projects=[placed_json(project) for project in withdrawn],
                       **_page_keys(paging, total))
    if status != "active":
        raise Invalid(_("Ask for the active or the withdrawn projects."),
                      {"status": _("Choose active or withdrawn.")})
    # The board's parsing: a refusal is the board's 400 and message, at its parameter.
    board_filter = filters.parse(request.args, queries.filter_choices(), current_user.username)
    if paging:
        page, per_page = paging
        rows, total = queries.board_list(board_filter, (page - 1) * per_page, per_page)
    else:
        rows, total = queries.board_list(board_filter)
    return jsonify(projects=[project_json(project, place) for project, place in rows],
                   **_page_keys(paging, total))


def _page_keys(paging: tuple[int, int] | None, total: int) -> dict[str, int]:
    """Without a page asked, the whole list is one page holding everything."""
    page, per_page = paging or (1, total)
    return {"page": page, "per_page": per_page, "total": total}


@bp.post("/projects")
def create_project():
    project = projects.create_project(current_user, json_object())
    return _answer(project, 201)


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    project = queries.project_or_404(project_id)
    if not current_user.can("read"):
        abort(403)
    body = placed_json(project)
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
    return jsonify(projects=[placed_json(p) for p in changed])


@bp.delete("/projects/<int:project_id>")
def delete_project(project_id: int):
    data = json_object(required=False)
    version = data.get("version", request.args.get("version", type=int))
    projects.delete_project(current_user, project_id, version, data.get("reason"))
    return "", 204

