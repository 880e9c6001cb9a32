"""Blockers (协调事项): what holds a project up, which department must solve it, by when.

Raising and resolving one keep the project's own counters (``open_blockers``, ``blocker_due``)
right in the same transaction, record it in the project's history and re-render the card on
every screen: the card and its early warning are drawn from the project row alone. The
city-wide list for the scheduling meeting reads here too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from wallchart.core.errors import Invalid, NotFound
from wallchart.core.models import Blocker, County, Meeting, Project, User, utcnow
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import BLOCKER_KINDS
from wallchart.extensions import db
from wallchart.services import teams
from wallchart.services.changes import Change, board_change
from wallchart.services.project_steps import (
    authorize,
    check_version,
    load_project,
    record_event,
    require_active,
)
from wallchart.services.record import parse_date
from wallchart.services.validation import clean_text, refuse_if, refuse_unknown

DEPARTMENT_MAX = 100
TEXT_MAX = 2000
FIELDS = ("kind", "department", "description", "raised_on", "due_on")
STATUSES = ("open", "resolved")
SORTS = ("age", "department")


def _date(value: Any, field: str, errors: dict[str, str]) -> date | None:
    """A ``YYYY-MM-DD`` date from 2000 on (an earlier one is a typing slip, a year of 0202, not a
    matter anyone still coordinates); ``None`` when left empty or refused."""
    day = parse_date(value, field, errors, date.max, _("Enter a date as YYYY-MM-DD."))
    return None if field in errors else day


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in BLOCKER_KINDS:
        errors["kind"] = _("Choose a kind from the list.")
    department = clean_text(data.get("department"), "department", errors,
                            limit=DEPARTMENT_MAX, required=True, lines=False)
    description = clean_text(data.get("description"), "description", errors, limit=TEXT_MAX,
                             lines=True)
    now = today()
    raised_on = _date(data.get("raised_on"), "raised_on", errors) or now
    if raised_on > now:
        errors["raised_on"] = _("The date raised cannot be in the future.")
    due_on = _date(data.get("due_on"), "due_on", errors)
    if due_on is not None and "raised_on" not in errors and due_on < raised_on:
        errors["due_on"] = _("The due date cannot be before the date raised.")
    refuse_if(errors)
    return {"kind": kind, "department": department, "description": description,
            "raised_on": raised_on, "due_on": due_on}


def _recount(project: Project) -> None:
    """Set the project's open blockers and their earliest due date from the blockers."""
    count, earliest = db.session.execute(
        select(func.count(Blocker.id), func.min(Blocker.due_on))
        .where(Blocker.project_id == project.id, Blocker.status == "open")).one()
    project.open_blockers = count
    project.blocker_due = earliest
    project.updated_at = utcnow()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def raise_blocker(actor: User | None, project_id: int, data: dict[str, Any]) -> Blocker:
    """Register a matter the project needs solved; the card shows one more open blocker."""
    actor_id = authorize(actor, "note")
    refuse_unknown(data, set(FIELDS))
    clean = _clean(data)
    with board_change() as change:
        project = load_project(actor, project_id)
        require_active(project)
        blocker = open_blocker(change, project, actor_id, clean)
    return blocker


def check_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A blocker's ``FIELDS`` checked and converted, every fault gathered (``Invalid``)."""
    return _clean(data)


def open_blocker(change: Change, project: Project, actor_id: int, clean: dict[str, Any],
                 meeting: Meeting | None = None, follow_up: str = "") -> Blocker:
    """The one way a blocker is opened, inside ``change`` (its fields ``clean``, as
    ``check_fields`` gives them): the row, the project's counters, the history entry, the
    card's announcement. ``meeting``: the scheduling meeting that decided it, its source."""
    blocker = Blocker(project=project, raised_by_id=actor_id, status="open", meeting=meeting,
                      follow_up=follow_up, **clean)
    db.session.add(blocker)
    db.session.flush()
    _recount(project)
    changes = {"blocker": blocker.id, "kind": blocker.kind, "department": blocker.department,
               "description": blocker.description, "raised": _iso(blocker.raised_on),
               "due": _iso(blocker.due_on)}
    if meeting is not None:
        changes |= {"meeting": meeting.id, "meeting_title": meeting.title,
                    "follow_up": follow_up}
    record_event(project, actor_id, "blocker_raised", change.revision, changes=changes)
    change.announce(project, "blocker_raised")
    return blocker


