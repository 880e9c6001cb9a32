"""A ledger brought onto the board (issue 12): the second half of the import.

``preview(actor, ledger)`` says what each row of a ledger read by ``services.ledger`` would do;
``apply(actor, ledger)`` does it. Each row is one of:

- ``create``: no project matches it; it is created as the form creates one, with its stage dates,
  so that an imported signed project counts as signed on its signing date;
- ``update``: a project matches it (by its code, else by name and investor among the projects on
  the board) and some of its fields differ: those are changed, as the form changes them, and a
  stage further on than the board's moves its card there, as a drag does (its gates, its dates
  from the ledger, ``stage: [from, to]`` among the changes); a stage behind the board's is
  refused;
- ``unchanged``: a project matches it and nothing differs (importing a ledger twice changes
  nothing);
- ``refused``: with every reason, each naming the row as Excel numbers it and the column's header.

Both run every row through the project services' own steps (``projects.create_in``,
``update_in`` and ``move_in``) inside ONE change of the board, so that a refused row leaves
nothing behind while the others are still checked (see ``_row``). ``preview`` always rolls the
change back; ``apply`` commits it only when no row is refused and something changes:
everything or nothing. Leads and administrators may import (it enters the dates of closed
months); ``None`` is the console, trusted as an administrator.
"""

from __future__ import annotations

import time
from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from wallchart.core.errors import Duplicate, Forbidden, Invalid, ServiceError
from wallchart.core.models import Project, User
from wallchart.core.stages import STAGE_ORDER, stage_index
from wallchart.core.vocabulary import FIELD_LABELS, STAGES
from wallchart.extensions import db
from wallchart.reads.duplicates import DuplicateIndex
from wallchart.reads.project_keys import ProjectKeys
from wallchart.services import teams
from wallchart.services.changes import Change, board_change
from wallchart.services.ledger import Column, Ledger, LedgerRow
from wallchart.services.projects import create_in, move_in, update_in

ACTIONS = ("create", "update", "unchanged", "refused")
#: Projects read in one statement (SQLite allows some thousands of parameters).
READ_AT_ONCE = 500


@dataclass
class RowPlan:
    """What one ledger row does. ``changes``: for ``create`` the values the new project's
    history records (``{field: value}``), for ``update`` ``{field: [old, new]}`` (display values:
    names, ISO dates); ``reasons``: a refusal's every reason, each a whole sentence naming the row
    and the column, in the person's language; ``duplicates``: the ids of the projects on
    record that a row refused as a likely duplicate resembles (imported anyway with
    ``allow_duplicates``), and ``duplicate_rows`` the numbers of the ledger's earlier rows it
    resembles;
    ``project_id``: the project the row is about (a new one's once written: none in a
    preview)."""

    number: int
    action: str
    name: str = ""
    project_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)

    @property
    def resembles(self) -> bool:
        """Whether the row was refused as a likely duplicate (of a project, or of a row)."""
        return bool(self.duplicates or self.duplicate_rows)


@dataclass
class ImportPlan:
    """What a ledger does to the board: its columns (``Column``: letter, header, field), each
    row's plan, and whether it was written (``apply`` with no row refused)."""

    columns: list[Column]
    rows: list[RowPlan]
    written: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Rows by action, every action named (``create``, ``update``, ``unchanged``,
        ``refused``)."""
        counts = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == "refused"]


class _Undo(Exception):
    """Roll the import's change back (a preview, a refusal, or nothing to write)."""


#: Told the rows done and the rows in all as an import goes (a page's progress bar).
Progress = Callable[[int, int], None]


def preview(actor: User | None, ledger: Ledger, team: str | None = None,
            allow_duplicates: bool = False, progress: Progress | None = None) -> ImportPlan:
    """What :func:`apply` would do, row by row; writes nothing."""
    return _run(actor, ledger, team, allow_duplicates, progress, write=False)


