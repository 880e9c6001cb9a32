"""The wall's views besides the board: the county ranking (争先进位), what needs attention (open
blockers and red cards), and the charts. The wall renders ``partials/wall_<name>.html`` with
:func:`view_context`.

Each view costs a fixed number of queries however many projects there are, and is built as
plain rows of text: what a lobby screen must not show (the investor and amount of a
confidential project, :func:`hidden`) is left out here, so it never reaches the template, let
alone the screen; nor does a lobby's list order by it.
A lobby screen's figures (ranking, charts) leave confidential projects out altogether, as its
header does (``wall_summary``): a total that included one would move by its amount when it
signs, and the views side by side would tell it by difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import case, event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, contains_eager, with_loader_criteria

from wallchart.core.early_warnings import colour_condition, idle_since, warning_for
from wallchart.core.formatting import date_span, money, total_number
from wallchart.core.models import Blocker, Project
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import BLOCKER_KINDS, STAGES
from wallchart.extensions import db
from wallchart.reports import charts, indicators
from wallchart.reports.indicators import PACE_STATUS, Figure, GroupRow, Period
from wallchart.reports.report_data import INDICATOR_LABELS

VIEWS = ("ranking", "attention", "charts")
#: Rows per list on the attention view: as many as fit a 16:9 screen in type read across a room.
ATTENTION_ROWS = 8
#: The ranking's figures: (indicator, its investment rather than its count).
RANKED = (("signed", False), ("signed", True), ("signed_billion_plus", False), ("started", False))


def view_context(name: str, profile: str, day: date | None = None) -> dict[str, Any]:
    """What ``partials/wall_<name>.html`` shows on a screen of ``profile`` (``staff`` or
    ``lobby``), as of ``day`` (today in Shanghai)."""
    builders: dict[str, Callable[[date, str], dict[str, Any]]] = {
        "ranking": _ranking, "attention": _attention, "charts": _charts}
    if name not in builders:
        raise ValueError(f"no wall view {name!r}")
    return {"view": name, "profile": profile, "public_only": profile == "lobby",
            **builders[name](day or today(), profile)}


#: Set while a lobby screen's figures are read: every ORM select then leaves out confidential
#: projects (context-local: other requests are untouched).
_public_only: ContextVar[bool] = ContextVar("wall_public_only", default=False)


@event.listens_for(Session, "do_orm_execute")
def _leave_out_confidential(state: ORMExecuteState) -> None:
    if _public_only.get() and state.is_select:
        state.statement = state.statement.options(with_loader_criteria(
            Project, Project.confidential.is_(False), include_aliases=True))


@contextmanager
def figures_for(profile: str) -> Iterator[None]:
    """Within it, the figures read are those a screen of ``profile`` may show: on a lobby
    screen, of projects that are not confidential."""
    token = _public_only.set(profile == "lobby")
    try:
        yield
    finally:
        _public_only.reset(token)


def hidden(project: Project, profile: str) -> bool:
    """Whether a screen of ``profile`` must not learn the project's investor, amount and
    Three-500 list: a lobby screen, of a confidential project. Nor anything that follows from
    them, such as an order."""
    return profile == "lobby" and project.confidential


def year_to_date(day: date) -> Period:
    return Period(date(day.year, 1, 1), day)


def period_text(span: Period) -> str:
    """'2026年1月1日至11月25日' / 'Jan 1 – Nov 25, 2026'."""
    return date_span(span.start, span.end)


# --- the county ranking ---------------------------------------------------------------------------

#: What a change reads where the same period last year had nothing: a dash, explained once in
#: the view's legend, rather than "去年同期为零" in grey under most counties of a young year.
NO_BASE = "—"


@dataclass
class Cell:
    """One figure of the ranking and how it changed year on year (``trend`` up/down/None;
    ``change`` :data:`NO_BASE` where there is nothing to compare with)."""

    value: str
    change: str
    trend: str | None


@dataclass
class RankingRow:
    label: str
    cells: list[Cell]
    rank: int | None = None
    #: Places gained (+) or lost (−) against the same period last year; None: nothing to compare.
    moved: int | None = None
    #: Signed investment against the annual target: (percent reached, ahead/on_pace/behind).
    pace: tuple[float, str] | None = None


def _cell(figure: Figure, money: bool) -> Cell:
    value = figure.investment_wan if money else figure.count
    pct = figure.change_investment_pct if money else figure.change_count_pct
    trend = None if not pct else ("up" if pct > 0 else "down")
    change = NO_BASE if pct is None else indicators.format_change(pct)
    return Cell(total_number(value) if money else str(value), change, trend)


def _order(row: GroupRow, previous: bool = False) -> tuple[int, int]:
    """What decides a place: the number of signings, then their investment."""
    signed = row.indicators["signed"]
    if previous:
        return signed.previous_count, signed.previous_investment_wan
    return signed.count, signed.investment_wan


def _ranks(rows: list[GroupRow], previous: bool = False) -> dict[Any, int]:
    """Places by :func:`_order`, equal figures sharing a place (1, 2, 2, 4). A county that
    signed nothing takes no place: a row of counties all "first" with nothing is no ranking."""
    ordered = sorted((row for row in rows if _order(row, previous) != (0, 0)),
                     key=lambda row: _order(row, previous), reverse=True)
    places: dict[Any, int] = {}
    for position, row in enumerate(ordered, 1):
        same = position > 1 and _order(row, previous) == _order(ordered[position - 2], previous)
        places[row.key] = places[ordered[position - 2].key] if same else position
    return places


def _ranking(day: date, profile: str) -> dict[str, Any]:
    period = year_to_date(day)
    with figures_for(profile):
        rows = indicators.by_group(period, "county")
        targets = indicators.pace(day.year, day)
    counties = [row for row in rows if not row.total and row.key is not None]
    places, before = _ranks(counties), _ranks(counties, previous=True)
    pace = {item.county_id: item.items["signed_investment_wan"] for item in targets}

    def ranking_row(row: GroupRow) -> RankingRow:
        cells = [_cell(row.indicators[name], money) for name, money in RANKED]
        result = RankingRow(row.label, cells)
        if row.key in places:
            result.rank = places[row.key]
            result.moved = before[row.key] - result.rank if row.key in before else None
        if row.key in pace and pace[row.key].status:
            result.pace = (pace[row.key].progress_pct, pace[row.key].status)
        return result

    ranked = sorted((ranking_row(row) for row in counties),
                    key=lambda row: row.rank or len(counties) + 1)
    unrecorded = [ranking_row(row) for row in rows if not row.total and row.key is None]
    total = ranking_row(rows[-1])
    return {
        "period": period,
        "period_text": period_text(period),
        "rows": ranked + unrecorded,
        "total": total,
        "no_base": any(cell.change == NO_BASE
                       for row in (*ranked, *unrecorded, total) for cell in row.cells),
        "no_base_mark": NO_BASE,
        "headings": [INDICATOR_LABELS["signed"],
                     _("Signed investment (%(unit)s)", unit=charts.amount_unit()),
                     INDICATOR_LABELS["signed_billion_plus"], INDICATOR_LABELS["started"]],
        "with_pace": any(row.pace for row in ranked),
        "pace_labels": PACE_STATUS,
        "expected_pct": round(float(indicators.year_share(day.year, day)) * 100),
        "density": "roomy" if len(ranked) <= 9 else "snug" if len(ranked) <= 14 else "tight",
    }


# --- open blockers and red cards -----------------------------------------------------------------

def _due(blocker: Blocker, day: date) -> tuple[str, bool]:
    """When a blocker is due, as a person says it, and whether it is late."""
    if blocker.due_on is None:
        return _("No due date"), False
    days = (blocker.due_on - day).days
    if days < 0:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", -days), True
    if days == 0:
        return _("Due today"), False
    return ngettext("Due in %(num)d day", "Due in %(num)d days", days), False


def _blockers(day: date) -> list[dict[str, Any]]:
    """Open blockers of projects on the board, the overdue first (longest late first), then by
    due date, then the oldest: one query, projects and counties joined."""
    found = db.session.execute(
        select(Blocker).join(Blocker.project).options(contains_eager(Blocker.project))
        .where(Blocker.status == "open", Project.on_board)
        .order_by(Blocker.due_on.is_(None), Blocker.due_on, Blocker.raised_on, Blocker.id)
    ).scalars()
    rows = []
    for blocker in found:
        due, late = _due(blocker, day)
        project = blocker.project
        rows.append({"project": project.name,
                     "county": project.county.name if project.county else "",
                     "department": blocker.department,
                     "kind": str(BLOCKER_KINDS.get(blocker.kind, blocker.kind)),
                     "age": ngettext("open %(num)d day", "open %(num)d days",
                                     (day - blocker.raised_on).days),
                     "due": due, "late": late,
                     # A decision of a scheduling meeting (交办), followed up (督办).
                     "decision": blocker.meeting_id is not None})
    return rows


def _trouble_since(project: Project) -> date:
    """Since when the project has been in trouble: the earliest of the day it went quiet and
    the due dates it missed. The longest trouble comes first on the wall."""
    days = [idle_since(project)]
    if project.next_step and project.next_step_due:
        days.append(project.next_step_due)
    if project.open_blockers and project.blocker_due:
        days.append(project.blocker_due)
    return min(days)


def _red_cards(day: date, profile: str) -> list[dict[str, Any]]:
    """Red cards on the board, the longest in trouble first: one query. A lobby screen gets
    neither the investor nor the amount of a confidential project."""
    config = current_app.config
    projects = db.session.execute(
        select(Project).where(Project.on_board, colour_condition("red", day, config))
    ).scalars().all()
    # The same day of trouble: the larger amount first, where the screen shows the amount; a
    # lobby's order must not bracket a confidential one, so that counts as none there.
    projects.sort(key=lambda project: (
        _trouble_since(project), 0 if hidden(project, profile) else -project.investment_wan,
        project.id))
    rows = []
    for project in projects:
        secret = hidden(project, profile)
        rows.append({"project": project.name,
                     "county": project.county.name if project.county else "",
                     "stage": str(STAGES[project.stage]),
                     "reason": "；".join(warning_for(project, day, config).reasons),
                     "owner": project.owner.label if project.owner else "",
                     "investor": "" if secret else project.investor,
                     "amount": None if secret else money(project.investment_wan)})
    return rows


def _attention(day: date, profile: str) -> dict[str, Any]:
    blockers, red = _blockers(day), _red_cards(day, profile)
    return {"blockers": blockers[:ATTENTION_ROWS], "blockers_total": len(blockers),
            "blockers_late": sum(row["late"] for row in blockers),
            "decisions_late": sum(row["late"] and row["decision"] for row in blockers),
            "blockers_more": max(len(blockers) - ATTENTION_ROWS, 0),
            "red_cards": red[:ATTENTION_ROWS], "red_total": len(red),
            "red_more": max(len(red) - ATTENTION_ROWS, 0)}


# --- the charts ----------------------------------------------------------------------------------

def stage_totals(redact: bool = False) -> list[tuple[str, int, int]]:
    """(stage, count, investment 万元) of the projects on the board now, as the board's columns
    count them: every card. With ``redact`` (a lobby screen) a confidential project's amount is
    left out, as its column's total leaves it out; its card is on the screen, so it counts.
    One query."""
    amount = Project.investment_wan
    if redact:
        amount = case((Project.confidential, None), else_=Project.investment_wan)
    return [(stage, int(count), int(wan)) for stage, count, wan in db.session.execute(
        select(Project.stage, func.count(Project.id), func.coalesce(func.sum(amount), 0))
        .where(Project.on_board).group_by(Project.stage))]


def charts_for(period: Period, profile: str = "staff") -> dict[str, Markup]:
    """The three charts for ``period``, as a screen of ``profile`` may show them: the board now
    as a funnel, counted as its columns count (``stage_totals``); the signings per month of the
    period's last year against the year before (months after the period left out), and the
    counties' signings in the period, of the projects a lobby may see (``figures_for``). For
    the wall and for any page that shows them."""
    year = period.end.year
    with figures_for(profile):
        this_year = [row for row in indicators.monthly_signings(year)
                     if date(year, row[0], 1) <= period.end]
        monthly = charts.monthly_signings(this_year, indicators.monthly_signings(year - 1),
                                          year)
        counties = charts.counties_side_by_side(indicators.by_group(period, "county"),
                                                "signed")
    funnel = charts.stage_funnel(stage_totals(redact=profile == "lobby"))
    return {"funnel": funnel, "monthly": monthly, "counties": counties}


def _charts(day: date, profile: str) -> dict[str, Any]:
    period = year_to_date(day)
    return {"period": period, "period_text": period_text(period),
            "charts": charts_for(period, profile)}
