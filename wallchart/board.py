"""The board for signed-in people: the page, its htmx fragments, and the project forms."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from . import filters, queries
from .errors import Conflict, NotFound, ServiceError
from .formatting import name_list
from .services import projects, teams
from .services.projects import EDITABLE
from .vocabulary import STAGES

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.before_request
@login_required
def _signed_in():
    """Every board page needs a signed-in user; the services check what each role may do."""


def _closed(message: str) -> Response:
    """Tell the page the dialog's work is done; the card itself arrives by the live push."""
    response = Response(status=204)
    response.headers["HX-Trigger"] = json.dumps({"wallchart:done": {"message": message}})
    return response


def _form_data(form) -> dict[str, Any]:
    """Form strings to the types the service validates; a non-number stays text and is refused."""
    data: dict[str, Any] = {field: form.get(field, "")
                            for field in (*EDITABLE, "team") if field in form}
    amount = data.get("investment_wan", "").strip().replace(",", "")
    if amount.isdigit():
        data["investment_wan"] = int(amount)
    if "version" in form:
        data["version"] = _int_or_text(form["version"])
    return data


def _int_or_text(value: str) -> int | str:
    return int(value) if value.strip().isdigit() else value


@bp.get("")
def index():
    my_team_ids = teams.team_ids(current_user)
    # Leads choose owners among the people of their teams; the service checks each project.
    owners = []
    if current_user.can("assign"):
        owners = queries.people_of_teams(None if current_user.role == "admin" else my_team_ids)
    shown = filters.screen(request.args, current_user.username)
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        # The filter bar asks (htmx): the columns, and the bar's status swapped out of band.
        body = (render_template("partials/columns.html", **shown.context(), view="board")
                + render_template("partials/filter_bar.html", **shown.context(), status_only=True))
        return body, shown.status, {"Vary": "HX-Request"}
    return render_template("board.html", **shown.context(), view="board",
                           mine=request.args.get("mine") == "1",
                           my_teams=queries.team_names(my_team_ids),
                           teams_only=request.args.get("teams") == "mine",
                           owners=owners), shown.status, {"Vary": "HX-Request"}


@bp.get("/workload")
def workload():
    """Per owner: projects by stage, total investment, stalled ones; for one team with ?team=."""
    all_teams = queries.teams()
    name = request.args.get("team", "")
    team = None
    if name:
        team = next((team for team in all_teams if team.name == name), None)
        if team is None:
            raise NotFound(_("No team named %(name)s.", name=name))
    stall_days = current_app.config["STALL_DAYS"]
    limits = []
    for stage, label in STAGES.items():
        if stall_days.get(stage) is not None:
            days = ngettext("%(num)d day", "%(num)d days", stall_days[stage])
            limits.append(f"{label} {days}")
    return render_template("workload.html", load=queries.workload(stall_days, team),
                           teams=all_teams, team=team,
                           stall_limits=name_list(limits, limit=len(limits)))


@bp.get("/columns")
def columns():
    """The columns alone, for a screen that resyncs after a gap or a reconnect; its filter
    comes in the query string, as on the page."""
    shown = filters.screen(request.args, current_user.username)
    return render_template("partials/columns.html", **shown.context(), view="board"), \
        shown.status


def _form(project, values: dict[str, Any], errors: dict[str, str], message: str | None = None,
          status: int = 200):
    return render_template(
        "partials/project_form.html", project=project, values=values, errors=errors,
        message=message, counties=queries.counties(), teams=teams.teams_of(current_user)), status


@bp.get("/projects/new")
def new_project():
    return _form(None, {}, {})


@bp.post("/projects")
def create_project():
    data = _form_data(request.form)
    try:
        project = projects.create_project(current_user, data)
    except ServiceError as error:
        return _form_error(None, data, error)
    return _closed(project.name)


@bp.get("/projects/<int:project_id>/edit")
def edit_project(project_id: int):
    return _form(_project(project_id), {}, {})


@bp.post("/projects/<int:project_id>")
def update_project(project_id: int):
    data = _form_data(request.form)
    try:
        project = projects.update_project(current_user, project_id, data)
    except ServiceError as error:
        current = queries.live_project(project_id)
        if isinstance(error, Conflict):
            data = {}  # show what the database holds now, under the message
        return _form_error(current, data, error)
    return _closed(project.name)


def _form_error(project, data: dict[str, Any], error: ServiceError):
    if isinstance(error, NotFound):
        raise error
    return _form(project, data, getattr(error, "fields", {}), error.message, error.status)


@bp.get("/projects/<int:project_id>")
def panel(project_id: int):
    return _panel(_project(project_id))


def _panel(project, error: ServiceError | None = None):
    body = render_template("partials/project_panel.html", project=project,
                           history=queries.history(project.id),
                           users=project.team.people() if project.team
                           else queries.assignable_users(),
                           message=error.message if error else None)
    return body, error.status if error else 200


def _project(project_id: int):
    project = queries.live_project(project_id)
    if project is None:
        raise NotFound(_("No such project."))
    return project


@bp.post("/projects/<int:project_id>/move")
def move_project(project_id: int):
    """The keyboard path of a move: the panel's "move to…" menu."""
    form = request.form
    return _panel_action(project_id, projects.move_project, form.get("stage"),
                         _int_or_text(form.get("version", "")),
                         None if form.get("position", "") == "" else
                         _int_or_text(form.get("position", "")), form.get("reason"))


@bp.post("/projects/<int:project_id>/assign")
def assign_project(project_id: int):
    form = request.form
    return _panel_action(project_id, projects.assign_project, form.get("owner") or None,
                         _int_or_text(form.get("version", "")), form.get("reason"))


@bp.post("/projects/<int:project_id>/delete")
def delete_project(project_id: int):
    form = request.form
    project = projects.delete_project(current_user, project_id,
                                      _int_or_text(form.get("version", "")), form.get("reason"))
    return _closed(project.name)


def _panel_action(project_id: int, service, *args):
    try:
        project = service(current_user, project_id, *args)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        return _panel(_project(project_id), error)
    return _panel(project)
