"""Every change to a project, each in one function: authorize, validate, write, record, commit,
broadcast. Views, the API, the CLI and socket handlers call these and nothing else."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..formatting import name_list
from ..models import County, Project, ProjectEvent, Team, User, utcnow
from ..timeutil import today
from ..transactions import next_revision, stale_message, write_transaction
from ..vocabulary import SECTORS, STAGES
from . import live, teams
from .positions import rank_for

NAME_MAX = 200
REASON_MAX = 1000
#: 1万亿元: far above any single project, low enough to catch a slip of the keyboard.
INVESTMENT_MAX_WAN = 100_000_000
EDITABLE = ("name", "investor", "investment_wan", "county", "sector")
#: The most projects one bulk assignment may name.
BULK_MAX = 200


def _authorize(actor: User | None, permission: str) -> int:
    """Refuse an actor whose role lacks ``permission``; return the id the history records."""
    if actor is None or not actor.can(permission):
        raise Forbidden(_("You are not allowed to do this."))
    return actor.id


def _load(project_id: Any) -> Project:
    project = None
    if isinstance(project_id, int) and not isinstance(project_id, bool):
        project = db.session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        raise NotFound(_("No such project."))
    return project


def _check_version(project: Project, version: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise Invalid(_("The version must be a whole number."), {"version": _("Required.")})
    if version != project.version:
        raise Conflict(stale_message())


def _text(value: Any, field: str, errors: dict, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > NAME_MAX:
        errors[field] = _("At most %(n)d characters.", n=NAME_MAX)
    elif any(ord(ch) < 32 for ch in value):
        errors[field] = _("Line breaks and control characters are not allowed here.")
    return value


def _reason(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > REASON_MAX:
        raise Invalid(_("The reason must be text of at most %(n)d characters.", n=REASON_MAX),
                      {"reason": _("Too long.")})
    return value.strip() or None


def _clean_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Validate the editable fields present in ``data``; all of them unless ``partial``."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    fields = [f for f in EDITABLE if f in data] if partial else list(EDITABLE)
    for field in fields:
        value = data.get(field)
        if field in ("name", "investor"):
            clean[field] = _text(value, field, errors, required=field == "name")
        elif field == "investment_wan":
            if value is None or value == "":
                value = 0
            if not isinstance(value, int) or isinstance(value, bool):
                errors[field] = _("Enter the investment as a whole number of 10,000 yuan.")
            elif not 0 <= value <= INVESTMENT_MAX_WAN:
                errors[field] = _("Enter an amount between 0 and %(max)s (in 10,000 yuan).",
                                  max=f"{INVESTMENT_MAX_WAN:,}")
            else:
                clean[field] = value
        elif field == "county":
            if value is None or value == "":
                clean[field] = None
            else:
                county = None
                if isinstance(value, str):
                    county = db.session.execute(
                        select(County).where(County.name == value.strip())).scalar()
                if county is None:
                    errors[field] = _("Choose a county or district from the list.")
                clean[field] = county
        elif field == "sector":
            if value is None or value == "":
                clean[field] = None
            elif isinstance(value, str) and value in SECTORS:
                clean[field] = value
            else:
                errors[field] = _("Choose a sector from the list.")
    if errors:
        raise Invalid(_("Please correct the marked fields."), errors)
    return clean


def refuse_unknown(data: dict[str, Any], allowed: set[str]) -> None:
    """Refuse fields nobody may set this way (``role``, ``id``...) rather than drop them quietly."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Invalid(_("Unknown fields: %(names)s", names=", ".join(unknown)),
                      {name: _("Unknown field.") for name in unknown})


def _stage(value: Any) -> str:
    if not isinstance(value, str) or value not in STAGES:
        raise Invalid(_("Unknown stage."), {"stage": _("Choose one of the five stages.")})
    return value


