"""Scheduling meetings (调度会) in the browser: the list and the form to prepare one, a
meeting's page (who attends, the decisions of earlier meetings still open, the agenda with each
project's situation, its decisions and the form to add one; for leads and administrators, the
agenda drawn from the board by its filters and reordered by hand), and its minutes as a
printable page and a Word document.

Every form posts to its own route; a success answers with a redirect to the meeting's page
(htmx follows it and swaps the page's body), a refusal with the page and the message."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from wallchart.core.errors import Invalid, NotFound, ServiceError
from wallchart.core.inputs import whole_number
from wallchart.core.models import Meeting
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import MEETING_VIEWS
from wallchart.reads import filters, queries
from wallchart.reads import meetings as meeting_reads
from wallchart.reports.minutes import minutes_docx, minutes_of
from wallchart.services import accounts, meetings
from wallchart.web.downloads import attachment

bp = Blueprint("meetings", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: What the form to add projects from the board sends: the board's own filter parameters.
AGENDA_FILTERS = ("county", "stage", "warning", "blockers", "sector", "team", "q")


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; the service checks what each role may do."""


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = meeting_reads.find_meeting(meeting_id)
    if meeting is None:
        raise NotFound(_("No such meeting."))
    return meeting


def _index(status: int = 200, **form: Any):
    counts = meeting_reads.decision_counts(today())
    people = queries.assignable_users() if meetings.may_run(current_user) else []
    return render_template("meetings/index.html", meetings=meeting_reads.meetings(),
                           counts=counts, people=people, may_run=meetings.may_run(current_user),
                           **form), status


@bp.get("/meetings")
def index():
    return _index()


@bp.post("/meetings")
def create():
    form = request.form
    data = {"title": form.get("title", ""), "date": form.get("date", ""),
            "guests": form.get("guests", ""), "attendees": form.getlist("attendees")}
    try:
        meeting = meetings.create_meeting(current_user, data)
    except ServiceError as error:
        return _index(error.status, form_message=error.message,
                      form_errors=getattr(error, "fields", {}), form_values=data)
    return redirect(url_for(".page", meeting_id=meeting.id), 303)


def _page(meeting: Meeting, status: int = 200, **form: Any):
    day = today()
    decided: dict[int, list] = {}
    for decision in meeting.decisions:
        decided.setdefault(decision.project_id, []).append(decision)
    may_run = meetings.may_run(current_user)
    walls = meeting_reads.wall_displays() if may_run else []
    return render_template(
        "meetings/meeting.html", meeting=meeting, day=day, decided=decided,
        earlier=meeting_reads.open_decisions(meeting), state_of=meeting_reads.decision_state,
        may_run=may_run, may_minutes=meetings.may_read_minutes(current_user, meeting),
        may_decide={item.project_id for item in meeting.items
                    if meetings.may_decide(current_user, item.project_id,
                                           item.project.team_id)},
        filter_choices=queries.filter_choices() if may_run else None,
        walls=walls, walls_on={wall.id for wall in walls if accounts.display_online(wall)},
        meeting_views=MEETING_VIEWS,
        **form), status


@bp.get("/meetings/<int:meeting_id>")
def page(meeting_id: int):
    return _page(_meeting_or_404(meeting_id))


def _agenda_asked(meeting: Meeting) -> list[int]:
    """The agenda the form asks for: the current one with projects added from the board (by
    its filters), one moved up or down, or one taken out."""
    current = [item.project_id for item in meeting.items]
    action = request.form.get("action", "")
    if action == "add":
        args = MultiDict([(name, value) for name in AGENDA_FILTERS
                          for value in request.form.getlist(name)])
        try:
            board_filter = filters.parse(args, queries.filter_choices(), current_user.username)
        except filters.BadFilter as error:
            raise Invalid(error.message, error.fields) from None
        if not board_filter.active:
            raise Invalid(_("Choose at least one filter: the whole board is not an agenda."))
        found, _total = queries.board_list(board_filter, limit=meetings.AGENDA_MAX)
        added = [project.id for project, _place in found if project.id not in current]
        if not added:
            raise Invalid(_("No project matching these filters is missing from the agenda."))
        return [*current, *added]
    project_id = whole_number(request.form.get("project", ""))
    if project_id not in current:
        raise Invalid(_("This project is not on the agenda."))
    index = current.index(project_id)
    if action == "remove":
        return [each for each in current if each != project_id]
    if action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if not 0 <= other < len(current):
            raise Invalid(_("The project cannot move further."))
        current[index], current[other] = current[other], current[index]
        return current
    raise Invalid(_("Unknown action."))


@bp.post("/meetings/<int:meeting_id>/agenda")
def agenda(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    try:
        if not meetings.may_run(current_user):
            abort(403)
        meetings.set_agenda(current_user, meeting_id, _agenda_asked(meeting))
    except ServiceError as error:
        return _page(meeting, error.status, agenda_message=error.message)
    return redirect(url_for(".page", meeting_id=meeting_id, _anchor="agenda"), 303)


@bp.post("/meetings/<int:meeting_id>/decisions")
def decide(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    form = request.form
    project_id = whole_number(form.get("project_id", ""))
    data = {"project_id": project_id if project_id is not None else form.get("project_id"),
            **{name: form.get(name, "") for name in ("text", "department", "due", "follow_up",
                                                      "kind")}}
    try:
        meetings.add_decision(current_user, meeting_id, data)
    except ServiceError as error:
        return _page(meeting, error.status, acting=project_id, form_message=error.message,
                     form_errors=getattr(error, "fields", {}), form_values=data)
    return redirect(url_for(".page", meeting_id=meeting_id, _anchor=f"item-{project_id}"), 303)


@bp.post("/meetings/<int:meeting_id>/present")
def present(meeting_id: int):
    """Meeting mode, driven from any screen: ``position`` (0 first) puts that agenda item on
    the walls in the meeting (``display``, repeated, with ``choose_walls``: which walls, when
    it goes up); ``stop`` returns them to their rotation; ``view`` (``ranking``,
    ``attention``) puts up the county ranking or the blocker list instead of the item."""
    meeting = _meeting_or_404(meeting_id)
    form = request.form
    stop = form.get("position", "") == "stop"
    position = None if stop else whole_number(form.get("position", ""))
    displays = ([whole_number(value) for value in form.getlist("display")]
                if form.get("choose_walls") else None)
    try:
        if "view" in form:
            meetings.show_view(current_user, meeting_id, form.get("view"))
        else:
            if not stop and position is None:
                if not meetings.may_run(current_user):
                    abort(403)
                raise Invalid(_("Choose an item of the agenda."), {"position": _("Required.")})
            meetings.present(current_user, meeting_id, position, displays)
    except ServiceError as error:
        return _page(meeting, error.status, agenda_message=error.message)
    return redirect(url_for(".page", meeting_id=meeting_id, _anchor="agenda"), 303)


def _minutes(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    if not meetings.may_read_minutes(current_user, meeting):
        abort(403)
    return minutes_of(meeting, today(), current_app.config)


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int):
    """The minutes as a page, laid out for print."""
    return render_template("meetings/minutes.html", minutes=_minutes(meeting_id))


@bp.get("/meetings/<int:meeting_id>/minutes.docx")
def minutes_word(meeting_id: int):
    found = _minutes(meeting_id)
    stem = f"minutes_{found.meeting.held_on.isoformat()}_{found.meeting.id}"
    return attachment(minutes_docx(found), f"{stem}.docx", found.filename, DOCX)
