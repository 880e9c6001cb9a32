"""The bell: what concerns each person, made by a subscriber to the services' announcements
(``services.events``), never inside a change's own transaction.

What a person is told of:
- ``assigned``: a project handed to him (its owner set to him by someone else);
- ``team``: a project handed to a team he leads or belongs to;
- ``warning``: a card he owns turned yellow or red (after a change, or found by the daily
  check: a card also turns by the calendar alone);
- ``stage``: a project he follows (owns, or of his teams) passed a stage gate (moved forward);
- ``next_step_due`` / ``blocker_due``: a next step of his, or an open blocker of a project he
  owns, falls due today or is overdue (the daily check, ``check_due``);
- ``digest``: to each team's lead, once a day (the daily check): the team's moves of yesterday,
  its red cards and its overdue next steps and blockers today.

Each person may turn kinds off (``set_muted``, the settings page); what he muted is not made.

Every notification has a ``key`` that says what it is about, unique per person: the same thing
is told once, however many processes hear it or however often the check runs. Only people who
may read the board hear of a project (every active user whose role reads; a deleted project is
shown to nobody), and nobody hears of his own change.

``hear`` runs after the changes' commit, for a burst of them at once (``realtime.notices``):
a few statements for the burst, and one transaction of its own, only when someone is to be told.
A failure there is logged; the changes stay committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Row, bindparam, func, insert, select, union, update
from sqlalchemy.exc import IntegrityError

from wallchart.core.early_warnings import colour_condition, warning_for
from wallchart.core.errors import Forbidden, Invalid, NotFound
from wallchart.core.models import (
    Blocker,
    Notification,
    NotificationPreference,
    Project,
    ProjectEvent,
    Team,
    User,
    WarningLight,
    team_member,
    utcnow,
)
from wallchart.core.stages import STAGE_ORDER
from wallchart.core.timeutil import SHANGHAI, today
from wallchart.core.transactions import quiet_transaction
from wallchart.core.vocabulary import STAGES
from wallchart.extensions import db
from wallchart.services.events import ProjectChanged

KINDS = ("assigned", "team", "warning", "stage", "next_step_due", "blocker_due", "digest")
#: Notifications on one page of /notifications.
PAGE_SIZE = 30
_SEVERITY = {None: 0, "yellow": 1, "red": 2}


@dataclass(frozen=True)
class Notice:
    """One notification to make: for ``user_id``, about ``project_id``, told once by ``key``."""

    user_id: int
    project_id: int | None
    kind: str
    key: str
    data: dict[str, Any]


# --- who hears ---------------------------------------------------------------------------------

def _listening(user_ids: Iterable[int | None]) -> dict[int, set[str]]:
    """Those of ``user_ids`` who may read the board now (active, with a role that reads), each
    with the kinds he muted: one statement."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User, NotificationPreference.muted)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.id.in_(wanted)))
    return {user.id: set(muted or ()) for user, muted in rows if user.can("read")}


#: The leads and the members of teams (``team_ids``), in one statement built once.
_TEAM_PEOPLE = union(
    select(team_member.c.team_id, team_member.c.user_id).where(
        team_member.c.team_id.in_(bindparam("team_ids", expanding=True))),
    select(Team.id, Team.lead_id).where(Team.id.in_(bindparam("team_ids", expanding=True)),
                                        Team.lead_id.is_not(None)))


def _team_people(team_ids: set[int | None]) -> dict[int, set[int]]:
    """Each team's lead and members."""
    wanted = {i for i in team_ids if i is not None}
    people: dict[int, set[int]] = {team_id: set() for team_id in wanted}
    if wanted:
        for team_id, user_id in db.session.execute(_TEAM_PEOPLE, {"team_ids": list(wanted)}):
            people[team_id].add(user_id)
    return people


