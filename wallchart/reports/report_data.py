"""The lists of the scheduling report (调度报告): the projects that newly entered negotiation,
were newly signed, newly started and newly completed and producing in a period, grouped by
county (in the counties' own order) with a subtotal each and a city total.

A project is listed by exactly the rule that counts it in the indicators (``indicators``: the
stage's own date in the period; deleted never, withdrawn kept), so that a section's city total
always equals its indicator. One SQL statement for all four lists, reading plain columns rather
than ORM objects: a year of a large city is thousands of rows, and a project that entered
negotiation, signed and started in one year is read once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import groupby
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from wallchart.core.models import County, Project, Team, User
from wallchart.core.vocabulary import SECTORS, THREE500
from wallchart.extensions import db
from wallchart.reports import indicators
from wallchart.reports.indicators import Period

#: Section key (an indicator's name) -> the stage whose date puts a project in it.
SECTION_STAGES: dict[str, str] = {
    "entered_negotiation": "negotiating",
    "signed": "signed",
    "started": "started",
    "producing": "producing",
}

#: The indicators' names as the city reports them; the four lists are titled by theirs.
INDICATOR_LABELS: dict[str, object] = {
    "entered_negotiation": _l("New projects entering negotiation"),
    "signed": _l("Newly signed projects"),
    "started": _l("Newly started projects"),
    "producing": _l("Newly completed and producing projects"),
    "signed_billion_plus": _l("Signed projects of 1 billion yuan and above"),
    "signed_three500": _l("Signed projects of Three Category 500 enterprises"),
    "foreign_invested": _l("New foreign-invested enterprises"),
    "new_trade_entity": _l("New foreign-trade entities"),
}

#: What each section's date column is called.
DATE_LABELS: dict[str, object] = {
    "entered_negotiation": _l("Negotiation date"),
    "signed": _l("Signing date"),
    "started": _l("Construction start date"),
    "producing": _l("Production date"),
}


@dataclass(frozen=True)
class Row:
    """One project in a section, with what the report prints of it (``sector`` and
    ``three500`` as labels in the reader's language, empty when not recorded)."""

    id: int
    name: str
    investor: str
    sector: str
    investment_wan: int
    on: date
    three500: str
    foreign_invested: bool
    confidential: bool
    withdrawn: bool
    owner: str
    team: str


@dataclass
class CountyGroup:
    """A county's projects in one section; ``county`` is None for projects that name none."""

    county: str | None
    rows: list[Row]

    @property
    def count(self) -> int:
        return len(self.rows)

    @cached_property
    def investment_wan(self) -> int:
        return sum(row.investment_wan for row in self.rows)


@dataclass
class Section:
    key: str
    groups: list[CountyGroup] = field(default_factory=list)

    @property
    def title(self) -> object:
        return INDICATOR_LABELS[self.key]

    @property
    def date_label(self) -> object:
        return DATE_LABELS[self.key]

    @cached_property
    def count(self) -> int:
        return sum(group.count for group in self.groups)

    @cached_property
    def investment_wan(self) -> int:
        return sum(group.investment_wan for group in self.groups)


@dataclass
class ScheduleReport:
    """The whole report: the period, the indicators year on year, and the four lists."""

    period: Period
    figures: dict[str, Any]
    sections: list[Section]


def _labels(vocabulary: dict[str, object]) -> dict[str | None, str]:
    """A vocabulary's labels translated once per report, not once per row (a year of a large
    city lists thousands of rows); no key reads as empty, an unknown one as itself."""
    return {None: "", "": "", **{key: str(label) for key, label in vocabulary.items()}}


def _sections(period: Period) -> list[Section]:
    """The four lists from one statement: each project in the period with the indicators'
    own condition for each list, in the counties' order (projects without one last); within a
    county, by the list's date."""
    sectors, three500s = _labels(SECTORS), _labels(THREE500)
    counts = indicators.conditions(period)
    listed = [counts[key] for key in SECTION_STAGES]
    owner = aliased(User)
    query = (
        select(Project.id, Project.name, Project.investor, Project.sector,
               Project.investment_wan, Project.three500, Project.foreign_invested,
               Project.confidential, Project.status, owner.display_name, owner.username,
               Team.name, County.name,
               *(getattr(Project, f"{stage}_on") for stage in SECTION_STAGES.values()), *listed)
        .outerjoin(County, Project.county_id == County.id)
        .outerjoin(owner, Project.owner_id == owner.id)
        .outerjoin(Team, Project.team_id == Team.id)
        .where(Project.deleted_at.is_(None), or_(*listed))
        .order_by(County.id.is_(None), County.sort_order, County.id)
    )
    members: dict[str, list[tuple[str | None, Row]]] = {key: [] for key in SECTION_STAGES}
    width = len(SECTION_STAGES)
    for (id_, name, investor, sector, wan, three500, foreign, confidential, status, display_name,
         username, team, county, *rest) in db.session.execute(query):
        for key, day, counted in zip(SECTION_STAGES, rest[:width], rest[width:], strict=True):
            if counted:
                members[key].append((county, Row(
                    id_, name, investor, sectors.get(sector, sector), wan, day,
                    three500s.get(three500, three500), bool(foreign), bool(confidential),
                    status == "withdrawn", display_name or username or "", team or "")))
    return [Section(key, [CountyGroup(county, sorted((row for _county, row in group),
                                                     key=lambda row: (row.on, row.id)))
                          for county, group in groupby(pairs, key=lambda pair: pair[0])])
            for key, pairs in members.items()]


def period_title(period: Period) -> str:
    return _("Scheduling report · %(period)s", period=period.label)


def schedule(period: Period) -> ScheduleReport:
    """The report for ``period``: one statement for the indicators, one for the lists."""
    return ScheduleReport(period, indicators.compute(period), _sections(period))
