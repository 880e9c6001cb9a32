"""Every change to a project, each in one function: authorize, validate, write, record, commit,
broadcast. Views, the API, the CLI and socket handlers call these and nothing else.

What each record field may hold, the stage dates' rules and the stage gates live in ``record``;
these functions apply them in order: authorize, validate the request, then (in the write
transaction) load, check access and version, apply the values to the row without flushing, check
the project as it would be, and only then record the history and broadcast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from wallchart.core.errors import (
    Conflict,
    Duplicate,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
)
from wallchart.core.formatting import name_list
from wallchart.core.inputs import unstorable, unstorable_message
from wallchart.core.models import County, Project, Team, User, utcnow
from wallchart.core.timeutil import today
from wallchart.core.transactions import next_revision, stale_message
from wallchart.core.vocabulary import STAGES, WITHDRAW_REASONS
from wallchart.extensions import db
from wallchart.reads import duplicates
from wallchart.services import record, teams
from wallchart.services.changes import Change, board_change
from wallchart.services.positions import rank_for
from wallchart.services.project_steps import (
    authorize,
    check_version,
    load_project,
    record_event,
    require_active,
)
from wallchart.services.validation import refuse_unknown

REASON_MAX = 1000
#: The most projects one bulk assignment may name.
BULK_MAX = 200


def _reason(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > REASON_MAX:
        raise Invalid(_("The reason must be text of at most %(n)d characters.", n=REASON_MAX),
                      {"reason": _("Too long.")})
    if unstorable(value):
        raise Invalid(unstorable_message(), {"reason": unstorable_message()})
    return value.strip() or None


def _flag(data: dict[str, Any], field: str) -> bool:
    value = data.get(field, False)
    if not isinstance(value, bool):
        raise Invalid(_("Answer yes (true) or no (false)."), {field: _("Invalid.")})
    return value


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
    """How a field's value is kept in the history: names and ISO dates rather than objects."""
    if isinstance(value, County | Team):
        return value.name
    if isinstance(value, User):
        return value.username
    if isinstance(value, date):
        return value.isoformat()
    return value


def _apply(project: Project, clean: dict[str, Any],
           dates: dict[str, date | None]) -> dict[str, list]:
    """Set the fields and stage dates on the row (not yet flushed); return what changed as
    ``{name: [old, new]}`` in display values, stage dates as ``stage_dates.STAGE``."""
    changes: dict[str, list] = {}
    for field, value in clean.items():
        old = getattr(project, field)
        if old != value:
            changes[field] = [_display(old), _display(value)]
            setattr(project, field, value)
    for stage, day in dates.items():
        old = project.stage_date(stage)
        if old != day:
            changes[record.date_key(stage)] = [_display(old), _display(day)]
    record.set_stage_dates(project, dates)
    return changes


def _check_project(project: Project, clean: dict[str, Any]) -> None:
    """The checks that need the project as the request leaves it."""
    record.check_foreign_capital(project)
    record.check_counting(project, clean)
    if "code" in clean:
        record.check_code(project)
    if "promised_start_on" in clean:
        record.check_promised_start(project)
    if clean.get("next_step_owner") is not None:
        try:
            teams.check_owner(project, clean["next_step_owner"])
        except Invalid as error:
            raise Invalid(error.message, {"next_step_owner": error.fields["owner"]}) from None
    record.check_stage_dates(record.stage_dates(project), project.stage)


def _require_date_rights(actor: User, corrected: list[str]) -> None:
    """Changing a recorded stage date is a correction, for leads and administrators."""
    if corrected and not actor.can("correct_dates"):
        raise Forbidden(_("Only a lead or an administrator may correct the date of %(stages)s.",
                          stages=name_list([str(STAGES[s]) for s in corrected],
                                           limit=len(corrected))))


