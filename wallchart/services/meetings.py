"""Scheduling meetings (调度会): preparing one (title, date, who attends, an agenda of projects
drawn from the board), its agenda set and reordered, and the decisions taken on its items.

Leads and administrators run meetings; a member of a project's team may also type the
decisions on that project. A decision (交办事项) is an open blocker (协调事项) of its project,
opened by ``blockers.open_blocker``: in the project's history, on its card and in the city's
list, with the meeting as its source and who follows it up (督办); resolving the blocker is
doing the decision. Preparing a meeting and changing its agenda change no card: they are
written in the audit log (who, what, when, the agenda before and after), without a board
revision.

The agenda of a new meeting starts with the projects whose decisions of earlier meetings are
still open (``reads.meetings.carried_over``), then the projects asked for, each once.

In meeting mode (``present``) the walls the chair chose show one item of a meeting's agenda,
the chair moving through it from any screen, or (``show_view``) the county ranking or the
blocker list; one meeting at a time is on the walls, the walls not chosen keep their rotation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.inputs import INT_MAX
from wallchart.core.models import Blocker, DisplayToken, Meeting, MeetingItem, Project, User
from wallchart.core.timeutil import today
from wallchart.core.transactions import quiet_transaction
from wallchart.core.vocabulary import MEETING_VIEWS
from wallchart.extensions import db
from wallchart.reads import meetings as meeting_reads
from wallchart.services import blockers, events, teams
from wallchart.services.accounts import audit
from wallchart.services.changes import board_change
from wallchart.services.project_steps import authorize, load_project, require_active
from wallchart.services.record import EARLIEST, parse_date
from wallchart.services.validation import clean_text, refuse_if, refuse_unknown

TITLE_MAX = 200
GUESTS_MAX = 500
FOLLOW_UP_MAX = 64
USERNAME_MAX = 64
#: The most projects one agenda holds (a city's meeting goes through dozens, not hundreds).
AGENDA_MAX = 200
#: How far ahead a meeting or a decision's due date may be: ten years, as planned dates.
YEARS_AHEAD = 10
CREATE_FIELDS = ("title", "date", "attendees", "guests", "agenda")
DECISION_FIELDS = ("project_id", "text", "department", "due", "follow_up", "kind")


def may_run(user: Any) -> bool:
    """Whether ``user`` prepares meetings and changes their agendas (leads, administrators)."""
    return bool(user and user.is_authenticated and user.can("run_meetings"))


def may_decide(user: Any, project_id: int, team_id: int | None) -> bool:
    """Whether ``user`` may type decisions on this project: who runs meetings, or a member of
    its team who may raise its blockers."""
    return may_run(user) or bool(user and user.is_authenticated and user.can("note")
                                 and team_id in teams.team_ids(user))


def may_read_minutes(user: Any, meeting: Meeting) -> bool:
    """The minutes go to those who attended, and to leads and administrators."""
    return may_run(user) or bool(user and user.is_authenticated
                                 and any(person.id == user.id for person in meeting.attendees))


def _latest() -> date:
    return date(today().year + YEARS_AHEAD, 12, 31)


def _project_ids(value: Any, field: str, errors: dict[str, str]) -> list[int]:
    """A list of project ids, each once, in order (``None`` is none)."""
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) and 0 < item <= INT_MAX
            for item in value):
        errors[field] = _("Give a list of project ids.")
        return []
    ids = list(dict.fromkeys(value))
    if len(ids) > AGENDA_MAX:
        errors[field] = _("An agenda holds at most %(n)d projects.", n=AGENDA_MAX)
    return ids


def _attendees(value: Any, errors: dict[str, str]) -> list[User]:
    """The active users named (by username), each once."""
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors["attendees"] = _("Give a list of usernames.")
        return []
    names = list(dict.fromkeys(
        clean_text(name, "attendees", errors, limit=USERNAME_MAX) for name in value))
    names = [name for name in names if name]
    if "attendees" in errors:
        return []
    if len(names) > AGENDA_MAX:
        errors["attendees"] = _("Too many attendees.")
        return []
    found = {user.username: user for user in db.session.execute(
        select(User).where(User.username.in_(names), User.active.is_(True))).scalars()}
    unknown = [name for name in names if name not in found]
    if unknown:
        errors["attendees"] = _("No such user: %(name)s.", name=unknown[0][:64])
        return []
    return [found[name] for name in names]


def _check_agenda(ids: list[int], keep: set[int], field: str = "agenda") -> None:
    """Every project new to the agenda (not in ``keep``) is on the board."""
    new = [project_id for project_id in ids if project_id not in keep]
    missing = set(new) - meeting_reads.on_board(new)
    if missing:
        refuse_if({field: _("Project %(id)s is not on the board.", id=min(missing))})


def _place(meeting: Meeting, ids: list[int]) -> None:
    """Make the agenda ``ids``, in that order: rows kept, moved, added or taken out."""
    existing = {item.project_id: item for item in meeting.items}
    for project_id, item in existing.items():
        if project_id not in ids:
            meeting.items.remove(item)
    db.session.flush()  # the unique (meeting, project) pair of a removed item is free again
    for position, project_id in enumerate(ids):
        item = existing.get(project_id)
        if item is None:
            meeting.items.append(MeetingItem(project_id=project_id, position=position))
        else:
            item.position = position
    meeting.items.sort(key=lambda item: item.position)  # as loaded next, for this request


def create_meeting(actor: User | None, data: dict[str, Any]) -> Meeting:
    """Prepare a meeting; its agenda starts with the projects that have open decisions of
    earlier meetings, then those of ``agenda``."""
    actor_id = authorize(actor, "run_meetings")
    refuse_unknown(data, set(CREATE_FIELDS))
    errors: dict[str, str] = {}
    title = clean_text(data.get("title"), "title", errors, limit=TITLE_MAX, required=True)
    held_on = parse_date(data.get("date"), "date", errors, _latest(), _(
        "Enter a date between %(start)s and %(end)s.", start=EARLIEST.isoformat(),
        end=_latest().isoformat()))
    if held_on is None and "date" not in errors:
        errors["date"] = _("Enter the date of the meeting.")
    guests = clean_text(data.get("guests"), "guests", errors, limit=GUESTS_MAX)
    asked = _project_ids(data.get("agenda"), "agenda", errors)
    with quiet_transaction():
        attendees = _attendees(data.get("attendees"), errors)
        refuse_if(errors)
        _check_agenda(asked, set())
        agenda = list(dict.fromkeys([*meeting_reads.carried_over(), *asked]))[:AGENDA_MAX]
        meeting = Meeting(title=title, held_on=held_on, guests=guests, created_by_id=actor_id,
                          attendees=attendees)
        db.session.add(meeting)
        _place(meeting, agenda)
        db.session.flush()
        audit(actor, "meeting.create", title, id=meeting.id, date=held_on.isoformat(),
              attendees=[user.username for user in attendees], agenda=agenda)
    return meeting


def _load(meeting_id: Any) -> Meeting:
    meeting = meeting_reads.find_meeting(meeting_id)
    if meeting is None:
        raise NotFound(_("No such meeting."))
    return meeting


def set_agenda(actor: User | None, meeting_id: Any, agenda: Any) -> Meeting:
    """Make the meeting's agenda ``agenda`` (project ids, in order): add, take out, reorder. A
    project already on it stays even if it has left the board since; a new one must be on it."""
    authorize(actor, "run_meetings")
    errors: dict[str, str] = {}
    ids = _project_ids(agenda, "agenda", errors)
    refuse_if(errors)
    with quiet_transaction():
        meeting = _load(meeting_id)
        before = [item.project_id for item in meeting.items]
        _check_agenda(ids, set(before))
        if ids == before:
            raise Invalid(_("Nothing was changed."))
        _place(meeting, ids)
        presenting = meeting.current_position is not None
        if presenting and meeting.current_position >= len(ids):
            meeting.current_position = len(ids) - 1 if ids else None
            if not ids:  # nothing left to show: every wall back to its rotation
                meeting.shown_view = None
                _put_on(None)
        audit(actor, "meeting.agenda", meeting.title, id=meeting.id, agenda=[before, ids])
    if presenting:  # the walls follow: the item moved, or (an empty agenda) back to rotation
        events.publish([events.MeetingShown(meeting.id if ids else None)])
    return meeting


def add_decision(actor: User | None, meeting_id: Any, data: dict[str, Any]) -> Blocker:
    """A decision on a project of the meeting's agenda: what is to be done (``text``), the
    department responsible, the due date, who follows it up; it opens a blocker of the project
    (of ``kind``, "other" unless said) with the meeting as its source."""
    if actor is None or not actor.can("note"):
        raise Forbidden(_("You are not allowed to do this."))
    refuse_unknown(data, set(DECISION_FIELDS))
    errors: dict[str, str] = {}
    text = clean_text(data.get("text"), "text", errors, limit=blockers.TEXT_MAX, required=True,
                      lines=True)
    follow_up = clean_text(data.get("follow_up"), "follow_up", errors, limit=FOLLOW_UP_MAX)
    due = data.get("due")
    if due is None or due == "":
        errors["due"] = _("Enter the date it is due.")
    else:
        parse_date(due, "due", errors, _latest(), _(
            "Enter a date between today and %(end)s.", end=_latest().isoformat()))
    try:
        clean = blockers.check_fields({
            "kind": data.get("kind") or "other", "department": data.get("department"),
            "description": text, "due_on": None if "due" in errors else due})
    except Invalid as refused:
        renamed = {"description": "text", "due_on": "due"}
        for field, message in (refused.fields or {}).items():
            errors.setdefault(renamed.get(field, field), message)
        clean = {}
    if clean and clean["due_on"] is not None and clean["due_on"] < today():
        errors["due"] = _("The due date cannot be in the past.")
    refuse_if(errors)
    with board_change() as change:
        meeting = _load(meeting_id)
        project_id = data.get("project_id")
        if not any(item.project_id == project_id for item in meeting.items):
            raise Invalid(_("Put the project on the meeting's agenda first."),
                          {"project_id": _("Not on the agenda.")})
        project = _decided_on(actor, project_id)
        require_active(project)
        decision = blockers.open_blocker(change, project, actor.id, clean, meeting=meeting,
                                         follow_up=follow_up)
    _refresh_walls(meeting)
    return decision


def _refresh_walls(meeting: Meeting) -> None:
    """A meeting on the walls shows its change there too (a decision typed, the agenda)."""
    if meeting.current_position is not None:
        events.publish([events.MeetingShown(meeting.id)])


def _decided_on(actor: User, project_id: int) -> Project:
    """The project of a decision: any project for who runs meetings, else one of the actor's
    team (``load_project``)."""
    if not may_run(actor):
        return load_project(actor, project_id)
    project = db.session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        raise NotFound(_("No such project."))
    return project


def _walls(value: Any) -> list[int]:
    """The wall displays the chair chose (ids of displays not revoked, at least one)."""
    if not isinstance(value, list | tuple) or not value:
        refuse_if({"displays": _("Choose at least one wall.")})
    if any(not isinstance(v, int) or isinstance(v, bool) for v in value):
        refuse_if({"displays": _("Choose among the walls listed.")})
    active = {display.id for display in meeting_reads.wall_displays()}
    if not set(value) <= active:
        refuse_if({"displays": _("Choose among the walls listed.")})
    return list(dict.fromkeys(value))


def _put_on(walls: list[int] | None) -> None:
    """The walls in the meeting become exactly ``walls`` (``None``: none)."""
    chosen = set(walls or ())
    for display in db.session.execute(select(DisplayToken)).scalars():
        display.in_meeting = display.id in chosen and display.revoked_at is None


def present(actor: User | None, meeting_id: Any, position: Any,
            displays: Any = None) -> Meeting:
    """Meeting mode: the walls in the meeting show the agenda item at ``position`` (0 first)
    of this meeting, and no other meeting's; ``None`` returns them to their rotation.

    ``displays`` (wall display ids) chooses which walls are in the meeting, the others keeping
    their rotation; left out, a meeting put up anew goes on every active wall and one on the
    walls keeps the walls it has. Who runs meetings drives it; the walls hear it after the
    commit (``events.MeetingShown``)."""
    authorize(actor, "run_meetings")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
        refuse_if({"position": _("Choose an item of the agenda.")})
    walls = None if displays is None or position is None else _walls(displays)
    with quiet_transaction():
        meeting = _load(meeting_id)
        if position is not None and not 0 <= position < len(meeting.items):
            refuse_if({"position": _("Choose an item of the agenda.")})
        if position is None and meeting.current_position is None:
            raise Invalid(_("This meeting is not on the walls."))
        if walls is None and position is not None and meeting.current_position is None:
            walls = [display.id for display in meeting_reads.wall_displays()]
        for other in db.session.execute(select(Meeting).where(
                Meeting.current_position.is_not(None), Meeting.id != meeting.id)).scalars():
            other.current_position = None
            other.shown_view = None
        if position is None:
            _put_on(None)
        elif walls is not None:
            _put_on(walls)
        meeting.current_position = position
        meeting.shown_view = None
    events.publish([events.MeetingShown(meeting.id if position is not None else None)])
    return meeting


def show_view(actor: User | None, meeting_id: Any, view: Any) -> Meeting:
    """Meeting mode: the walls in the meeting show a wall view (``MEETING_VIEWS``: the county
    ranking, the blocker list) instead of the agenda item; ``present`` of an item, Next or
    Back, returns them to the agenda at the item they were on."""
    authorize(actor, "run_meetings")
    if not isinstance(view, str) or view not in MEETING_VIEWS:
        refuse_if({"view": _("Choose the county ranking or the blocker list.")})
    with quiet_transaction():
        meeting = _load(meeting_id)
        if meeting.current_position is None:
            raise Invalid(_("This meeting is not on the walls."))
        if meeting.shown_view == view:
            raise Invalid(_("Nothing was changed."))
        meeting.shown_view = view
    events.publish([events.MeetingShown(meeting.id)])
    return meeting
