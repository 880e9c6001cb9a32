"""Made-up projects written in bulk, as the services would have left them: the one writer that the
demo data (``wallchart demo-data``), the mid-year dataset and the benchmarks (``bench/``) and
the browser tests share.

A :class:`Spec` says what one project is: its record, the date it entered each stage it reached,
its team and owner, its next step and open blockers, and how it left the board if it did
(withdrawn, deleted, or a signing that fell through). :func:`insert_projects` writes a list of
them in one transaction: the rows at the bottom of their columns, real :class:`Blocker` rows
behind the blocker counts the cards show, and, in date order, the history a wall would hold for
them (created, owner assigned, moved into each later stage on its date, blockers raised,
withdrawn or deleted), each entry one board revision and one lobby revision. Creating them one
by one through ``services.projects`` would say the same, at one transaction (and today's date)
per change.

    from wallchart.cli.dataset import Spec, insert_projects

    insert_projects([Spec("冷链物流园项目", "示例集团（示例）", "鹤城区", "services", 30000,
                          {"contact": date(2026, 3, 2), "negotiating": date(2026, 4, 20)},
                          team="一组", owner="member")])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select, update

from wallchart.core.models import (
    Blocker,
    BoardState,
    County,
    Project,
    ProjectEvent,
    Team,
    User,
    utcnow,
)
from wallchart.core.stages import STAGE_ORDER
from wallchart.core.transactions import quiet_transaction
from wallchart.extensions import db
from wallchart.services import accounts
from wallchart.services.positions import STEP
from wallchart.services.record import DETAIL_FIELDS, date_key

#: The record fields a spec carries as they are stored (the county and the next step's owner are
#: named, and looked up when written).
STORED_FIELDS = ("name", "investor", "investment_wan", "sector",
                 *(name for name in DETAIL_FIELDS if name != "next_step_owner"))
#: The stage a signing that fell through returns from.
SIGNED = "signed"


@dataclass
class BlockerSpec:
    """One open blocker (协调事项) of a project: raised on ``raised_on``, due by ``due_on``."""

    kind: str
    department: str
    raised_on: date
    due_on: date | None = None
    description: str = ""


@dataclass
class Spec:
    """One project to write: its record (the fields of ``services.record``), the date it
    entered each stage it reached (``dates``, any order), its team and owner (by name), its
    open blockers, and how it left the board, if it did."""

    name: str
    investor: str
    county: str | None
    sector: str | None
    investment_wan: int
    dates: dict[str, date]
    team: str | None = None
    #: A username from the team; None: no owner.
    owner: str | None = None
    origin: str = ""
    foreign_invested: bool = False
    three500: str | None = None
    enterprise_type: str | None = None
    industry_chain: str = ""
    source_channel: str | None = None
    source_detail: str = ""
    foreign_capital_usd_wan: int = 0
    new_trade_entity: bool = False
    contact_person: str = ""
    contact_phone: str = ""
    land_mu: int = 0
    description: str = ""
    confidential: bool = False
    planned_on: date | None = None
    promised_start_on: date | None = None
    agreement_kind: str = "contract"
    project_kind: str = "new"
    increment_wan: int = 0
    contracted_on: date | None = None
    next_step: str = ""
    next_step_due: date | None = None
    #: A username from the team.
    next_step_owner: str | None = None
    blockers: list[BlockerSpec] = field(default_factory=list)
    withdrawn_on: date | None = None
    withdrawn_reason: str = "investor_withdrew"
    deleted_on: date | None = None
    #: A signing that fell through: (signed on, moved back on). The project went from its stage
    #: (``negotiating``) to signed and back; the move back cleared ``signed_on``, so ``dates``
    #: holds no signing.
    fell_through: tuple[date, date] | None = None
    fell_through_reason: str = "签约项目资金未到位，退回在谈"
    #: The row's id, once written.
    id: int | None = field(default=None, compare=False)

    @property
    def stage(self) -> str:
        """The stage it is in: the last one it reached."""
        return self.reached[-1]

    @property
    def reached(self) -> list[str]:
        """The stages it entered, in stage order."""
        return [stage for stage in STAGE_ORDER if stage in self.dates]


def ensure_counties(counties: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Add the (name, kind) counties that are missing, in the given order after the others,
    through the service (as ``wallchart county add`` does); return every county's id by name."""
    known = set(db.session.execute(select(County.name)).scalars())
    for name, kind in counties:
        if name not in known:
            accounts.add_county(None, name, kind)
    return dict(db.session.execute(select(County.name, County.id)).all())


