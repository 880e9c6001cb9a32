"""The lists of the scheduling report (调度报告): the projects that newly entered negotiation,
were newly signed, newly started and newly completed and producing in a period, grouped by
county (in the counties' own order) with a subtotal each and a city total.

A project is listed by exactly the rule that counts it in the indicators (``indicators``: the
stage's own date in the period; deleted never, withdrawn kept), so that a section's city total
always equals its indicator. One SQL statement per section, reading plain columns rather than
ORM objects: a year of a large city is thousands of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from . import indicators
from .extensions import db
from .indicators import Period
from .models import County, Project, Team, User

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
    """One project in a section, with what the report prints of it."""

    id: int
    name: str
    investor: str
    sector: str | None
    investment_wan: int
    on: date
    three500: str | None
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

    @property
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

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def investment_wan(self) -> int:
        return sum(group.investment_wan for group in self.groups)


@dataclass
class ScheduleReport:
    """The whole report: the period, the indicators year on year, and the four lists."""

    period: Period
    figures: dict[str, Any]
    sections: list[Section]


def _section(key: str, period: Period) -> Section:
    on = getattr(Project, f"{SECTION_STAGES[key]}_on")
    owner = aliased(User)
    query = (
        select(Project.id, Project.name, Project.investor, Project.sector,
               Project.investment_wan, on, Project.three500, Project.foreign_invested,
               Project.confidential, Project.status, owner.display_name, owner.username,
               Team.name, County.name)
        .outerjoin(County, Project.county_id == County.id)
        .outerjoin(owner, Project.owner_id == owner.id)
        .outerjoin(Team, Project.team_id == Team.id)
        .where(Project.deleted_at.is_(None), indicators._conditions(period)[key])
        # Counties in their own order, projects without one last; within one, by date.
        .order_by(County.id.is_(None), County.sort_order, County.id, on, Project.id)
    )
    rows = [(county, Row(id_, name, investor, sector, wan, day, three500, bool(foreign),
                         bool(confidential), status == "withdrawn",
                         display_name or username or "", team or ""))
            for (id_, name, investor, sector, wan, day, three500, foreign, confidential, status,
                 display_name, username, team, county) in db.session.execute(query)]
    return Section(key, [CountyGroup(county, [row for _county, row in members])
                         for county, members in groupby(rows, key=lambda pair: pair[0])])


def period_title(period: Period) -> str:
    return _("Scheduling report · %(period)s", period=period.label)


def schedule(period: Period) -> ScheduleReport:
    """The report for ``period``: one statement for the indicators, one per section."""
    return ScheduleReport(period, indicators.compute(period),
                          [_section(key, period) for key in SECTION_STAGES])