def _user_ids(usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    return dict(db.session.execute(select(User.username, User.id).where(
        User.username.in_(usernames))).all())


def _new_owner(changes: dict[str, Any]) -> str | None:
    owner = changes.get("owner")
    owner = owner[1] if isinstance(owner, list) else owner
    return owner if isinstance(owner, str) else None


def _about(project: Project, **data: Any) -> dict[str, Any]:
    return {"project": project.name, **data}


#: The history entries the changes wrote, the columns the notices read (the whole entry would
#: join its author too): one statement for a burst, built once.
_ENTRIES = select(ProjectEvent.project_id, ProjectEvent.revision, ProjectEvent.user_id,
                  ProjectEvent.changes, ProjectEvent.from_stage, ProjectEvent.to_stage).where(
    ProjectEvent.project_id.in_(bindparam("project_ids", expanding=True)),
    ProjectEvent.revision.in_(bindparam("revisions", expanding=True)))


def _entries_of(changes: list[ProjectChanged]) -> dict[tuple[int, int], Row]:
    """The history entry of each change, by (project id, revision)."""
    found: dict[tuple[int, int], Row] = {}
    rows = db.session.execute(_ENTRIES, {
        "project_ids": list({c.project.id for c in changes}),
        "revisions": list({c.revision for c in changes})})
    for row in rows:
        found.setdefault((row.project_id, row.revision), row)
    return found


def _moved_forward(action: str, entry: Row) -> bool:
    return (action == "moved" and entry.from_stage in STAGE_ORDER
            and entry.to_stage in STAGE_ORDER
            and STAGE_ORDER.index(entry.to_stage) > STAGE_ORDER.index(entry.from_stage))


def notices_for(changes: list[ProjectChanged]) -> list[Notice]:
    """What these committed changes tell whom (before filtering out non-readers), each told
    to nobody who made it himself: a few statements for the whole burst."""
    changes = [c for c in changes if c.project.on_board]
    if not changes:
        return []
    entries = _entries_of(changes)
    heard = [(c, entries[(c.project.id, c.revision)]) for c in changes
             if (c.project.id, c.revision) in entries]
    owners = _user_ids({name for _c, entry in heard
                        if (name := _new_owner(entry.changes or {})) is not None})
    people = _team_people({c.project.team_id for c, entry in heard
                           if isinstance((entry.changes or {}).get("team"), list)
                           or _moved_forward(c.action, entry)})
    notices: list[Notice] = []
    for change, entry in heard:
        project, changes_made = change.project, entry.changes or {}
        key = f"{change.action}:{project.id}:{change.revision}"
        told: list[Notice] = []
        owner_id = owners.get(_new_owner(changes_made) or "")
        if owner_id is not None:
            told.append(Notice(owner_id, project.id, "assigned", f"assigned:{key}",
                               _about(project)))
        if change.action != "created" and isinstance(changes_made.get("team"), list):
            told += [Notice(person, project.id, "team", f"team:{key}",
                            _about(project, team=changes_made["team"][1]))
                     for person in people.get(project.team_id, ())]
        if _moved_forward(change.action, entry):
            told += [Notice(person, project.id, "stage", f"stage:{key}",
                            _about(project, from_stage=entry.from_stage,
                                   to_stage=entry.to_stage))
                     for person in {project.owner_id, *people.get(project.team_id, ())}
                     if person is not None]
        notices += [n for n in told if n.user_id != entry.user_id]
    return notices


def _light_notices(projects: Iterable[Project], day: date
                   ) -> tuple[list[Notice], dict[int, str | None], dict[int, str]]:
    """The owners to tell that their card turned worse, the colours to remember, and the
    projects that turned worse (with their colour)."""
    projects = [p for p in projects if p.on_board]
    if not projects:
        return [], {}, {}
    known = dict(db.session.execute(select(WarningLight.project_id, WarningLight.colour).where(
        WarningLight.project_id.in_([p.id for p in projects]))).all())
    notices, colours, worse = [], {}, {}
    for project in projects:
        colour = warning_for(project, day, current_app.config).colour
        if known.get(project.id) == colour and project.id in known:
            continue
        if project.id not in known and colour is None:
            continue
        colours[project.id] = colour
        if _SEVERITY[colour] > _SEVERITY[known.get(project.id)]:
            worse[project.id] = colour
            if project.owner_id:
                notices.append(Notice(project.owner_id, project.id, "warning",
                                      f"warning:{project.id}:{colour}:{day.isoformat()}",
                                      _about(project, colour=colour)))
    return notices, colours, worse


# --- making them -------------------------------------------------------------------------------

def _save(notices: list[Notice], colours: dict[int, str | None]) -> set[int]:
    """Write the notices not told yet (to readers only, and not of a kind they muted) and the
    colours seen; return whom something new was told. A race with another process telling the
    same is harmless."""
    listening = _listening(n.user_id for n in notices)
    notices = [n for n in notices
               if n.user_id in listening and n.kind not in listening[n.user_id]]
    if not notices and not colours:
        return set()
    for _attempt in range(2):
        try:
            with quiet_transaction():
                told = {tuple(row) for row in db.session.execute(
                    select(Notification.user_id, Notification.key)
                    .where(Notification.key.in_({n.key for n in notices})))} if notices else set()
                fresh = {(n.user_id, n.key): n for n in notices
                         if (n.user_id, n.key) not in told}
                if fresh:  # in one statement
                    db.session.execute(insert(Notification), [
                        {"user_id": n.user_id, "project_id": n.project_id, "kind": n.kind,
                         "key": n.key, "data": n.data} for n in fresh.values()])
                lights = {light.project_id: light for light in db.session.execute(
                    select(WarningLight).where(WarningLight.project_id.in_(colours))).scalars()
                } if colours else {}
                for project_id, colour in colours.items():
                    light = lights.get(project_id)
                    if light is None:
                        db.session.add(WarningLight(project_id=project_id, colour=colour))
                    else:
                        light.colour, light.seen_at = colour, utcnow()
            return {n.user_id for n in fresh.values()}
        except IntegrityError:  # another process told (or saw) the same meanwhile: once more
            continue
    return set()


@dataclass(frozen=True)
class Heard:
    """What a change or a check told: the people told something new (their live count
    changes) and the projects whose card turned worse (for the teams' webhooks)."""

    told: set[int]
    turned: dict[int, str]
    #: The daily check's digests, by team id (for the teams' webhooks).
    digests: dict[int, dict[str, Any]] = field(default_factory=dict)


def hear(changes: list[ProjectChanged]) -> Heard:
    """The subscriber's work for a burst of committed changes (their projects read after the
    commit): make the notifications they call for, in one transaction."""
    changes = [c for c in changes if c.project.on_board]
    if not changes:
        return Heard(set(), {})
    notices = notices_for(changes)
    projects = {c.project.id: c.project for c in changes}
    lights, colours, worse = _light_notices(projects.values(), today())
    return Heard(_save(notices + lights, colours), worse)


def check_due(day: date | None = None) -> Heard:
    """The daily check: next steps and open blockers due ``day`` (today) or overdue, and the
    cards that turned by the calendar alone. Told once each; run it as often as you like."""
    day = day or today()
    notices: list[Notice] = []
    stepped = db.session.execute(select(Project).where(
        Project.on_board, Project.next_step != "", Project.next_step_due.is_not(None),
        Project.next_step_due <= day)).scalars()
    for project in stepped:
        state = "due" if project.next_step_due == day else "overdue"
        person = project.next_step_owner_id or project.owner_id
        if person is not None:
            notices.append(Notice(
                person, project.id, "next_step_due",
                f"next_step:{project.id}:{project.next_step_due.isoformat()}:{state}",
                _about(project, step=project.next_step, state=state,
                       due=project.next_step_due.isoformat())))
    blockers = db.session.execute(select(Blocker).join(Project).where(
        Project.on_board, Blocker.status == "open", Blocker.due_on.is_not(None),
        Blocker.due_on <= day)).scalars()
    for blocker in blockers:
        state = "due" if blocker.due_on == day else "overdue"
        if blocker.project.owner_id is not None:
            notices.append(Notice(
                blocker.project.owner_id, blocker.project_id, "blocker_due",
                f"blocker:{blocker.id}:{blocker.due_on.isoformat()}:{state}",
                _about(blocker.project, department=blocker.department, state=state,
                       due=blocker.due_on.isoformat())))
    board = db.session.execute(select(Project).where(Project.on_board)).scalars().all()
    lights, colours, worse = _light_notices(board, day)
    digests = team_digests(day)
    made = [Notice(lead, None, "digest", f"digest:{team_id}:{day.isoformat()}", data)
            for team_id, (lead, data) in digests.items() if lead is not None]
    return Heard(_save(notices + lights + made, colours), worse,
                 {team_id: data for team_id, (_lead, data) in digests.items()})


def team_digests(day: date) -> dict[int, tuple[int | None, dict[str, Any]]]:
    """Each team's digest of ``day`` with its lead's id: yesterday's moves of the team's
    projects (Asia/Shanghai), and today's red cards and overdue next steps and blockers."""
    start = datetime.combine(day - timedelta(days=1), time(), SHANGHAI)
    since = start.astimezone(UTC).replace(tzinfo=None)
    until = (start + timedelta(days=1)).astimezone(UTC).replace(tzinfo=None)
    config = current_app.config
    digests = {}
    for team in db.session.execute(select(Team).order_by(Team.id)).scalars():
        on_team = (Project.team_id == team.id, Project.on_board)
        moves = db.session.execute(select(func.count()).select_from(ProjectEvent).join(
            Project, ProjectEvent.project_id == Project.id).where(
            ProjectEvent.action == "moved", ProjectEvent.at >= since, ProjectEvent.at < until,
            ProjectEvent.from_stage != ProjectEvent.to_stage, Project.team_id == team.id)
        ).scalar_one()
        red = db.session.execute(select(func.count()).select_from(Project).where(
            *on_team, colour_condition("red", day, config))).scalar_one()
        steps = db.session.execute(select(func.count()).select_from(Project).where(
            *on_team, Project.next_step != "", Project.next_step_due < day)).scalar_one()
        blocked = db.session.execute(select(func.count()).select_from(Blocker).join(Project)
                                     .where(*on_team, Blocker.status == "open",
                                            Blocker.due_on < day)).scalar_one()
        digests[team.id] = (team.lead_id, {"team": team.name, "moves": moves, "red": red,
                                           "overdue": steps + blocked,
                                           "day": day.isoformat()})
    return digests


# --- reading and marking -----------------------------------------------------------------------

def _shown():
    """Notifications about a project still on record (not deleted), or about none."""
    return select(Notification).outerjoin(Project, Notification.project_id == Project.id).where(
        Project.deleted_at.is_(None))


def unread_count(user_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(_shown().where(
            Notification.user_id == user_id, Notification.read_at.is_(None)).subquery())
    ).scalar_one()


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Each person's unread count, in one statement."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    counted = dict(db.session.execute(
        _shown().with_only_columns(Notification.user_id, func.count())
        .where(Notification.user_id.in_(wanted), Notification.read_at.is_(None))
        .group_by(Notification.user_id)).all())
    return {user_id: counted.get(user_id, 0) for user_id in wanted}