def insert_projects(specs: list[Spec], *, with_history: bool = True) -> None:
    """Write ``specs`` in one transaction, each at the bottom of its stage's column, and set
    each spec's ``id``.

    With ``with_history`` (the default), each project gets the history the services would have
    recorded, and every entry takes its board revision and lobby revision in date order, as on
    a wall that lived through those days; without it (a quicker fill for measurements), the
    write takes one revision of each, so that an open screen still sees that it must reload.
    The counties, teams and users the specs name must exist. Like every change, it starts a
    fresh write transaction: what the session holds uncommitted is rolled back first.
    """
    if not specs:
        return
    for spec in specs:
        _check(spec)
    with quiet_transaction():
        names = _Names.load(specs)
        bottom = dict(db.session.execute(
            select(Project.stage, func.max(Project.rank)).where(Project.on_board)
            .group_by(Project.stage)).all())
        rows = []
        for spec in specs:
            bottom[spec.stage] = (bottom.get(spec.stage) or 0.0) + STEP
            rows.append(_row(spec, names, bottom[spec.stage]))
        db.session.add_all(rows)
        db.session.flush()
        blockers = [[Blocker(project_id=row.id, raised_by_id=_actor(row, names), status="open",
                             kind=blocker.kind, department=blocker.department,
                             description=blocker.description, raised_on=blocker.raised_on,
                             due_on=blocker.due_on, created_at=_at(blocker.raised_on))
                     for blocker in spec.blockers] for spec, row in zip(specs, rows, strict=True)]
        db.session.add_all(blocker for of_one in blockers for blocker in of_one)
        db.session.flush()
        for spec, row in zip(specs, rows, strict=True):
            spec.id = row.id
        entries: list[tuple[tuple, ProjectEvent]] = []
        if with_history:
            for number, (spec, row, raised) in enumerate(zip(specs, rows, blockers,
                                                             strict=True)):
                entries += _history(number, spec, row, raised, names)
        entries.sort(key=lambda entry: entry[0])
        last = _take_revisions(len(entries) or 1)
        for revision, (_key, event) in enumerate(entries, last - len(entries) + 1):
            event.revision = revision
            db.session.add(event)


def _check(spec: Spec) -> None:
    """Refuse a spec no wall could hold: stage dates out of order, a blocker raised before the
    project existed, a signing that fell through on a project not in negotiation."""
    days = [spec.dates[stage] for stage in spec.reached]
    if not days or days != sorted(days):
        raise ValueError(f"{spec.name}: the stage dates must be given, in stage order: "
                         f"{spec.dates}")
    if any(blocker.raised_on < days[0] for blocker in spec.blockers):
        raise ValueError(f"{spec.name}: a blocker raised before the project was created")
    if spec.fell_through and (spec.stage != "negotiating"
                              or not days[-1] <= spec.fell_through[0] <= spec.fell_through[1]):
        raise ValueError(f"{spec.name}: a signing falls through after negotiation begins")


@dataclass
class _Names:
    """Ids of the counties, teams and users the specs name, and each team's lead."""

    counties: dict[str, int]
    teams: dict[str, int]
    users: dict[str, int]
    leads: dict[int, int | None]

    @classmethod
    def load(cls, specs: list[Spec]) -> _Names:
        """Look every name up (one query each) and refuse one that does not exist."""
        wanted = {"county": {s.county for s in specs} - {None},
                  "team": {s.team for s in specs} - {None},
                  "user": {name for s in specs for name in (s.owner, s.next_step_owner)} - {None}}
        teams = db.session.execute(select(Team.name, Team.id, Team.lead_id)
                                   .where(Team.name.in_(wanted["team"]))).all()
        names = cls(
            dict(db.session.execute(select(County.name, County.id)
                                    .where(County.name.in_(wanted["county"]))).all()),
            {name: team_id for name, team_id, _lead in teams},
            dict(db.session.execute(select(User.username, User.id)
                                    .where(User.username.in_(wanted["user"]))).all()),
            {team_id: lead_id for _name, team_id, lead_id in teams})
        for kind, found in (("county", names.counties), ("team", names.teams),
                            ("user", names.users)):
            if missing := wanted[kind] - set(found):
                raise ValueError(f"no {kind} named {', '.join(sorted(missing))}")
        return names