def _position(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(_("The position must be a whole number of 0 or more."),
                      {"position": _("Invalid.")})
    return value


def _display(value: Any) -> Any:
    """How a field's value is kept in the history: names rather than row objects."""
    return value.name if isinstance(value, County | Team) else value


def _record(project: Project, actor_id: int, action: str, revision: int, **fields) -> None:
    db.session.add(ProjectEvent(project_id=project.id, user_id=actor_id, action=action,
                                revision=revision, **fields))



def create_project(actor: User | None, data: dict[str, Any]) -> Project:
    """Put a new card on the board, at the bottom of its column (contact unless ``stage``)."""
    actor_id = _authorize(actor, "create")
    refuse_unknown(data, {*EDITABLE, "team", "stage", "reason"})
    clean = _clean_fields(data, partial=False)
    stage = _stage(data.get("stage", "contact"))
    reason = _reason(data.get("reason"))
    with write_transaction() as revision:
        team = teams.team_for_new_project(actor, data.get("team"))
        county = clean.pop("county")
        project = Project(**clean, county=county, team=team, stage=stage,
                          rank=rank_for(stage, None), stage_entered_at=today())
        db.session.add(project)
        db.session.flush()
        changes = {**clean, "county": county, "team": team}
        _record(project, actor_id, "created", revision, to_stage=stage, reason=reason,
                changes={k: _display(v) for k, v in changes.items()})
        message = live.prepare(project, "created", revision)
    message.send()
    return project


def update_project(actor: User | None, project_id: int, data: dict[str, Any]) -> Project:
    """Edit a card's record fields, or hand it to another team; unchanged fields are left alone
    and not recorded."""
    actor_id = _authorize(actor, "edit")
    refuse_unknown(data, {*EDITABLE, "team", "version", "reason"})
    clean = _clean_fields(data, partial=True)
    reason = _reason(data.get("reason"))
    with write_transaction() as revision:
        project = _load(project_id)
        teams.check_access(actor, project)
        if "team" in data:
            clean["team"] = teams.team_for_handover(actor, project, data["team"])
        _check_version(project, data.get("version"))
        # Read everything before writing anything: one flush, so one version step.
        changes = {field: [_display(getattr(project, field)), _display(value)]
                   for field, value in clean.items() if getattr(project, field) != value}
        for field in changes:
            setattr(project, field, clean[field])
        if not changes:
            db.session.rollback()
            return project
        project.updated_at = utcnow()
        _record(project, actor_id, "updated", revision, changes=changes, reason=reason)
        message = live.prepare(project, "updated", revision)
    message.send()
    return project


def move_project(actor: User | None, project_id: int, stage: Any, version: Any,
                 position: Any = None, reason: Any = None) -> Project:
    """Move a card to ``stage`` at ``position`` (0-based among the other cards; default last)."""
    actor_id = _authorize(actor, "move")
    stage = _stage(stage)
    position = _position(position)
    reason = _reason(reason)
    with write_transaction() as revision:
        project = _load(project_id)
        teams.check_access(actor, project)
        _check_version(project, version)
        from_stage = project.stage
        project.rank = rank_for(stage, position, exclude_id=project.id)
        if stage != from_stage:
            project.stage = stage
            project.stage_entered_at = today()
        project.updated_at = utcnow()
        _record(project, actor_id, "moved", revision, from_stage=from_stage, to_stage=stage,
                reason=reason)
        message = live.prepare(project, "moved", revision)
    message.send()
    return project


def assign_project(actor: User | None, project_id: int, owner: Any, version: Any,
                   reason: Any = None) -> Project:
    """Give a project an owner (责任人) by username, or none with ``None``."""
    actor_id = _authorize(actor, "assign")
    _check_owner_name(owner)
    reason = _reason(reason)
    with write_transaction() as revision:
        project = _load(project_id)
        teams.check_access(actor, project)
        _check_version(project, version)
        new_owner = _find_owner(owner)
        if new_owner is not None:
            teams.check_owner(project, new_owner)
        previous = project.owner
        if previous == new_owner:
            db.session.rollback()
            return project
        project.owner = new_owner
        project.updated_at = utcnow()
        _record(project, actor_id, "assigned", revision, reason=reason, changes={
            "owner": [previous.username if previous else None,
                      new_owner.username if new_owner else None]})
        message = live.prepare(project, "assigned", revision)
    message.send()
    return project


def _check_owner_name(owner: Any) -> None:
    if owner is not None and (not isinstance(owner, str) or not owner.strip()):
        raise Invalid(_("Choose an owner from the users."), {"owner": _("Invalid.")})


def _find_owner(owner: str | None) -> User | None:
    """The active user named ``owner``; ``None`` for no owner."""
    if owner is None:
        return None
    user = db.session.execute(select(User).where(User.username == owner.strip())).scalar()
    if user is None or not user.active:
        raise Invalid(_("No active user named %(name)s.", name=owner),
                      {"owner": _("Choose an owner from the users.")})
    return user


def _bulk_items(items: Any) -> list[tuple[int, int]]:
    """``[{"id", "version"}…]`` as (id, version) pairs, each project named once."""
    if not isinstance(items, list) or not items:
        raise Invalid(_("Choose at least one project."), {"projects": _("Required.")})
    if len(items) > BULK_MAX:
        raise Invalid(_("At most %(n)d projects at a time.", n=BULK_MAX),
                      {"projects": _("Too many.")})
    pairs = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"id", "version"} or not all(
                isinstance(item[key], int) and not isinstance(item[key], bool)
                for key in ("id", "version")):
            raise Invalid(_("Name each project by its id and version, both whole numbers."),
                          {"projects": _("Invalid.")})
        pairs.append((item["id"], item["version"]))
    if len({project_id for project_id, _version in pairs}) != len(pairs):
        raise Invalid(_("Name each project once."), {"projects": _("Invalid.")})
    return pairs