def _check_move_dates(actor: User, recorded: dict[str, date | None],
                      dates: dict[str, date | None], replaced: list[str],
                      reason: str | None) -> None:
    """What a move (or a creation: a move from nowhere) may do to the stage dates, which are
    official figures.

    Replacing a recorded date is a correction: leads and administrators only, with its reason
    (422 at the field for anyone else, so that the gate dialog shows it there). A member's move
    touches no date of a closed month (before the first of this month, whose figures have been
    reported): it neither clears one by moving back (403) nor enters one (422 at the field).
    So no sequence of members' moves changes a closed period's indicators.
    """
    if actor.can("correct_dates"):
        if replaced and reason is None:
            message = _("Give the reason for the correction.")
            raise Invalid(message, {"reason": message})
        return
    if replaced:
        raise Invalid(_("Only a lead or an administrator may correct a recorded date."), {
            record.date_key(s): _("Recorded as %(date)s: only a lead or an administrator may "
                                  "correct it.", date=recorded[s].isoformat())
            for s in replaced})
    opened = record.open_since()
    closed = [s for s, old in recorded.items() if old != dates[s] and any(
        day is not None and day < opened for day in (old, dates[s]))]
    cleared = [s for s in closed if dates[s] is None]
    if cleared:
        raise Forbidden(_("Moving it back would clear the date of %(stages)s, in a month already "
                          "closed: only a lead or an administrator may do that.",
                          stages=name_list([str(STAGES[s]) for s in cleared],
                                           limit=len(cleared))))
    if closed:
        message = _closed_month()
        raise Invalid(message, {record.date_key(s): message for s in closed})


def _closed_month() -> str:
    """Why a member may not enter a date before the month still open."""
    return _("A date before %(date)s lies in a month already closed: only a lead or an "
             "administrator may enter it.", date=record.open_since().isoformat())


def _agreement_change(actor: User, project: Project, clean: dict[str, Any],
                      changes: dict[str, list]) -> str:
    """The history's action for an edit: ``converted`` when a signed framework agreement
    becomes a contract (协议项目转化为合同项目), an event the indicators count by its date (today
    unless the request gives it); else ``updated``. A contract turned back into another kind
    loses its date, which is :func:`_check_contracted_on`'s to allow."""
    recorded = _parsed(changes.get("contracted_on", [project.contracted_on])[0])
    kind = changes.get("agreement_kind")
    converted = kind == ["framework", "contract"] and project.signed_on is not None
    if converted and project.contracted_on is None:
        project.contracted_on = today()
    elif kind and kind[0] == "contract" and "contracted_on" not in clean:
        project.contracted_on = None
    if project.contracted_on != recorded:
        changes["contracted_on"] = [_display(recorded), _display(project.contracted_on)]
        _check_contracted_on(actor, recorded, project.contracted_on)
    return "converted" if converted else "updated"


def _check_contracted_on(actor: User, recorded: date | None, day: date | None) -> None:
    """The date a framework agreement became a contract is an official figure: changing or
    clearing a recorded one is a correction for leads and administrators, and a member enters
    none in a closed month."""
    if day == recorded or actor.can("correct_dates"):
        return
    if recorded is not None:
        raise Forbidden(_("Only a lead or an administrator may correct the date it became a "
                          "contract."))
    if day is not None and day < record.open_since():
        raise Invalid(_closed_month(), {"contracted_on": _closed_month()})