def _row(spec: Spec, names: _Names, rank: float) -> Project:
    """The project as the services leave it after its last change."""
    moments = [_at(day) for day in (*spec.dates.values(), *(b.raised_on for b in spec.blockers),
                                    spec.withdrawn_on, spec.deleted_on,
                                    *(spec.fell_through or ())) if day is not None]
    dues = [blocker.due_on for blocker in spec.blockers if blocker.due_on is not None]
    return Project(
        **{name: getattr(spec, name) for name in STORED_FIELDS},
        county_id=names.counties[spec.county] if spec.county else None,
        team_id=names.teams[spec.team] if spec.team else None,
        owner_id=names.users[spec.owner] if spec.owner else None,
        next_step_owner_id=names.users[spec.next_step_owner] if spec.next_step_owner else None,
        stage=spec.stage, rank=rank, stage_entered_at=spec.dates[spec.stage],
        **{f"{stage}_on": day for stage, day in spec.dates.items()},
        created_at=min(moments), updated_at=max(moments),
        open_blockers=len(spec.blockers), blocker_due=min(dues, default=None),
        status="withdrawn" if spec.withdrawn_on else "active",
        withdrawn_at=_at(spec.withdrawn_on) if spec.withdrawn_on else None,
        withdrawn_reason=spec.withdrawn_reason if spec.withdrawn_on else None,
        deleted_at=_at(spec.deleted_on) if spec.deleted_on else None)


def _actor(row: Project, names: _Names) -> int | None:
    """Who made the changes: the team's lead, else the owner (None shows as "system")."""
    return names.leads.get(row.team_id) or row.owner_id


def _history(number: int, spec: Spec, row: Project, blockers: list[Blocker],
             names: _Names) -> list[tuple[tuple, ProjectEvent]]:
    """The project's history entries, each with its sort key (day, project, step), without
    their revisions: what ``services.projects`` and ``services.blockers`` record for each
    change, the project's creation with its record, in its first stage."""
    actor = _actor(row, names)
    steps: list[tuple[date, dict[str, Any]]] = []
    reached = spec.reached
    first = reached[0]
    record = {name: _shown(getattr(spec, name)) for name in STORED_FIELDS
              if getattr(spec, name) not in (None, "", 0, False)}
    record |= {key: value for key, value in (("county", spec.county), ("team", spec.team),
                                              ("next_step_owner", spec.next_step_owner)) if value}
    steps.append((spec.dates[first], {"action": "created", "to_stage": first, "changes": {
        **record, date_key(first): spec.dates[first].isoformat()}}))
    if spec.owner:
        steps.append((spec.dates[first], {"action": "assigned",
                                          "changes": {"owner": [None, spec.owner]}}))
    for before, stage in zip(reached, reached[1:], strict=False):
        steps.append((spec.dates[stage], _move(before, stage, [None, spec.dates[stage]])))
    if spec.fell_through:
        signed_on, back_on = spec.fell_through
        steps.append((signed_on, _move(spec.stage, SIGNED, [None, signed_on])))
        steps.append((back_on, {**_move(SIGNED, spec.stage, [signed_on, None]),
                                "reason": spec.fell_through_reason}))
    for blocker in blockers:
        steps.append((blocker.raised_on, {"action": "blocker_raised", "changes": {
            "blocker": blocker.id, "kind": blocker.kind, "department": blocker.department,
            "description": blocker.description, "raised": blocker.raised_on.isoformat(),
            "due": _shown(blocker.due_on)}}))
    if spec.withdrawn_on:
        steps.append((spec.withdrawn_on, {"action": "withdrawn", "from_stage": spec.stage,
                                          "changes": {"status": ["active", "withdrawn"],
                                                      "withdrawn_reason": [
                                                          None, spec.withdrawn_reason]}}))
    if spec.deleted_on:
        steps.append((spec.deleted_on, {"action": "deleted", "from_stage": spec.stage}))
    steps.sort(key=lambda step: step[0])  # stable: a day's steps keep their order
    return [((day, number, order), ProjectEvent(project_id=row.id, user_id=actor, at=_at(day),
                                                **fields))
            for order, (day, fields) in enumerate(steps)]


def _move(before: str, after: str, dates: list[date | None]) -> dict[str, Any]:
    """A move's history entry: the stages, and the date the move set or cleared."""
    changed = after if dates[1] is not None else before
    return {"action": "moved", "from_stage": before, "to_stage": after,
            "changes": {date_key(changed): [_shown(day) for day in dates]}}


def _shown(value: Any) -> Any:
    """A value as the history keeps it: dates in ISO form."""
    return value.isoformat() if isinstance(value, date) else value


def _at(day: date) -> datetime:
    """The moment a change of ``day`` is recorded (UTC, as stored): 10:00 in Shanghai, or now
    if that is still to come."""
    return min(datetime.combine(day, time(2, 0), tzinfo=UTC).replace(tzinfo=None), utcnow())


def _take_revisions(count: int) -> int:
    """Take ``count`` board revisions and as many lobby revisions (every change written here is
    one a lobby screen sees: a card that comes, moves, changes owner or blockers, or goes);
    return the last board revision."""
    return db.session.execute(
        update(BoardState).where(BoardState.id == 1)
        .values(revision=BoardState.revision + count,
                lobby_revision=BoardState.lobby_revision + count)
        .returning(BoardState.revision)).scalar_one()
