"""Judging by results (以实绩论英雄): the indicators' figures per team and per owner (责任人).

Each figure is counted by the indicators' own rules and statement (``indicators.by_keys``), so
the city total here is the indicators page's for the same period. A project counts for the team
and the owner it has now: the record keeps no history of assignments to count by. Last year's
figures are compared only where the team or person already existed then (created by the end of
last year's period); otherwise the projects they hold now would credit them with work done
before they came.

Who sees what is decided here, for the page and the files alike: administrators and viewers
(the leadership) everything; a lead the teams he leads or belongs to, and their people; anyone
else his own line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import StringIO
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import or_, select, true

from wallchart.core.models import Team, User, team_member
from wallchart.core.timeutil import SHANGHAI
from wallchart.extensions import db
from wallchart.reads.queries import TEAMS_OF
from wallchart.reports import indicators
from wallchart.reports.indicators import INDICATORS, Figure, GroupRow, Period
from wallchart.reports.sheets import (
    PERCENT,
    TOTAL_BORDER,
    TOTAL_FILL,
    WAN,
    Sheet,
    csv_cell,
    layout,
    saved,
)

#: The roles that see every team and person: administrators and the leadership (viewers).
SEES_ALL = ("admin", "viewer")
#: The page's columns, in order; each ranks the lines when chosen.
COLUMNS = ("entered_negotiation", "signed", "signed_investment", "signed_billion_plus",
           "signed_three500", "started", "producing", "funds_in_place")
DEFAULT_SORT = "signed_investment"
#: What each column is called in the files (amounts of 万元 say so there).
COLUMN_LABELS: dict[str, object] = {
    "entered_negotiation": _l("Brought into negotiation"),
    "signed": _l("Signed"),
    "signed_investment": _l("Signed investment (10,000 yuan)"),
    "signed_billion_plus": _l("1bn yuan and above"),
    "signed_three500": _l("Three-500"),
    "started": _l("Started"),
    "producing": _l("Producing"),
    "funds_in_place": _l("Funds in place (10,000 yuan)"),
}
#: The two tables, by the indicators' ``GROUP_COLUMNS`` they group by.
GROUPINGS = ("team", "owner")
GROUPING_TITLES: dict[str, object] = {"team": _l("By team"), "owner": _l("By owner")}


def figure_of(row: GroupRow, column: str) -> tuple[int, int, float | None]:
    """A column's value in the period, last year, and the change (%), of one line."""
    if column == "funds_in_place":
        return (row.funds_in_place_wan, row.previous_funds_in_place_wan,
                row.change_funds_in_place_pct)
    if column == "signed_investment":
        figure = row.indicators["signed"]
        return (figure.investment_wan, figure.previous_investment_wan,
                figure.change_investment_pct)
    figure = row.indicators[column]
    return figure.count, figure.previous_count, figure.change_count_pct


@dataclass(frozen=True)
class Scope:
    """What one person may see: every line (``everything``), or these teams and people."""

    everything: bool
    teams: frozenset[int] = frozenset()
    people: frozenset[int] = frozenset()


def scope_of(user: User) -> Scope:
    """Leadership sees everything; a lead the teams he leads or belongs to, as everywhere he
    runs them, and their people (and himself); anyone else his own line. One statement for a
    lead, none otherwise."""
    if user.role in SEES_ALL:
        return Scope(True)
    if user.role != "lead":
        return Scope(False, people=frozenset({user.id}))
    rows = db.session.execute(
        select(Team.id, team_member.c.user_id)
        .outerjoin(team_member, team_member.c.team_id == Team.id)
        .where(Team.id.in_(TEAMS_OF)), {"user_id": user.id}).all()
    people = {user.id} | {member for _team, member in rows if member is not None}
    return Scope(False, frozenset(team for team, _member in rows), frozenset(people))


@dataclass
class Results:
    """The lines one person may see: ``lines[grouping]`` (unranked, labelled), the keys that
    existed last year (compared) and the city total (for those who see everything)."""

    period: Period
    lines: dict[str, list[GroupRow]]
    existed: dict[str, set[Any]] = field(default_factory=dict)
    total: GroupRow | None = None


def _zero(key: Any) -> GroupRow:
    nothing = Figure.of(0, 0, 0, 0)
    return GroupRow(key, "", dict.fromkeys(INDICATORS, nothing), 0, 0)