def page_of(user_id: int, page: int) -> tuple[list[Notification], bool]:
    """The ``page`` (1-based) of a person's notifications, newest first, and whether more follow."""
    rows = db.session.execute(_shown().where(Notification.user_id == user_id)
                              .order_by(Notification.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
                              ).scalars().all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _reader(actor: User | None) -> int:
    if actor is None or not actor.can("read"):
        raise Forbidden(_("You are not allowed to do this."))
    return actor.id


def mark_read(actor: User | None, notification_id: Any) -> None:
    """Mark one of the actor's own notifications read (someone else's is not found)."""
    user_id = _reader(actor)
    if not isinstance(notification_id, int) or isinstance(notification_id, bool):
        raise NotFound(_("No such notification."))
    with quiet_transaction():
        row = db.session.get(Notification, notification_id)
        if row is None or row.user_id != user_id:
            raise NotFound(_("No such notification."))
        if row.read_at is None:
            row.read_at = utcnow()


def mark_all_read(actor: User | None) -> None:
    user_id = _reader(actor)
    with quiet_transaction():
        db.session.execute(update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=utcnow()))


def muted_kinds(user_id: int) -> set[str]:
    row = db.session.get(NotificationPreference, user_id)
    return set(row.muted or ()) if row is not None else set()


def set_muted(actor: User | None, kinds: Any) -> None:
    """Keep what the actor chose not to hear (kinds of ``KINDS``)."""
    user_id = _reader(actor)
    if not isinstance(kinds, list | tuple | set) or not all(k in KINDS for k in kinds):
        raise Invalid(_("Choose among the kinds of notification shown."))
    with quiet_transaction():
        row = db.session.get(NotificationPreference, user_id)
        if row is None:
            row = NotificationPreference(user_id=user_id)
            db.session.add(row)
        row.muted, row.updated_at = [k for k in KINDS if k in kinds], utcnow()


