"""The lists of the scheduling report (调度报告): the projects that newly entered negotiation,
were newly signed, newly started and newly completed and producing in a period, and the
framework agreements that became contracts in it (协议项目转化为合同项目), grouped by county (in
the counties' own order) with a subtotal each and a city total.

A project is listed by exactly the rule that counts it in the indicators (``indicators``: the
stage's own date in the period, a signing by ``core.counting``; deleted never, withdrawn kept),
so that a section's city total always equals its indicator: a signing is listed with its signed
amount, and one that adds no project (a capital increase counted by its increment) is listed,
marked, without adding to the count. One SQL statement for all the lists, reading plain columns
rather than ORM objects: a year of a large city is thousands of rows, and a project that
entered negotiation, signed and started in one year is read once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import groupby
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, true
from sqlalchemy.orm import aliased

from wallchart.core.counting import Rules
from wallchart.core.models import County, Project, Team, User
from wallchart.core.vocabulary import PROJECT_KINDS, SECTORS, THREE500
from wallchart.extensions import db
from wallchart.reports import indicators
from wallchart.reports.indicators import Period

#: The lists, by the indicator each lists.
SECTIONS = ("entered_negotiation", "signed", "converted", "started", "producing")

#: The indicators' names as the city reports them; the lists are titled by theirs.
INDICATOR_LABELS: dict[str, object] = {
    "entered_negotiation": _l("New projects entering negotiation"),
    "signed": _l("Newly signed projects"),
    "converted": _l("Framework agreements turned into contracts"),
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
    "converted": _l("Date it became a contract"),
    "started": _l("Construction start date"),
    "producing": _l("Production date"),
}


@dataclass(frozen=True)
class Row:
    """One project in a section, with what the report prints of it (``sector``, ``three500``
    and a project ``kind`` other than new as labels in the reader's language, empty when not
    recorded); ``investment_wan`` is what it adds to the section's amount, and ``counted``
    whether it adds to its count."""

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
    kind: str = ""
    counted: bool = True


@dataclass
class CountyGroup:
    """A county's projects in one section; ``county`` is None for projects that name none."""

    county: str | None
    rows: list[Row]

    @cached_property
    def count(self) -> int:
        return sum(row.counted for row in self.rows)

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
    """The whole report: the period, the indicators year on year, and the lists."""

    period: Period
    figures: dict[str, Any]
    sections: list[Section]


def _labels(vocabulary: dict[str, object]) -> dict[str | None, str]:
    """A vocabulary's labels translated once per report, not once per row (a year of a large
    city lists thousands of rows); no key reads as empty, an unknown one as itself."""
    return {None: "", "": "", **{key: str(label) for key, label in vocabulary.items()}}


def _section_dates(counting: Rules) -> list[Any]:
    """The date each list gives its projects, in ``SECTIONS`` order."""
    return [Project.negotiating_on, counting.signing_date(), Project.contracted_on,
            Project.started_on, Project.producing_on]


def _sections(period: Period) -> list[Section]:
    """The lists from one statement: each project in the period with the indicators' own
    condition (and measures) for each list, in the counties' order (projects without one
    last); within a county, by the list's date."""
    sectors, three500s = _labels(SECTORS), _labels(THREE500)
    kinds = {**_labels(PROJECT_KINDS), "new": ""}
    counting = indicators.rules()
    counts = indicators.conditions(period, counting)
    listed = [counts[key] for key in SECTIONS]
    measured = [indicators.measures(key, counting) for key in SECTIONS]
    owner = aliased(User)
    query = (
        select(Project.id, Project.name, Project.investor, Project.sector,
               Project.three500, Project.foreign_invested,
               Project.confidential, Project.status, owner.display_name, owner.username,
               Team.name, County.name, Project.project_kind, *_section_dates(counting), *listed,
               *(true() if adds is None else adds for adds, _amount in measured),
               *(amount for _adds, amount in measured))
        .outerjoin(County, Project.county_id == County.id)
        .outerjoin(owner, Project.owner_id == owner.id)
        .outerjoin(Team, Project.team_id == Team.id)
        .where(Project.deleted_at.is_(None), or_(*listed))
        .order_by(County.id.is_(None), County.sort_order, County.id)
    )
    members: dict[str, list[tuple[str | None, Row]]] = {key: [] for key in SECTIONS}
    width = len(SECTIONS)
    for (id_, name, investor, sector, three500, foreign, confidential, status, display_name,
         username, team, county, kind, *rest) in db.session.execute(query):
        columns = [rest[i * width:(i + 1) * width] for i in range(4)]
        for key, day, inside, adds, wan in zip(SECTIONS, *columns, strict=True):
            if inside:
                members[key].append((county, Row(
                    id_, name, investor, sectors.get(sector, sector), int(wan), day,
                    three500s.get(three500, three500), bool(foreign), bool(confidential),
                    status == "withdrawn", display_name or username or "", team or "",
                    kinds.get(kind, kind), bool(adds))))
    return [Section(key, [CountyGroup(county, sorted((row for _county, row in group),
                                                     key=lambda row: (row.on, row.id)))
                          for county, group in groupby(pairs, key=lambda pair: pair[0])])
            for key, pairs in members.items()]


def period_title(period: Period) -> str:
    return _("Scheduling report · %(period)s", period=period.label)


def schedule(period: Period) -> ScheduleReport:
    """The report for ``period``: one statement for the indicators, one for the lists."""
    return ScheduleReport(period, indicators.compute(period), _sections(period))
