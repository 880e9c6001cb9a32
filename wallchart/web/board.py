"""The board for signed-in people: the page, its htmx fragments, and the project forms."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from wallchart.core.errors import (
    Conflict,
    Duplicate,
    Invalid,
    MissingFields,
    NotFound,
    ServiceError,
)
from wallchart.core.formatting import name_list
from wallchart.core.inputs import number_or_text, typed_number
from wallchart.core.models import Team
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import STAGES
from wallchart.reads import filters, queries
from wallchart.reports import ledger, meeting
from wallchart.services import projects, teams
from wallchart.web import documents, funds, tracking
from wallchart.web.downloads import CSV, XLSX, attachment

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.before_request
@login_required
def _signed_in():
    """Every board page needs a signed-in user; the services check what each role may do."""


def _closed(message: str, **detail: Any) -> Response:
    """Tell the page the dialog's work is done; the card itself arrives by the live push."""
    response = Response(status=204)
    response.headers["HX-Trigger"] = json.dumps(
        {"wallchart:done": {"message": message, **detail}})
    return response


#: How the project forms' strings become what the services validate, by field.
TEXT_FIELDS = ("name", "code", "investor", "county", "sector", "team", "origin", "three500",
               "enterprise_type", "industry_chain", "source_channel", "source_detail",
               "contact_person", "contact_phone", "description", "agreement_kind",
               "project_kind")
NUMBER_FIELDS = ("investment_wan", "foreign_capital_usd_wan", "land_mu", "increment_wan")
CHECKBOX_FIELDS = ("foreign_invested", "new_trade_entity", "confidential")
#: The project form: the whole record but the plan, which the panel edits on its own.
RECORD_FIELDS = TEXT_FIELDS + NUMBER_FIELDS + CHECKBOX_FIELDS
#: The panel's "next step" form (dates as YYYY-MM-DD, the owner by username), with the start
#: the agreement promised once the project is signed.
PLAN_FIELDS = ("next_step", "next_step_due", "next_step_owner", "planned_on", "promised_start_on")


def _form_data(form, fields: tuple[str, ...] = RECORD_FIELDS) -> dict[str, Any]:
    """Form strings to the types the services validate: a ticked box is True, a box the form
    carried unticked (its hidden "0") False; a whole number an int, while a non-number stays
    text for the service to refuse; an empty field None. Fields the form lacks stay out."""
    data: dict[str, Any] = {}
    for field in fields:
        if field not in form:
            continue
        if field in CHECKBOX_FIELDS:
            data[field] = "1" in form.getlist(field)
            continue
        value = form.get(field, "").strip()
        data[field] = None if value == "" else typed_number(value) if field in NUMBER_FIELDS \
            else value
    if "version" in form:
        data["version"] = number_or_text(form["version"])
    return data


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
        context = shown.context("board")
        body = (render_template("partials/columns.html", **context)
                + render_template("partials/filter_bar.html", **context, status_only=True))
        return body, shown.status, {"Vary": "HX-Request"}
    return render_template("board.html", **shown.context("board"), **_first_steps(shown),
                           mine=request.args.get("mine") == "1",
                           my_teams=queries.team_names(my_team_ids),
                           teams_only=request.args.get("teams") == "mine",
                           export_query=_query_string(),
                           owners=owners), shown.status, {"Vary": "HX-Request"}


def _query_string() -> str:
    """The request's query string as the export links carry it (``?…``, or nothing)."""
    args = list(request.args.items(multi=True))
    return "?" + urlencode(args) if args else ""