def resolve_blocker(actor: User | None, blocker_id: int, version: Any,
                    resolution: Any) -> Blocker:
    """Close an open blocker with how it was solved, dated today."""
    actor_id = authorize(actor, "note")
    errors: dict[str, str] = {}
    resolution = clean_text(resolution, "resolution", errors, limit=TEXT_MAX, required=True,
                            lines=True)
    refuse_if(errors)
    with board_change() as change:
        blocker = _load_blocker(blocker_id)
        project = blocker.project
        teams.check_access(actor, project)
        require_active(project)
        check_version(blocker, version, _("Someone else changed this blocker meanwhile. "
                                          "The list now shows its current state."))
        if blocker.status != "open":
            raise Invalid(_("This blocker is resolved already."))
        blocker.status = "resolved"
        blocker.resolution = resolution
        blocker.resolved_on = today()
        blocker.resolved_by_id = actor_id
        _recount(project)
        record_event(project, actor_id, "blocker_resolved", change.revision, changes={
            "blocker": blocker.id, "kind": blocker.kind, "department": blocker.department,
            "due": _iso(blocker.due_on), "resolution": resolution})
        change.announce(project, "blocker_resolved")
    return blocker


def find_blocker(blocker_id: Any) -> Blocker | None:
    """The blocker as stored, unless its project was deleted."""
    blocker = None
    if isinstance(blocker_id, int) and not isinstance(blocker_id, bool):
        blocker = db.session.get(Blocker, blocker_id)
    return blocker if blocker and blocker.project.deleted_at is None else None


def _load_blocker(blocker_id: Any) -> Blocker:
    blocker = find_blocker(blocker_id)
    if blocker is None:
        raise NotFound(_("No such blocker."))
    return blocker


def _with_people(query):
    return query.options(joinedload(Blocker.raised_by), joinedload(Blocker.resolved_by),
                         joinedload(Blocker.meeting))


def blockers_of(project_id: int) -> list[Blocker]:
    """A project's blockers, the open ones first, each group the oldest first: one query."""
    return list(db.session.execute(_with_people(
        select(Blocker).where(Blocker.project_id == project_id)
        .order_by((Blocker.status == "open").desc(), Blocker.raised_on, Blocker.id))).scalars())


def city_list(status: Any = "open", sort: Any = "age", county: str | None = None,
              department: str | None = None) -> list[Blocker]:
    """The blockers of every project on the board, for the scheduling meeting: by age (the
    oldest first) or by department; only one county's or one department's when asked. One
    query, projects, counties, teams and people joined in."""
    if status not in STATUSES:
        raise Invalid(_("Unknown status."), {"status": _("Choose open or resolved.")})
    if sort not in SORTS:
        raise Invalid(_("Unknown sort order."), {"sort": _("Choose age or department.")})
    query = _with_people(
        select(Blocker).join(Blocker.project).options(contains_eager(Blocker.project))
        .where(Project.on_board,
               Blocker.status == status))
    if county:
        query = query.where(Project.county_id.in_(select(County.id).where(County.name == county)))
    if department:
        query = query.where(Blocker.department == department)
    age = (Blocker.raised_on, Blocker.id)
    query = query.order_by(*age) if sort == "age" else query.order_by(Blocker.department, *age)
    return list(db.session.execute(query).unique().scalars())


def departments(status: str = "open") -> list[str]:
    """The departments named by blockers of projects on the board, for the filter."""
    return list(db.session.execute(
        select(Blocker.department).distinct().join(Blocker.project)
        .where(Project.on_board,
               Blocker.status == status).order_by(Blocker.department)).scalars())