def apply(actor: User | None, ledger: Ledger, team: str | None = None,
          allow_duplicates: bool = False, progress: Progress | None = None) -> ImportPlan:
    """Import the ledger in one transaction: everything, or nothing when any row is refused
    (the plan says why). ``team`` is the team of new projects whose row names none (by default
    the actor's only team); ``allow_duplicates`` creates rows that resemble a project on record
    (the form's "save it anyway"), which are refused otherwise; ``progress`` is told the rows
    done about every hundredth of the ledger, and at its end."""
    return _run(actor, ledger, team, allow_duplicates, progress, write=True)


def _importer(actor: User | None) -> User:
    if actor is None:
        # The console: trusted as an administrator, recorded as no one (as other commands are).
        return User(username="", display_name="", role="admin", active=True)
    if not actor.can("correct_dates"):
        raise Forbidden(_("Only a lead or an administrator may import a ledger."))
    return actor


def _run(actor: User | None, ledger: Ledger, team: str | None, allow_duplicates: bool,
         progress: Progress | None, *, write: bool) -> ImportPlan:
    importer = _importer(actor)
    plan = ImportPlan(ledger.columns, [])
    headers = {column.field: column.header or column.letter
               for column in ledger.columns if column.field}
    try:
        with board_change(many=True) as change, db.session.no_autoflush:
            team = team or _own_team(importer)
            known = _Known()
            known.read(ledger.rows)
            alike = None if allow_duplicates else DuplicateIndex()
            total = len(ledger.rows)
            step = max(1, total // 100)
            created: dict[Project, RowPlan] = {}
            for done, row in enumerate(ledger.rows, 1):
                plan.rows.append(_row(change, importer, row, headers, team, known, alike,
                                      created))
                if done % step == 0 or done == total:
                    if write:  # a preview, rolled back, writes only what a row must see
                        db.session.flush()
                    if progress is not None:
                        progress(done, total)
                    _let_others_run()
            if not write or plan.refused or not any(
                    row.action in ("create", "update") for row in plan.rows):
                raise _Undo
            for project, row_plan in created.items():
                row_plan.project_id = project.id
            plan.written = True
    except _Undo:
        pass
    return plan


def _let_others_run() -> None:
    """A moment for the process's other requests and screens, every hundredth of a ledger:
    under gevent a long import would hold them all (its page's progress polls too). Changes
    asked for meanwhile wait for the board's lock, sleeping too (``core.transactions``); a
    zero sleep would not let gevent look at its sockets."""
    time.sleep(0.001)


def _own_team(importer: User) -> str | None:
    """The team of new projects whose row names none, when the import names none either: the
    importer's only team, asked once (else each such row is refused, saying to choose one)."""
    try:
        return teams.team_for_new_project(importer, None).name
    except Invalid:
        return None


def _row(change: Change, actor: User, row: LedgerRow, headers: dict[str, str],
         team: str | None, known: _Known, alike: DuplicateIndex | None,
         created: dict[Project, RowPlan]) -> RowPlan:
    """One row's plan; ``known`` and ``alike``: the projects so far, to match rows to and for
    the duplicate guard (``None``: duplicates allowed); ``created``: the new projects and
    their plans, given their ids once the import has flushed them.

    The rows are checked with the session's autoflush off, and written a batch at a time: what
    a row must know of the rows before it unflushed, ``known`` and ``alike`` know (a later row
    with a new project's code or name updates it). A row is written in a savepoint (undone at
    its end if refused) when it is refused already (for a cell, or for its stage) and checked on
    for its other reasons, or when it moves its card (an edit's history entry precedes the
    move, which may still refuse). Otherwise the services check everything before they add a
    project or record a change: a refused new project leaves nothing behind, and a refused
    update leaves only the values it set on its project, which are dropped (expired: the
    project as flushed, the rows before it flushed first)."""
    plan = RowPlan(row.number, "refused", str(row.values.get("name", "")))
    plan.reasons = [error.text for error in row.errors]
    data, extra = _data(row, headers, plan)
    unreadable = {error.header for error in row.errors}  # said once, by the cell's error
    action, changes, project_id, onward = "refused", {}, None, None
    project = known.match(row.values)
    if project is not None:
        if _unwritten(project):
            db.session.flush()  # what rows before this one did to it, in case this one is refused
        project_id, plan.name = project.id, project.name
        onward = _onward(data, project, row.number, headers, plan)
    savepoint = db.session.begin_nested() if plan.reasons or onward else None
    try:
        if project is None:
            data.setdefault("team", team)
            data.setdefault("stage", _stage_of(data))
            data["allow_duplicate"] = alike is None
            project, changes = create_in(change, actor, actor.id, data, extra,
                                         similar=alike.similar_projects if alike else None)
            action = "create"
        else:
            data["version"] = project.version
            _updated, changes = update_in(change, actor, actor.id, project.id, data, extra)
            if onward is not None:
                stage, later = onward
                _moved, moved = move_in(change, actor, actor.id, project.id, stage,
                                        project.version, fields={"stage_dates": later})
                changes = {**moved, **changes}
            action = "update" if changes else "unchanged"
    except Duplicate as duplicate:
        plan.reasons.append(_at(row.number, None, duplicate.message))
        plan.duplicates = [match.id for match in duplicate.matches if match not in created]
        plan.duplicate_rows = [created[match].number for match in duplicate.matches
                               if match in created]
    except ServiceError as error:
        given = {**row.values, "team": data.get("team")}  # the row's team, else the default
        plan.reasons.extend(_reasons(error, row.number, given, headers, unreadable))
    plan.project_id = project_id
    if plan.reasons or action == "refused":
        if savepoint is not None:
            savepoint.rollback()
        elif project is not None:
            db.session.expire(project)  # the values a refused update set, dropped
    else:
        plan.action, plan.changes = action, changes
        if savepoint is not None:
            savepoint.commit()
        if action == "create":
            created[project] = plan
        if action != "unchanged":
            known.written(project)
            if alike is not None:
                alike.add(project)
    return plan


def _onward(data: dict[str, Any], project: Project, number: int, headers: dict[str, str],
            plan: RowPlan) -> tuple[str, dict[str, str]] | None:
    """The stage a matched project's row takes it on to, with the dates of the stages it enters
    (taken out of ``data``): the ledger's stage, else the latest it gives a date for, when that
    is further on than the board's. Such a row moves the card as a drag does, with the move's
    gates and history; a ledger behind the board is refused (a move back clears official dates,
    and a stale ledger must not do that), and ``None`` is returned."""
    dates = data.get("stage_dates", {})
    stage = data.pop("stage", None) or max(project.stage, _stage_of(data), key=stage_index)
    if stage_index(stage) < stage_index(project.stage):
        plan.reasons.append(_at(number, headers.get("stage"), _(
            "The project is at %(stage)s on the board, further on than the ledger's "
            "%(ledger)s: move its card back on the board if that is meant.",
            stage=STAGES[project.stage], ledger=STAGES[stage])))
        return None
    if stage == project.stage:
        return None
    return stage, {later: dates.pop(later) for later in list(dates)
                   if stage_index(later) > stage_index(project.stage)}


def _unwritten(project: Project) -> bool:
    """Whether the project has changes (or is new) not yet flushed."""
    state = inspect(project)
    return state.pending or state.modified


def _data(row: LedgerRow, headers: dict[str, str], plan: RowPlan,
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's values as the project services take them (``stage_dates`` as ISO dates), and
    its owner (looked up here: the services set owners by assignment) as ``extra``."""
    data: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in row.values.items():
        if name.startswith("stage_dates."):
            data.setdefault("stage_dates", {})[name.removeprefix("stage_dates.")] = \
                value.isoformat()
        elif name == "owner":
            owner = _owner(value)
            if owner is None:
                plan.reasons.append(_at(row.number, headers.get("owner"), _(
                    "No active user named %(name)s.", name=value)))
            else:
                extra["owner"] = owner
        else:
            data[name] = value
    return data, extra


def _owner(name: str) -> User | None:
    """The active user of this username, else of this display name (when only one has it)."""
    user = db.session.execute(select(User).where(User.username == name)).scalar()
    if user is None:
        named = db.session.execute(select(User).where(User.display_name == name)).scalars().all()
        user = named[0] if len(named) == 1 else None
    return user if user is not None and user.active else None


def _stage_of(data: dict[str, Any]) -> str:
    """A new project's stage: the ledger's, else the latest stage it gives a date for."""
    dated = [stage for stage in STAGE_ORDER if stage in data.get("stage_dates", {})]
    return dated[-1] if dated else "contact"


class _Known:
    """The projects a ledger's rows may be about, loaded once: by code (any not deleted), and by
    name and investor (those on the board, oldest first); kept up to date as rows are written,
    new projects included before they are flushed (``ProjectKeys``)."""

    def __init__(self) -> None:
        self._keys = ProjectKeys()
        self._texts: dict[int, tuple[str | None, str, str, bool]] = {}
        self._by_code: dict[str, int] = {}
        self._by_name: dict[tuple[str, str], list[int]] = {}
        self._read: list[Project] = []
        for project_id, code, name, investor, status in db.session.execute(
                select(Project.id, Project.code, Project.name, Project.investor, Project.status)
                .where(Project.deleted_at.is_(None)).order_by(Project.id)):
            self._add(self._keys.loaded(project_id), code, name, investor, status == "active")

    def _add(self, key: int, code: str | None, name: str, investor: str | None,
             active: bool) -> None:
        texts = (code, name, investor or "", active)
        self._texts[key] = texts
        if code:
            self._by_code[code] = key
        if active:
            insort(self._by_name.setdefault((name, investor or ""), []), key)

    def written(self, project: Project) -> None:
        """Know a project as a row left it (created, or updated)."""
        key = self._keys.key(project)
        old = self._texts.get(key)
        if old is not None:
            code, name, investor, active = old
            if code and self._by_code.get(code) == key:
                del self._by_code[code]
            if active:
                self._by_name[(name, investor)].remove(key)
        self._add(key, project.code, project.name, project.investor, project.status == "active")

    def match(self, values: dict[str, Any]) -> Project | None:
        """The project a row is about: the one with its code, else the one on the board with
        its name and investor (and no code, when the row gives one: a project known by another
        code is another project)."""
        key = self._match(values)
        return None if key is None else self._keys.project(key)

    def _match(self, values: dict[str, Any]) -> int | None:
        code = values.get("code")
        if code and code in self._by_code:
            return self._by_code[code]
        if not values.get("name"):
            return None
        for key in self._by_name.get((values["name"], values.get("investor") or ""), ()):
            if not code or not self._texts[key][0]:
                return key
        return None

    def read(self, rows: list[LedgerRow]) -> None:
        """Read the projects that rows match now, a few hundred a statement, rather than one
        a row (a ledger imported again matches every row); kept while the import runs."""
        ids = sorted({key for row in rows if (key := self._match(row.values)) is not None
                      and not self._keys.is_new(key)})
        for start in range(0, len(ids), READ_AT_ONCE):
            self._read.extend(db.session.execute(select(Project).where(
                Project.id.in_(ids[start:start + READ_AT_ONCE]))).scalars())


def _reasons(error: ServiceError, number: int, given: dict[str, Any], headers: dict[str, str],
             unreadable: set[str]) -> list[str]:
    """A service's refusal said at the row, a sentence per field, at the field's column (but
    none at a column whose cell could not be read: its error says it already)."""
    fields = getattr(error, "fields", {})
    if not fields:
        return [_at(number, None, error.message)]
    reasons = []
    for name, message in fields.items():
        if headers.get(name) in unreadable:
            continue
        value = given.get(name)
        if name == "county" and isinstance(value, str) and \
                message == _("Choose a county or district from the list."):
            message = _("No county or district named %(name)s.", name=value)
        elif name == "team" and isinstance(value, str) and message == _("Unknown team."):
            message = _("No team named %(name)s.", name=value)
        reasons.append(_at(number, headers.get(name) or _label(name), message))
    return reasons


def _label(name: str) -> str | None:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else None


def _at(number: int, column: str | None, message: str) -> str:
    if column:
        return _("Row %(row)d, %(column)s: %(message)s", row=number, column=column,
                 message=message)
    return _("Row %(row)d: %(message)s", row=number, message=message)