def _existed(created_at: datetime, period: Period) -> bool:
    """Created by the end (Shanghai) of last year's same period."""
    created = created_at.replace(tzinfo=UTC).astimezone(SHANGHAI).date()
    return created <= period.previous_year().end


def results(period: Period, user: User) -> Results:
    """The results the person may see for ``period``: the figures in one statement, the
    teams' and people's names in two more (three for a lead)."""
    scope = scope_of(user)
    total, found = indicators.by_keys(period, GROUPINGS)
    teams = {team.id: team for team in db.session.scalars(
        select(Team).where(true() if scope.everything else Team.id.in_(scope.teams)))}
    # People in a team, and anyone who owns a project counted here.
    owners = {row.key for row in found["owner"] if row.key is not None}
    people = {person.id: person for person in db.session.scalars(
        select(User).where(
            or_(User.id.in_(owners), User.id.in_(select(team_member.c.user_id)),
                User.id.in_(select(Team.lead_id))),
            true() if scope.everything else User.id.in_(scope.people)))}
    named = {"team": {key: team.name for key, team in teams.items()},
             "owner": {key: person.label for key, person in people.items()}}
    created = {"team": teams, "owner": people}
    shown = Results(period, {}, total=total if scope.everything else None)
    for grouping in GROUPINGS:
        rows = {row.key: row for row in found[grouping]}
        lines = []
        for key, label in sorted(named[grouping].items(), key=lambda item: item[1]):
            row = rows.get(key) or _zero(key)
            row.label = label
            lines.append(row)
        if scope.everything and None in rows:
            rows[None].label = _("Not recorded")
            lines.append(rows[None])
        shown.lines[grouping] = lines
        shown.existed[grouping] = {key for key, thing in created[grouping].items()
                                   if _existed(thing.created_at, period)}
    return shown


# --- files ---------------------------------------------------------------------------------

Ranked = dict[str, list[tuple[int | None, GroupRow]]]


def _headers(grouping: str) -> list[str]:
    heads = [_("Rank"), str(GROUPING_TITLES[grouping])]
    for column in COLUMNS:
        label = str(COLUMN_LABELS[column])
        heads += [label, _("%(figure)s same period last year", figure=label),
                  _("%(figure)s change (%%)", figure=label)]
    return heads


def _values(row: GroupRow, compared: bool, per: int) -> list[Any]:
    """A line's figures: each column's value, last year's and the change in ``per`` (100 for a
    fraction, 1 for percent); empty where the team or person did not exist last year, or
    there is nothing to compare with."""
    values: list[Any] = []
    for column in COLUMNS:
        now, before, change = figure_of(row, column)
        values += [now, before if compared else None,
                   change / per if compared and change is not None else None]
    return values


def _lines(shown: Results, ranked: Ranked, grouping: str):
    for rank, row in ranked[grouping]:
        yield rank, row, row.key is None or row.key in shown.existed[grouping]
    if shown.total is not None:
        yield None, shown.total, True


def workbook(shown: Results, ranked: Ranked) -> bytes:
    """The .xlsx file: a sheet per table, in the order the page ranks them."""
    book = Workbook()
    formats = [None, None, *[WAN, WAN, PERCENT] * len(COLUMNS)]
    for index, grouping in enumerate(GROUPINGS):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = str(GROUPING_TITLES[grouping])
        sheet = Sheet(ws, _("Results") + f" {shown.period.label} {GROUPING_TITLES[grouping]}",
                      2 + 3 * len(COLUMNS))
        sheet.header(_headers(grouping))
        for rank, row, compared in _lines(shown, ranked, grouping):
            fill, border = (TOTAL_FILL, TOTAL_BORDER) if row.total else (None, None)
            sheet.data([rank, row.label, *_values(row, compared, 100)], formats, fill, border)
        layout(ws, [6, 18, *[12] * (3 * len(COLUMNS))])
    return saved(book)


def csv_text(shown: Results, ranked: Ranked) -> str:
    """Both tables, the table named in the first column; a byte order mark first so that
    Excel reads the Chinese as UTF-8."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Table"), *_headers("team")[:1], _("Name"), *_headers("team")[2:]])
    for grouping in GROUPINGS:
        for rank, row, compared in _lines(shown, ranked, grouping):
            values = [str(GROUPING_TITLES[grouping]), rank, row.label, *_values(row, compared, 1)]
            writer.writerow([csv_cell(value) for value in values])
    return "\ufeff" + out.getvalue()