def kind_labels() -> dict[str, str]:
    """Each kind of notification, as the settings page names it (the request's language)."""
    return {
        "assigned": _("A project handed to me"),
        "team": _("A project handed to my team"),
        "warning": _("My card turned yellow or red"),
        "stage": _("A stage passed on a project I follow"),
        "next_step_due": _("My next step due or overdue"),
        "blocker_due": _("A blocker of my project due or overdue"),
        "digest": _("The daily digest of the team I lead"),
    }


def message(notification: Notification) -> str:
    """The notification in the reader's language (the request's)."""
    data = notification.data or {}
    name = data.get("project", "")
    kind = notification.kind
    if kind == "assigned":
        return _("%(project)s was handed to you.", project=name)
    if kind == "team":
        return _("%(project)s was handed to your team %(team)s.", project=name,
                 team=data.get("team") or "")
    if kind == "warning":
        if data.get("colour") == "red":
            return _("Your card %(project)s turned red.", project=name)
        return _("Your card %(project)s turned yellow.", project=name)
    if kind == "stage":
        return _("%(project)s passed to %(stage)s.", project=name,
                 stage=str(STAGES.get(data.get("to_stage"), data.get("to_stage"))))
    if kind == "next_step_due":
        if data.get("state") == "due":
            return _("The next step of %(project)s is due today: %(step)s", project=name,
                     step=data.get("step", ""))
        return _("The next step of %(project)s is overdue since %(date)s: %(step)s",
                 project=name, date=data.get("due", ""), step=data.get("step", ""))
    if kind == "blocker_due":
        if data.get("state") == "due":
            return _("A blocker of %(project)s (%(department)s) is due today.", project=name,
                     department=data.get("department", ""))
        return _("A blocker of %(project)s (%(department)s) is overdue since %(date)s.",
                 project=name, department=data.get("department", ""), date=data.get("due", ""))
    if kind == "digest":
        return _("Daily digest of %(team)s: %(moves)d moves yesterday, %(red)d red cards, "
                 "%(overdue)d overdue items.", team=data.get("team", ""),
                 moves=data.get("moves", 0), red=data.get("red", 0),
                 overdue=data.get("overdue", 0))
    return name