def _about(projects: list[Project], message: str) -> str:
    """A refusal that names the projects it is about, so the reader can find them."""
    return _("%(projects)s: %(reason)s", projects=name_list([p.name for p in projects]),
             reason=message)


def assign_projects(actor: User | None, items: Any, owner: Any,
                    reason: Any = None) -> list[Project]:
    """Give several projects one owner (or none), all or nothing.

    ``items`` is ``[{"id", "version"}…]``. Everything is checked before anything is written: a
    missing project, one of a team the actor is not in, a stale version or an owner from
    outside a project's team refuses the whole request, naming the projects concerned. Then one
    transaction writes every change, with one history event and one broadcast, each with its
    own board revision, per project whose owner changes. Projects that have that owner already
    are left alone. Returns the projects in the order asked.
    """
    actor_id = _authorize(actor, "assign")
    pairs = _bulk_items(items)
    _check_owner_name(owner)
    reason = _reason(reason)
    messages = []
    with write_transaction() as revision:
        found = {project.id: project for project in db.session.execute(
            select(Project).where(Project.id.in_([project_id for project_id, _v in pairs]),
                                  Project.deleted_at.is_(None))).scalars()}
        missing = [str(project_id) for project_id, _v in pairs if project_id not in found]
        if missing:
            raise NotFound(_("No such project: %(ids)s", ids=", ".join(missing)))
        chosen = [found[project_id] for project_id, _v in pairs]
        # Access and owners depend on the team only: one check per team, naming its projects.
        by_team: dict[int | None, list[Project]] = {}
        for project in chosen:
            by_team.setdefault(project.team_id, []).append(project)
        for group in by_team.values():
            try:
                teams.check_access(actor, group[0])
            except Forbidden as error:
                raise Forbidden(_about(group, error.message)) from None
        stale = [found[project_id] for project_id, version in pairs
                 if found[project_id].version != version]
        if stale:
            raise Conflict(_about(stale, stale_message()), [project.id for project in stale])
        new_owner = _find_owner(owner)
        if new_owner is not None:
            for group in by_team.values():
                try:
                    teams.check_owner(group[0], new_owner)
                except Invalid as error:
                    raise Invalid(_about(group, error.message), error.fields) from None
        changed = [project for project in chosen if project.owner != new_owner]
        if not changed:
            db.session.rollback()
            return chosen
        for number, project in enumerate(changed):
            # One revision per event: screens apply them strictly one after another.
            event_revision = revision if number == 0 else next_revision()
            previous = project.owner
            project.owner = new_owner
            project.updated_at = utcnow()
            _record(project, actor_id, "assigned", event_revision, reason=reason, changes={
                "owner": [previous.username if previous else None,
                          new_owner.username if new_owner else None]})
            messages.append(live.prepare(project, "assigned", event_revision))
    for message in messages:
        message.send()
    return chosen


def delete_project(actor: User | None, project_id: int, version: Any,
                   reason: Any = None) -> Project:
    """Take a card off the board. The row and its history stay: nothing is ever lost."""
    actor_id = _authorize(actor, "delete")
    reason = _reason(reason)
    with write_transaction() as revision:
        project = _load(project_id)
        teams.check_access(actor, project)
        _check_version(project, version)
        project.deleted_at = utcnow()
        _record(project, actor_id, "deleted", revision, from_stage=project.stage, reason=reason)
        message = live.prepare(project, "deleted", revision)
    message.send()
    return project