def _first_steps(shown: filters.Screen) -> dict[str, Any]:
    """What the page needs to say what the reader can do: the teams whose cards he may move
    (an administrator moves every card, a viewer none), whom to ask when that is none, and
    whether the board is still empty (and has no counties yet)."""
    move_any = current_user.can("move") and current_user.role == "admin"
    movable = [team.name for team in teams.teams_of(current_user)] \
        if current_user.can("move") and not move_any else []
    teamless = current_user.can("move") and not move_any and not movable
    empty = (shown.columns is not None and not shown.board_filter.active
             and not any(shown.columns[stage] for stage in STAGES))
    return {"move_any": move_any, "movable_teams": movable, "teamless": teamless,
            "board_empty": empty, "no_counties": empty and not queries.counties(),
            "administrators": queries.administrators() if teamless or empty else []}


def _workload_team(all_teams: list[Team]) -> Team | None:
    """The team ``?team=`` names (None: every team); an unknown name is 404."""
    name = request.args.get("team", "")
    if not name:
        return None
    team = next((team for team in all_teams if team.name == name), None)
    if team is None:
        raise NotFound(_("No team named %(name)s.", name=name))
    return team


def _stall_note() -> str | None:
    """What "stalled" means on this install: how long each stage may go without news (None
    where no stage has a limit). Under the table, on the page and in its Excel file."""
    stall_days = current_app.config["STALL_DAYS"]
    limits = []
    for stage, label in STAGES.items():
        if stall_days.get(stage) is not None:
            days = ngettext("%(num)d day", "%(num)d days", stall_days[stage])
            limits.append(f"{label} {days}")
    if not limits:
        return None
    return _("Stalled: no progress note and no stage change for more than %(limits)s; its card "
             "shows the early warning “no update” (yellow or red).",
             limits=name_list(limits, limit=len(limits)))


@bp.get("/workload")
def workload():
    """Per owner: projects by stage, total investment, stalled ones; for one team with ?team=."""
    all_teams = queries.teams()
    team = _workload_team(all_teams)
    return render_template("workload.html", load=queries.workload(team),
                           teams=all_teams, team=team, stall_note=_stall_note())


@bp.get("/workload.xlsx")
def workload_xlsx():
    """The page's table as an Excel file for the scheduling meeting."""
    team, day = _workload_team(queries.teams()), today()
    narrowed = [team.name] if team else []
    body = meeting.workload_workbook(queries.workload(team), narrowed, day, _stall_note())
    return attachment(body, f"workload_{day.isoformat()}.xlsx",
                      "_".join([_("Workload"), *narrowed, day.isoformat()]) + ".xlsx", XLSX)


def _ledger() -> tuple[filters.BoardFilter, list, str]:
    """The projects the board shows under the request's filter (the board's parsing: a bad
    parameter is the board's 400 and message) and its "my projects" / "my teams" switches
    (which the board applies in the browser, board.js), with the day for the file's name."""
    board_filter = filters.parse(request.args, queries.filter_choices(), current_user.username)
    rows, _total = queries.board_list(board_filter)
    shown = [project for project, _place in rows]
    if request.args.get("mine") == "1":
        shown = [project for project in shown if project.owner_id == current_user.id]
    if request.args.get("teams") == "mine" and (mine := teams.team_ids(current_user)):
        shown = [project for project in shown if project.team_id in mine]
    return board_filter, shown, today().isoformat()


@bp.get("/export.xlsx")
def export_xlsx():
    """The board as shown (its filter in the query string) as the bureau's ledger, in Excel."""
    board_filter, shown, day = _ledger()
    return attachment(ledger.workbook(shown, board_filter, today()), f"projects_{day}.xlsx",
                      _("Project ledger") + f"_{day}.xlsx", XLSX)


@bp.get("/export.csv")
def export_csv():
    """The same ledger as a CSV (UTF-8 with a byte order mark, for Excel)."""
    _board_filter, shown, day = _ledger()
    return attachment(ledger.csv_text(shown).encode(), f"projects_{day}.csv",
                      _("Project ledger") + f"_{day}.csv", CSV)


