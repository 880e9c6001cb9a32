"""Read-side queries shared by pages and the API: a constant number of SQL statements each."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, case, func, or_, select, tuple_, union
from sqlalchemy.orm import aliased, lazyload, load_only

from wallchart.core.early_warnings import COLOURS, colour_expression, stalled_condition
from wallchart.core.errors import NotFound
from wallchart.core.models import BoardState, County, Project, ProjectEvent, Team, User, team_member
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import STAGES
from wallchart.extensions import db

if TYPE_CHECKING:
    from wallchart.reads.filters import BoardFilter

T = TypeVar("T")


def board_revision(lobby: bool = False) -> int:
    """The board revision, or for a lobby screen the lobby revision (the changes it can see)."""
    column = BoardState.lobby_revision if lobby else BoardState.revision
    return db.session.execute(select(column).where(BoardState.id == 1)).scalar() or 0


class BoardColumns(dict[str, list[T]], Generic[T]):
    """The cards by stage, in column order (every stage a key), and per column how many cards
    are yellow and red (``warnings[stage]["red"]``) by the early-warning rules."""

    def __init__(self, rows: Iterable[tuple[T, str, str | None]] = ()) -> None:
        """``rows``: (card, its stage, its warning colour or None), in board order."""
        super().__init__({stage: [] for stage in STAGES})
        self.warnings: dict[str, dict[str, int]] = {
            stage: dict.fromkeys(COLOURS, 0) for stage in STAGES}
        for card, stage, colour in rows:
            self.setdefault(stage, []).append(card)
            if colour:
                self.warnings.setdefault(stage, dict.fromkeys(COLOURS, 0))[colour] += 1

    @property
    def count(self) -> int:
        return sum(len(cards) for cards in self.values())


def _board(*columns, board_filter: BoardFilter | None) -> Select:
    """The cards on the board (or those the filter keeps) in board order, each with its warning
    colour computed by the database (``warnings.colour_expression``) as the last column."""
    return (
        select(*columns, colour_expression(today(), current_app.config).label("colour"))
        .where(Project.on_board,
               *(board_filter.conditions() if board_filter else ()))
        .order_by(Project.rank, Project.id)
    )


def board_columns(board_filter: BoardFilter | None = None) -> BoardColumns[Project]:
    """Every project on the board (or those the filter keeps) by stage, owners, teams and
    counties joined in: one statement, however many projects and whatever the filter."""
    # A card never shows who owns the next step: one join less per row.
    query = _board(Project, board_filter=board_filter).options(lazyload(Project.next_step_owner))
    return BoardColumns((project, project.stage, colour)
                        for project, colour in db.session.execute(query))


class Card(NamedTuple):
    """What a screen needs of a card besides its HTML: what it adds to its column's total, and
    what else than its own row its HTML depends on (``card_cache``). A tuple: thousands are
    made per page."""

    id: int
    version: int
    investment_wan: int
    county: str | None
    team: str | None
    owner: str | None
    owner_label: str | None
    confidential: bool


def board_cards(board_filter: BoardFilter | None = None) -> BoardColumns[Card]:
    """``board_columns`` for the screens: a few plain columns per card instead of whole rows,
    whose loading would cost a board of thousands of cards more than anything else (the
    cards' HTML comes from ``card_cache``). One statement, whatever the filter."""
    county, team, owner = aliased(County), aliased(Team), aliased(User)
    query = (
        _board(Project.id, Project.version, Project.investment_wan, Project.stage,
               county.name.label("county"), team.name.label("team"),
               owner.username.label("owner"), owner.display_name.label("owner_label"),
               Project.confidential, board_filter=board_filter)
        .outerjoin(county, Project.county_id == county.id)
        .outerjoin(team, Project.team_id == team.id)
        .outerjoin(owner, Project.owner_id == owner.id)
    )
    return BoardColumns(
        (Card(id_, version, wan, county_name, team_name, username, label or username,
              confidential), stage, colour)
        for id_, version, wan, stage, county_name, team_name, username, label, confidential,
        colour in db.session.execute(query))


def board_list(board_filter: BoardFilter | None = None, offset: int = 0,
               limit: int | None = None) -> tuple[list[tuple[Project, int]], int]:
    """The projects the filter keeps, one list in board order (column by column, each column top
    to bottom), each with its place in its column of the whole board (as ``index_of`` counts
    it, whatever the filter); ``offset`` and ``limit`` take a page of it. With the number of
    projects the filter keeps: two statements, whatever the filter and the page."""
    place = (
        select(Project.id.label("id"),
               (func.row_number().over(partition_by=Project.stage,
                                       order_by=(Project.rank, Project.id)) - 1).label("place"))
        .where(Project.on_board)
        .subquery()
    )
    conditions = board_filter.conditions() if board_filter else []
    column_order = case({stage: index for index, stage in enumerate(STAGES)},
                        value=Project.stage)
    query = (
        select(Project, place.c.place)
        .join(place, place.c.id == Project.id)
        .where(Project.on_board, *conditions)
        .order_by(column_order, Project.rank, Project.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = [(project, place) for project, place in db.session.execute(query)]
    total = db.session.execute(
        select(func.count()).select_from(Project).where(Project.on_board, *conditions)
    ).scalar_one()
    return rows, total


def index_of(project: Project) -> int:
    """The 0-based place of ``project`` in its column (board order), as every screen shows it.

    Counted once per version of the card in a session: the change that announces it counts it
    inside its transaction, and the answer to the same request reuses that count (the place as
    of the change's revision) rather than counting again.
    """
    places = db.session.info.setdefault("wallchart_places", {})
    # A change rolled back and tried again may reach the same version at another place.
    key = (project.id, project.version, project.stage, project.rank)
    if key not in places:
        # On the session's connection: a count needs none of the ORM's work around a query.
        places[key] = db.session.connection().execute(_CARDS_ABOVE, {
            "stage": project.stage, "rank": project.rank, "id": project.id}).scalar_one()
    return places[key]


#: How many cards stand above a card in its column: asked on every change, so built once.
_CARDS_ABOVE = select(func.count()).select_from(Project).where(
    Project.on_board, Project.stage == bindparam("stage"),
    tuple_(Project.rank, Project.id) < tuple_(bindparam("rank"), bindparam("id")))


#: What a card shows and its early warnings are computed from (``partials/card.html``,
#: ``core.early_warnings``), besides its county, team and owner.
CARD_COLUMNS = (
    Project.id, Project.version, Project.name, Project.investor, Project.code,
    Project.investment_wan, Project.sector, Project.three500, Project.foreign_invested,
    Project.confidential, Project.stage, Project.stage_entered_at, Project.last_note_on,
    Project.next_step, Project.next_step_due, Project.promised_start_on,
    Project.open_blockers, Project.blocker_due,
)


def card_projects(ids: Iterable[int]) -> list[Project]:
    """The projects with these ids as their cards need them: ``CARD_COLUMNS`` (a card reads
    a third of the row, and loading the rest cost a cold board of 5,000 cards a fifth of its
    time; reading any other column of them raises), owners, teams and counties joined in. One
    statement (also for no ids, so that a page sends the same statements whether or not it
    needs any)."""
    return list(db.session.execute(
        select(Project).where(Project.id.in_(list(ids)))
        .options(load_only(*CARD_COLUMNS, raiseload=True),
                 lazyload(Project.next_step_owner))).scalars())


@dataclass(frozen=True)
class FilterChoices:
    """What the filters may name: counties (in board order), teams and usernames, with the
    people's labels for the filter bar."""

    counties: tuple[str, ...]
    teams: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (username, label), by username

    @property
    def usernames(self) -> frozenset[str]:
        return frozenset(username for username, _label in self.people)


def filter_choices() -> FilterChoices:
    """Three small statements, on every filtered screen whether or not it filters."""
    people = db.session.execute(
        select(User.username, User.display_name).order_by(User.username)).all()
    return FilterChoices(
        counties=tuple(county.name for county in counties()),
        teams=tuple(db.session.execute(select(Team.name).order_by(Team.name)).scalars()),
        people=tuple((username, label or username) for username, label in people))


def live_project(project_id: int) -> Project | None:
    """The project, on the board or withdrawn to the archive; ``None`` once deleted."""
    project = db.session.get(Project, project_id)
    return project if project and project.deleted_at is None else None


def project_or_404(project_id: int) -> Project:
    """``live_project``, or :class:`NotFound` (404): every face's get-or-404. The app's error
    handlers answer it as a page, an htmx fragment or, under ``/api``, JSON."""
    project = live_project(project_id)
    if project is None:
        raise NotFound(_("No such project."))
    return project


def withdrawn_projects() -> list[Project]:
    """The archive (终止/退库): withdrawn projects, the latest first."""
    return list(db.session.execute(
        select(Project).where(Project.deleted_at.is_(None), Project.status == "withdrawn")
        .order_by(Project.withdrawn_at.desc(), Project.id.desc())).scalars())


def withdrawn_by(project_ids: list[int]) -> dict[int, User]:
    """Who withdrew each project (the author of its latest withdrawal), in one query."""
    if not project_ids:
        return {}
    latest = (select(func.max(ProjectEvent.id))
              .where(ProjectEvent.action == "withdrawn",
                     ProjectEvent.project_id.in_(project_ids))
              .group_by(ProjectEvent.project_id))
    events = db.session.execute(select(ProjectEvent).where(ProjectEvent.id.in_(latest)))
    return {event.project_id: event.user for event in events.scalars() if event.user}


def history(project_id: int) -> list[ProjectEvent]:
    return list(db.session.execute(
        select(ProjectEvent).where(ProjectEvent.project_id == project_id)
        .order_by(ProjectEvent.at.desc(), ProjectEvent.id.desc())
    ).scalars())


def counties() -> list[County]:
    return list(db.session.execute(select(County).order_by(County.sort_order, County.id)).scalars())


def assignable_users() -> list[User]:
    return list(db.session.execute(
        select(User).where(User.active.is_(True)).order_by(User.username)).scalars())


def administrators() -> list[User]:
    """The active administrators: whom a person asks for a place in a team, or for counties."""
    return list(db.session.execute(
        select(User).where(User.role == "admin", User.active.is_(True))
        .order_by(User.username)).scalars())


def teams() -> list[Team]:
    return list(db.session.execute(select(Team).order_by(Team.name)).scalars())


def team_names(team_ids: Collection[int]) -> list[str]:
    if not team_ids:
        return []
    return list(db.session.execute(
        select(Team.name).where(Team.id.in_(team_ids)).order_by(Team.name)).scalars())


def people_of_teams(team_ids: Collection[int] | None) -> list[User]:
    """The active leads and members of those teams (of every team with ``None``), once each:
    whom a lead may choose as the owner of his teams' projects."""
    members = select(team_member.c.user_id)
    leads = select(Team.lead_id).where(Team.lead_id.is_not(None))
    if team_ids is not None:
        members = members.where(team_member.c.team_id.in_(team_ids))
        leads = leads.where(Team.id.in_(team_ids))
    return list(db.session.execute(
        select(User).where(User.active.is_(True), or_(User.id.in_(members), User.id.in_(leads)))
        .order_by(User.username)).scalars())


@dataclass
class OwnerLoad:
    """One row of the workload view: an owner's projects (``owner`` None: those without one)."""

    owner: User | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    investment_wan: int = 0
    stalled: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, other: OwnerLoad) -> None:
        for stage, count in other.counts.items():
            self.counts[stage] += count
        self.investment_wan += other.investment_wan
        self.stalled += other.stalled


@dataclass
class Workload:
    owners: list[OwnerLoad]     # by username, people without projects included
    unowned: OwnerLoad          # the projects nobody owns
    total: OwnerLoad            # the whole board (or team)


def workload(team: Team | None = None) -> Workload:
    """Per owner: the projects on the board by stage, total investment, how many are stalled
    (their card is yellow or red by the early warnings' no-update rule, ``warnings``).

    Two statements however many projects and people: one aggregate over the projects, one for
    the owners (plus, for a team, its people who own nothing yet, so that a lead sees them).
    """
    stalled = case((stalled_condition(today(), current_app.config), 1), else_=0)
    query = (
        select(Project.owner_id, Project.stage, func.count(Project.id),
               func.coalesce(func.sum(Project.investment_wan), 0),
               func.coalesce(func.sum(stalled), 0))
        .where(Project.on_board)
        .group_by(Project.owner_id, Project.stage)
    )
    if team is not None:
        query = query.where(Project.team_id == team.id)
    loads: dict[int | None, OwnerLoad] = {}
    for owner_id, stage, count, wan, stalled_count in db.session.execute(query):
        load = loads.setdefault(owner_id, OwnerLoad(None))
        load.counts[stage] = load.counts.get(stage, 0) + count
        load.investment_wan += int(wan)
        load.stalled += int(stalled_count)
    unowned = loads.pop(None, OwnerLoad(None))
    people = User.id.in_(list(loads))
    if team is not None:
        in_team = or_(User.id.in_(select(team_member.c.user_id)
                                  .where(team_member.c.team_id == team.id)),
                      User.id == team.lead_id)
        people = or_(people, and_(User.active.is_(True), in_team))
    owners = []
    for user in db.session.execute(select(User).where(people).order_by(User.username)).scalars():
        load = loads.get(user.id, OwnerLoad(None))
        load.owner = user
        owners.append(load)
    total = OwnerLoad(None)
    for load in (*owners, unowned):
        total.add(load)
    return Workload(owners, unowned, total)


#: The teams a user (``user_id``) leads or belongs to: whose projects a member changes and a
#: lead runs, and whose people a lead's results show. Asked by every change, so built once.
TEAMS_OF = union(
    select(team_member.c.team_id).where(team_member.c.user_id == bindparam("user_id")),
    select(Team.id).where(Team.lead_id == bindparam("user_id")))
