"""Progress notes and blockers in the browser: the project panel's two sections (htmx, each form
swaps its own section) and the city-wide list of open blockers for the scheduling meeting."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wallchart.core.early_warnings import blocker_age_days, blocker_overdue
from wallchart.core.errors import NotFound, ServiceError
from wallchart.core.inputs import number_or_text
from wallchart.core.models import Project
from wallchart.core.timeutil import today
from wallchart.reads import queries
from wallchart.reports import meeting
from wallchart.services import blockers, notes
from wallchart.web.downloads import XLSX, attachment
from wallchart.web.panel_sections import PanelSection

bp = Blueprint("tracking", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; the services check what each role may do."""


@bp.app_template_global()
def may_track(project: Project) -> bool:
    """Whether the signed-in person sees the forms to add notes and blockers."""
    return notes.may_write(current_user, project)


bp.add_app_template_global(blocker_overdue)
bp.add_app_template_global(blocker_age_days, "blocker_age")


def notes_of(project: Project) -> dict[str, Any]:
    """What the notes section lists: handed to its template, which queries nothing."""
    return {"notes": notes.notes_of(project.id)}


def blockers_of(project: Project) -> dict[str, Any]:
    """What the blockers section lists."""
    return {"blockers": blockers.blockers_of(project.id)}


NOTES = PanelSection("partials/project_notes.html", notes_of)
BLOCKERS = PanelSection("partials/project_blockers.html", blockers_of)


@bp.get("/board/projects/<int:project_id>/notes")
def notes_section(project_id: int):
    return NOTES.answer(project_id)


@bp.post("/board/projects/<int:project_id>/notes")
def add_note(project_id: int):
    text = request.form.get("text", "")
    try:
        notes.add_note(current_user, project_id, text)
    except ServiceError as error:
        return NOTES.refused(project_id, error, form_values={"text": text})
    return NOTES.answer(project_id)


@bp.get("/board/projects/<int:project_id>/blockers")
def blockers_section(project_id: int):
    return BLOCKERS.answer(project_id)


@bp.post("/board/projects/<int:project_id>/blockers")
def raise_blocker(project_id: int):
    # Only the form's own fields: anything else a page sends is dropped, as on the board.
    data = {field: request.form.get(field, "") for field in blockers.FIELDS}
    try:
        blockers.raise_blocker(current_user, project_id, data)
    except ServiceError as error:
        return BLOCKERS.refused(project_id, error, form_values=data)
    return BLOCKERS.answer(project_id)


@bp.post("/board/blockers/<int:blocker_id>/resolve")
def resolve_blocker(blocker_id: int):
    blocker = blockers.find_blocker(blocker_id)
    if blocker is None:
        raise NotFound(_("No such blocker."))
    project_id = blocker.project_id
    version = number_or_text(request.form.get("version", ""))
    resolution = request.form.get("resolution", "")
    try:
        blockers.resolve_blocker(current_user, blocker_id, version, resolution)
    except ServiceError as error:
        return BLOCKERS.refused(project_id, error, resolving=blocker_id,
                        form_values={"resolution": resolution})
    return BLOCKERS.answer(project_id)


def _city_list() -> dict[str, Any]:
    """The open blockers the request asks for: sort and filters from the URL, so that the page,
    a link to it and its Excel file hold the same list."""
    args = request.args
    sort = args.get("sort") if args.get("sort") in blockers.SORTS else "age"
    county, department = args.get("county", ""), args.get("department", "")
    found = blockers.city_list("open", sort, county or None, department or None)
    return {"blockers": found, "sort": sort, "county": county, "department": department}


@bp.get("/blockers")
def city():
    """Open blockers of the whole city: sortable by age or department, filtered by county and
    department, the state in the URL so that a link shows the same list."""
    shown = _city_list()
    return render_template("blockers.html", **shown, counties=queries.counties(),
                           departments=blockers.departments(),
                           overdue=sum(1 for b in shown["blockers"] if blocker_overdue(b)))


@bp.get("/blockers.xlsx")
def city_xlsx():
    """The page's list as an Excel file for the scheduling meeting."""
    shown, day = _city_list(), today()
    narrowed = [name for name in (shown["county"], shown["department"]) if name]
    body = meeting.blockers_workbook(shown["blockers"], narrowed, day)
    return attachment(body, f"open-blockers_{day.isoformat()}.xlsx",
                      "_".join([_("Open blockers"), *narrowed, day.isoformat()]) + ".xlsx", XLSX)