def _parsed(value: Any) -> date | None:
    """A date as ``_apply`` recorded it (ISO text), or as the row holds it."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _cleaned_with_team(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """The new record's fields, cleaned; a refusal also names a team left to choose, so that a
    form marks every field to fill at its first submission, not the team at the second."""
    try:
        return record.clean(data, creating=True)
    except Invalid as error:
        try:
            teams.team_for_new_project(actor, data.get("team"))
        except ServiceError as refusal:  # a team not his is refused in the transaction
            error.fields.update(getattr(refusal, "fields", {}))
        raise


def create_project(actor: User | None, data: dict[str, Any]) -> Project:
    """Put a new card on the board, at the bottom of its column (contact unless ``stage``).

    The record may come with its history dates (``stage_dates``), so that existing projects can
    be brought in; the entered stage's date defaults to today. The stage's gates apply as for a
    move. A close match with an existing project is refused (``Duplicate``) unless the request
    says ``allow_duplicate``: the person has seen the match and means it.
    """
    actor_id = authorize(actor, "create")
    with board_change() as change:
        project, _changes = create_in(change, actor, actor_id, data)
    return project


def create_in(change: Change, actor: User, actor_id: int | None, data: dict[str, Any],
              extra: dict[str, Any] | None = None,
              similar: Callable[[str, str], list[Project]] | None = None,
              ) -> tuple[Project, dict[str, Any]]:
    """:func:`create_project`'s work inside a change already begun (an import creates many
    projects in one): validate, add, record the history entry at ``change.event_revision()``
    and prepare the announcement. ``extra`` holds fields the caller resolved itself (an
    import's ``owner``); ``similar`` finds the projects a new one resembles (by default
    ``duplicates.similar_projects``; an import asks its ``DuplicateIndex``). Returns the project
    and the values its history entry records."""
    refuse_unknown(data, {*record.FIELDS, "team", "stage", "stage_dates", "reason",
                          "allow_duplicate"})
    clean = _cleaned_with_team(actor, data)
    clean.update(extra or {})
    stage = _stage(data.get("stage", "contact"))
    dates = record.clean_stage_dates(data.get("stage_dates"))
    reason = _reason(data.get("reason"))
    allow_duplicate = _flag(data, "allow_duplicate")
    team = teams.team_for_new_project(actor, data.get("team"))
    project = Project(**clean, team=team, stage=stage, rank=change.bottom_rank(stage))
    dates[stage] = dates.get(stage) or today()
    _check_move_dates(actor, dict.fromkeys(dates), dates, [], reason)
    _check_contracted_on(actor, None, project.contracted_on)
    record.set_stage_dates(project, dates)
    _check_project(project, clean)
    if clean.get("owner") is not None:
        teams.check_owner(project, clean["owner"])
    record.check_gate(project, stage)
    if not allow_duplicate:
        matches = (similar or duplicates.similar_projects)(project.name, project.investor or "")
        if matches:
            raise Duplicate(_("Similar projects are on record already: %(names)s. Check "
                              "that this is not one of them, then save it anyway.",
                              names=name_list([match.name for match in matches])), matches)
    db.session.add(project)  # written with its history entry, at the change's next flush
    changes = {k: _display(v) for k, v in {
        **clean, "team": team,
        **{record.date_key(s): day for s, day in dates.items() if day is not None}}.items()}
    record_event(project, actor_id, "created", change.event_revision(), to_stage=stage,
                 reason=reason, changes=changes)
    change.announce(project, "created")
    return project, changes


def update_project(actor: User | None, project_id: int, data: dict[str, Any]) -> Project:
    """Edit a card's record fields, correct its stage dates (leads, administrators), or hand it
    to another team; unchanged fields are left alone and not recorded."""
    actor_id = authorize(actor, "edit")
    with board_change() as change:
        project, changes = update_in(change, actor, actor_id, project_id, data)
        if not changes:
            db.session.rollback()
    return project


def update_in(change: Change, actor: User, actor_id: int | None, project_id: int,
              data: dict[str, Any], extra: dict[str, Any] | None = None,
              ) -> tuple[Project, dict[str, list]]:
    """:func:`update_project`'s work inside a change already begun (an import updates many
    projects in one); ``extra`` as for :func:`create_in`. Returns the project and what
    changed (``{field: [old, new]}``); nothing changed, nothing is recorded or announced."""
    refuse_unknown(data, {*record.FIELDS, "stage_dates", "team", "version", "reason"})
    clean = record.clean(data, creating=False)
    clean.update(extra or {})
    dates = record.clean_stage_dates(data.get("stage_dates"))
    reason = _reason(data.get("reason"))
    project = load_project(actor, project_id)
    if "team" in data:
        clean["team"] = teams.team_for_handover(actor, project, data["team"])
    check_version(project, data.get("version"))
    require_active(project)
    _require_date_rights(actor, [stage for stage, day in dates.items()
                                 if project.stage_date(stage) != day])
    gaps = record.missing_for(project, project.stage)
    # Read everything before writing anything: one flush, so one version step.
    with db.session.no_autoflush:
        changes = _apply(project, clean, dates)
        action = _agreement_change(actor, project, clean, changes)
        _check_project(project, clean)
        if clean.get("owner") is not None:
            teams.check_owner(project, clean["owner"])
        record.check_gate(project, project.stage, gaps)
    if changes:
        project.updated_at = utcnow()
        record_event(project, actor_id, action, change.event_revision(), changes=changes,
                     reason=reason)
        change.announce(project, action)
    return project, changes


def move_project(actor: User | None, project_id: int, stage: Any, version: Any,
                 position: Any = None, reason: Any = None,
                 fields: dict[str, Any] | None = None) -> Project:
    """Move a card to ``stage`` at ``position`` (0-based among the other cards; default last).

    Entering a stage stamps its date: today, unless ``fields`` carries ``stage_dates`` for it.
    ``fields`` may also carry record fields (``investment_wan``…) and the dates of stages that
    have none yet, saved with the move: that is how a gate's missing fields are supplied.
    Stage dates are official figures: a move back clears the dates of the stages after the new
    one (the history keeps them) and keeps the date of the stage it lands in; the rest is
    :func:`_check_move_dates`.
    """
    actor_id = authorize(actor, "move")
    with board_change() as change:
        project, _changes = move_in(change, actor, actor_id, project_id, stage, version,
                                    position, reason, fields)
    return project


def move_in(change: Change, actor: User, actor_id: int | None, project_id: int, stage: Any,
            version: Any, position: Any = None, reason: Any = None,
            fields: dict[str, Any] | None = None) -> tuple[Project, dict[str, list]]:
    """:func:`move_project`'s work inside a change already begun (an import moves the cards its
    ledger shows further on; a change of ``many`` puts them at the bottom of their columns).
    Returns the project and what changed, the stage as ``stage: [from, to]``."""
    stage = _stage(stage)
    position = _position(position)
    reason = _reason(reason)
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise Invalid(_("Send the fields as an object."))
    refuse_unknown(fields, {*record.FIELDS, "stage_dates"})
    clean = record.clean(fields, creating=False)
    given = record.clean_stage_dates(fields.get("stage_dates"))
    if clean:
        authorize(actor, "edit")
    project = load_project(actor, project_id)
    check_version(project, version)
    require_active(project)
    from_stage = project.stage
    gaps = record.missing_for(project, from_stage)
    recorded = record.stage_dates(project)
    dates = record.kept_on_move(recorded, stage)
    replaced = [s for s, day in given.items() if dates[s] is not None and dates[s] != day]
    dates.update(given)
    if stage != from_stage and dates[stage] is None:
        dates[stage] = today()
    _check_move_dates(actor, recorded, dates, replaced, reason)
    with db.session.no_autoflush:
        project.rank = change.bottom_rank(stage) if change.many else \
            rank_for(stage, position, exclude_id=project.id)
        project.stage = stage
        changes = _apply(project, clean, dates)
        if _agreement_change(actor, project, clean, changes) == "converted":
            message = _("A framework agreement becomes a contract by an edit of its own, "
                        "not with a move.")
            raise Invalid(message, {"agreement_kind": message})
        _check_project(project, clean)
        record.check_gate(project, stage, () if stage != from_stage else gaps)
    project.updated_at = utcnow()
    record_event(project, actor_id, "moved", change.event_revision(), from_stage=from_stage,
                 to_stage=stage, reason=reason, changes=changes)
    change.announce(project, "moved")
    if stage != from_stage:
        changes = {"stage": [from_stage, stage], **changes}
    return project, changes


def assign_project(actor: User | None, project_id: int, owner: Any, version: Any,
                   reason: Any = None) -> Project:
    """Give a project an owner (责任人) by username, or none with ``None``."""
    actor_id = authorize(actor, "assign")
    _check_owner_name(owner)
    reason = _reason(reason)
    with board_change() as change:
        project = load_project(actor, project_id)
        check_version(project, version)
        require_active(project)
        new_owner = _find_owner(owner)
        if new_owner is not None:
            teams.check_owner(project, new_owner)
        previous = project.owner
        if previous == new_owner:
            db.session.rollback()
            return project
        project.owner = new_owner
        project.updated_at = utcnow()
        record_event(project, actor_id, "assigned", change.revision, reason=reason, changes={
            "owner": [previous.username if previous else None,
                      new_owner.username if new_owner else None]})
        change.announce(project, "assigned")
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
    actor_id = authorize(actor, "assign")
    pairs = _bulk_items(items)
    _check_owner_name(owner)
    reason = _reason(reason)
    with board_change() as change:
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
        withdrawn = [project for project in chosen if project.status == "withdrawn"]
        if withdrawn:
            raise Invalid(_about(withdrawn, _("withdrawn; reopen them first.")),
                          {"projects": _("Invalid.")})
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
            event_revision = change.revision if number == 0 else next_revision()
            previous = project.owner
            project.owner = new_owner
            project.updated_at = utcnow()
            record_event(project, actor_id, "assigned", event_revision, reason=reason, changes={
                "owner": [previous.username if previous else None,
                          new_owner.username if new_owner else None]})
            change.announce(project, "assigned", event_revision)
    return chosen


def delete_project(actor: User | None, project_id: int, version: Any,
                   reason: Any = None) -> Project:
    """Take a card off the board. The row and its history stay: nothing is ever lost."""
    actor_id = authorize(actor, "delete")
    reason = _reason(reason)
    with board_change() as change:
        project = load_project(actor, project_id)
        check_version(project, version)
        project.deleted_at = utcnow()
        record_event(project, actor_id, "deleted", change.revision, from_stage=project.stage,
                     reason=reason)
        change.announce(project, "deleted")
    return project



def withdraw_project(actor: User | None, project_id: int, version: Any, withdrawn_reason: Any,
                     comment: Any = None) -> Project:
    """Close a project as lost (终止/退库): it leaves the board for the archive, with its reason
    from ``WITHDRAW_REASONS`` and a comment (needed when the reason is "other"); its record,
    stage dates and history stay, and a lead can reopen it."""
    actor_id = authorize(actor, "withdraw")
    if not isinstance(withdrawn_reason, str) or withdrawn_reason not in WITHDRAW_REASONS:
        raise Invalid(_("Choose why the project is withdrawn."),
                      {"withdrawn_reason": _("Choose one from the list.")})
    comment = _reason(comment)
    if withdrawn_reason == "other" and comment is None:
        raise Invalid(_("Say in a comment why the project is withdrawn."),
                      {"reason": _("Required.")})
    with board_change() as change:
        project = load_project(actor, project_id)
        check_version(project, version)
        if project.status == "withdrawn":
            raise Invalid(_("This project is withdrawn already."))
        project.status = "withdrawn"
        project.withdrawn_at = project.updated_at = utcnow()
        project.withdrawn_reason = withdrawn_reason
        project.withdrawn_comment = comment or ""
        record_event(project, actor_id, "withdrawn", change.revision, from_stage=project.stage,
                     reason=comment, changes={"status": ["active", "withdrawn"],
                                              "withdrawn_reason": [None, withdrawn_reason]})
        change.announce(project, "withdrawn")
    return project


def reopen_project(actor: User | None, project_id: int, version: Any,
                   reason: Any = None) -> Project:
    """Bring a withdrawn project back to the board, at the bottom of its stage's column, with
    the record and dates it had; the withdrawal stays in its history."""
    actor_id = authorize(actor, "reopen")
    reason = _reason(reason)
    with board_change() as change:
        project = load_project(actor, project_id)
        check_version(project, version)
        if project.status != "withdrawn":
            raise Invalid(_("This project is on the board, not withdrawn."))
        project.rank = rank_for(project.stage, None, exclude_id=project.id)
        previous = project.withdrawn_reason
        project.status = "active"
        project.withdrawn_at = None
        project.withdrawn_reason = None
        project.withdrawn_comment = ""
        project.updated_at = utcnow()
        record_event(project, actor_id, "reopened", change.revision, to_stage=project.stage,
                     reason=reason, changes={"status": ["withdrawn", "active"],
                                             "withdrawn_reason": [previous, None]})
        change.announce(project, "reopened")
    return project