@bp.get("/columns")
def columns():
    """The columns alone, for a screen that resyncs after a gap or a reconnect; its filter
    comes in the query string, as on the page."""
    shown = filters.screen(request.args, current_user.username)
    return render_template("partials/columns.html", **shown.context("board")), \
        shown.status


def _form(project, values: dict[str, Any], errors: dict[str, str], message: str | None = None,
          status: int = 200, matches: list | None = None):
    return render_template(
        "partials/project_form.html", project=project, values=values, errors=errors,
        message=message, matches=matches or [], counties=queries.counties(),
        teams=teams.teams_of(current_user)), status


@bp.get("/projects/new")
def new_project():
    return _form(None, {}, {})


@bp.post("/projects")
def create_project():
    data = _form_data(request.form)
    if request.form.get("allow_duplicate") == "1":
        data["allow_duplicate"] = True  # the person saw the similar projects and confirmed
    try:
        project = projects.create_project(current_user, data)
    except ServiceError as error:
        return _form_error(None, data, error)
    return _closed(_("Project %(name)s created.", name=project.name), created=project.id)


@bp.get("/projects/<int:project_id>/edit")
def edit_project(project_id: int):
    return _form(queries.project_or_404(project_id), {}, {})


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
    if isinstance(error, Duplicate):  # the form lists the matches and offers "save anyway"
        return _form(project, data, {}, None, error.status, matches=error.matches)
    return _form(project, data, getattr(error, "fields", {}), error.message, error.status)


@bp.get("/projects/<int:project_id>")
def panel(project_id: int):
    return _panel(queries.project_or_404(project_id))


def _panel(project, error: ServiceError | None = None, form: str | None = None,
           values: dict[str, Any] | None = None, gate: dict[str, Any] | None = None):
    """The panel; after a refusal, ``form`` names the panel form it concerns, which shows
    ``values`` as typed and the error at each field."""
    history = queries.history(project.id)
    withdrawn_by = next((event.user for event in history if event.action == "withdrawn"), None)
    body = render_template("partials/project_panel.html", project=project, history=history,
                           users=project.team.people() if project.team
                           else queries.assignable_users(),
                           message=error.message if error else None,
                           errors=getattr(error, "fields", {}), form=form, values=values or {},
                           gate=gate, withdrawn_by=withdrawn_by,
                           **tracking.notes_of(project), **tracking.blockers_of(project),
                           **funds.funds_of(project), **documents.documents_of(project))
    return body, error.status if error else 200


@bp.post("/projects/<int:project_id>/move")
def move_project(project_id: int):
    """The keyboard path of a move: the panel's "move to…" menu. A stage gate's refusal shows
    the panel again with inputs for what the stage needs, sent with the move next time."""
    form = request.form
    fields: dict[str, Any] = {}
    if "investment_wan" in form:
        fields["investment_wan"] = _form_data(form, ("investment_wan",))["investment_wan"]
    dates = {key.removeprefix("stage_dates."): form[key].strip() or None
             for key in form if key.startswith("stage_dates.")}
    if dates:
        fields["stage_dates"] = dates
    try:
        project = projects.move_project(
            current_user, project_id, form.get("stage"), number_or_text(form.get("version", "")),
            None if form.get("position", "") == "" else number_or_text(form["position"]),
            form.get("reason"), fields=fields or None)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        gate = None
        if isinstance(error, MissingFields) or (fields and isinstance(error, Invalid)):
            # Ask again for what the stage needs: the missing fields, what was sent, and the
            # date of the stage entered, so that a move can be dated back.
            stage = form.get("stage", "")
            sent = [name for name in fields if name != "stage_dates"]
            asked = [*getattr(error, "missing", []), *sent,
                     *(f"stage_dates.{key}" for key in dates), f"stage_dates.{stage}"]
            gate = {"stage": stage, "fields": list(dict.fromkeys(asked))}
        return _panel(queries.project_or_404(project_id), error, "move", dict(form), gate)
    return _panel(project)


