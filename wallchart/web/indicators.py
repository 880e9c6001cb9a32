"""The indicators page (/indicators): the key figures of a period year on year, the county
ranking (争先进位) and the same by sector and source channel, and the pace of the year against
the counties' targets. Every choice (period, sort) lives in the URL, so a view can be shared.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wallchart.core.errors import Invalid
from wallchart.core.timeutil import today
from wallchart.identity import readers_only
from wallchart.reports import indicators, promises
from wallchart.reports.indicators import (
    GROUPS,
    INDICATORS,
    PACE_STATUS,
    GroupRow,
    Period,
    format_change,
    preset_period,
)
from wallchart.reports.report_data import INDICATOR_LABELS
from wallchart.services.targets import LABELS as TARGET_LABELS

bp = Blueprint("insights", __name__, url_prefix="/indicators")

#: What the ranking can be sorted by: each indicator's count, and the amounts.
SORTS = (*INDICATORS, "signed_investment", "foreign_capital", "foreign_capital_actual",
         "funds_in_place")
DEFAULT_SORT = "signed"

#: The pace table's columns: amounts of 万元 are shown in 亿元 there, so no unit in the head.
PACE_LABELS: dict[str, object] = {**TARGET_LABELS,
                                  "signed_investment_wan": _l("Investment signed"),
                                  "funds_in_place_wan": _l("Funds in place")}
#: The pace table's columns of 万元 (shown as totals, in 亿元).
PACE_MONEY = ("signed_investment_wan", "funds_in_place_wan")


GROUP_TITLES: dict[str, object] = {
    "county": _l("County ranking"),
    "sector": _l("By sector"),
    "source_channel": _l("By source channel"),
}


# The figures are the whole city's.
bp.before_request(readers_only)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"INDICATORS": INDICATORS, "INDICATOR_LABELS": INDICATOR_LABELS,
            "PACE_STATUS": PACE_STATUS, "GROUP_TITLES": GROUP_TITLES,
            "PACE_LABELS": PACE_LABELS, "PACE_MONEY": PACE_MONEY,
            "format_change": format_change}


def sort_value(row: GroupRow, sort: str) -> int:
    """The figure a ranking is ordered by."""
    if sort == "foreign_capital":
        return row.foreign_capital_usd_wan
    if sort == "foreign_capital_actual":
        return row.foreign_capital_actual_usd_wan
    if sort == "funds_in_place":
        return row.funds_in_place_wan
    if sort == "signed_investment":
        return row.indicators["signed"].investment_wan
    return row.indicators[sort].count


def ranked(rows: list[GroupRow], sort: str) -> list[tuple[int | None, GroupRow]]:
    """Groups by ``sort``, largest first (ties share a rank and keep their usual order; a
    group with nothing takes no rank), then the lines outside the ranking: projects naming no
    group, and the city total."""
    groups = sorted((row for row in rows if row.key is not None and not row.total),
                    key=lambda row: -sort_value(row, sort))
    result: list[tuple[int | None, GroupRow]] = []
    for position, row in enumerate(groups, 1):
        value = sort_value(row, sort)
        same = result and sort_value(result[-1][1], sort) == value
        result.append((None if not value else result[-1][0] if same else position, row))
    return result + [(None, row) for row in rows if row.key is None or row.total]


def presets(day: date) -> list[tuple[str, dict[str, str], Period]]:
    """The quick choices of period: label, query arguments, the period they give. Past the
    first half, the first half is offered whole beside the second half to date."""
    choices = [(_("This month"), {"preset": "month"}), (_("This quarter"), {"preset": "quarter"})]
    if day.month > 6:
        choices.append((_("First half"), {"from": f"{day.year}-01-01", "to": f"{day.year}-06-30"}))
        choices.append((_("Second half"), {"preset": "half"}))
    else:
        choices.append((_("First half"), {"preset": "half"}))
    choices.append((_("This year"), {"preset": "year"}))
    return [(label, args, indicators.period_from_args(args, day)) for label, args in choices]


@bp.get("")
def index():
    day = today()
    period_args = {key: request.args[key] for key in ("preset", "from", "to")
                   if request.args.get(key)}
    error = None
    try:
        period = indicators.period_from_args(period_args, day)
    except Invalid as refused:
        error, period, period_args = refused, preset_period("year", day), {}
    sort = request.args.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    as_of = min(period.end, day)
    groups = indicators.by_groups(period)
    # The pace counts from Jan 1: the year to date (the default) has its figures already.
    so_far = groups["county"] if period == Period(date(as_of.year, 1, 1), as_of) else None
    body = render_template(
        "indicators.html", period=period, previous=period.previous_year(),
        period_args=period_args, sort=sort, error=error, presets=presets(day),
        figures=groups["county"][-1].as_dict(), kept=promises.kept(period),
        rankings={group: ranked(groups[group], sort) for group in GROUPS},
        pace=indicators.pace(as_of.year, as_of, so_far), pace_year=as_of.year, as_of=as_of,
        year_share=float(indicators.year_share(as_of.year, as_of)) * 100)
    return body, 422 if error else 200