@bp.post("/projects/<int:project_id>/assign")
def assign_project(project_id: int):
    form = request.form
    return _panel_action(project_id, projects.assign_project, form.get("owner") or None,
                         number_or_text(form.get("version", "")), form.get("reason"))


@bp.post("/projects/<int:project_id>/plan")
def plan_project(project_id: int):
    """The next step, its due date and owner, when the next stage is planned and the start the
    agreement promised."""
    data = _form_data(request.form, PLAN_FIELDS)
    return _panel_action(project_id, projects.update_project, data, form="plan",
                         values=dict(request.form))


@bp.post("/projects/<int:project_id>/dates")
def correct_date(project_id: int):
    """A lead corrects the date a stage was entered, say a signing backdated; a person gives
    the reason, which the history keeps (the API leaves it optional for imports)."""
    form = request.form
    stage = form.get("stage", "")
    reason = form.get("reason", "").strip()
    if not reason:
        message = _("Give the reason for the correction.")
        return _panel(queries.project_or_404(project_id), Invalid(message, {"reason": message}),
                      f"dates:{stage}", dict(form))
    data = {"version": number_or_text(form.get("version", "")), "reason": reason,
            "stage_dates": {stage: form.get("date", "").strip() or None}}
    return _panel_action(project_id, projects.update_project, data, form=f"dates:{stage}",
                         values=dict(form))


@bp.post("/projects/<int:project_id>/withdraw")
def withdraw_project(project_id: int):
    form = request.form
    response = _panel_action(project_id, projects.withdraw_project,
                             number_or_text(form.get("version", "")),
                             form.get("withdrawn_reason") or None, form.get("comment") or None,
                             form="withdraw", values=dict(form))
    return _archive_changed(response)


@bp.post("/projects/<int:project_id>/reopen")
def reopen_project(project_id: int):
    form = request.form
    version, reason = number_or_text(form.get("version", "")), form.get("reason") or None
    if not request.headers.get("HX-Request"):
        return _reopen_without_script(project_id, version, reason)
    response = _panel_action(project_id, projects.reopen_project, version, reason,
                             form="reopen", values=dict(form))
    return _archive_changed(response)


def _reopen_without_script(project_id: int, version: Any, reason: str | None) -> Response:
    """The archive's Reopen sent by the browser itself (htmx not yet running on a slow line, or
    no script): back to the archive, which says what happened. A refusal for the person or a
    missing project is the error page, as anywhere."""
    try:
        project = projects.reopen_project(current_user, project_id, version, reason)
    except (Conflict, Invalid) as error:
        flash(error.message)
    else:
        flash(_("%(name)s is back on the board, in %(stage)s.", name=project.name,
                stage=STAGES[project.stage]))
    return redirect(url_for(".archive"), 303)


def _archive_changed(response: tuple[str, int]) -> Response:
    """After a withdrawal or a reopening the archive page, if that is where it happened,
    lists its projects again."""
    body, status = response
    answer = Response(body, status)
    if status == 200:
        answer.headers["HX-Trigger"] = "wallchart:archive-changed"
    return answer


@bp.post("/projects/<int:project_id>/delete")
def delete_project(project_id: int):
    form = request.form
    project = projects.delete_project(current_user, project_id,
                                      number_or_text(form.get("version", "")), form.get("reason"))
    return _closed(project.name)


def _panel_action(project_id: int, service, *args, form: str | None = None,
                  values: dict[str, Any] | None = None):
    try:
        project = service(current_user, project_id, *args)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        return _panel(queries.project_or_404(project_id), error, form, values)
    return _panel(project)


@bp.get("/archive")
def archive():
    """Withdrawn projects (终止/退库), the latest first; leads reopen them from here."""
    withdrawn = queries.withdrawn_projects()
    return render_template("archive.html", projects=withdrawn,
                           withdrawn_by=queries.withdrawn_by([project.id for project in withdrawn]))
