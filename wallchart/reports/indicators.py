"""The key indicators (主要指标) for any period, year on year, per county, sector and channel.

Counted from the stage dates on the project rows (``negotiating_on`` … ``producing_on``), not
from where the cards stand: a project signed in March and started in May counts as signed in
March and started in May. Signings, and the figures of signings (≥10亿, Three-500, foreign,
trade entities, conversions of framework agreements), count by ``core.counting``: which
agreements count as signed, on which date, how many projects and what amount each adds.
Deleted projects never count; withdrawn ones keep the stages they
reached. Funds in place (资金到位) and their foreign part (实际利用外资) are the receipts dated in
the period (not removed) of the projects not deleted. Each figure comes with the same period one
year earlier; the README ("Indicators: how they are counted") states every rule. A whole table
is one SQL statement of conditional sums.
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    case,
    extract,
    func,
    or_,
    select,
)

from wallchart.core.counting import Rules, converted_in
from wallchart.core.errors import Invalid
from wallchart.core.formatting import date_span
from wallchart.core.inputs import ISO_DATE, iso_date
from wallchart.core.models import County, CountyTarget, FundReceipt, Project
from wallchart.core.money import BILLION_WAN
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import SECTORS, SOURCE_CHANNELS
from wallchart.extensions import db

INDICATORS = ("entered_negotiation", "signed", "converted", "started", "producing",
              "signed_billion_plus", "signed_three500", "foreign_invested", "new_trade_entity")
#: The indicators of signings: counted by ``core.counting`` (a project where it adds one, its
#: signed amount), the others by the project and its investment.
SIGNINGS = frozenset({"signed", "converted", "signed_billion_plus", "signed_three500",
                      "foreign_invested", "new_trade_entity"})
PRESETS = ("month", "quarter", "half", "year")
MAX_SPAN_YEARS = 5
GROUPS = ("county", "sector", "source_channel")


# --- periods --------------------------------------------------------------------------------

def _same_day(day: date, year: int) -> date:
    """The same calendar day in another year; Feb 29 becomes Feb 28 where there is none."""
    if day.month == 2 and day.day == 29 and not isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


@dataclass(frozen=True)
class Period:
    """A range of Shanghai dates, both ends included."""

    start: date
    end: date

    def previous_year(self) -> Period:
        """The same period one year earlier: what 同比 compares with."""
        return Period(_same_day(self.start, self.start.year - 1),
                      _same_day(self.end, self.end.year - 1))

    @property
    def label(self) -> str:
        """As the bureau writes it: '2026年1月1日至6月30日' / 'Jan 1 – Jun 30, 2026'."""
        return date_span(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def preset_period(preset: str, day: date) -> Period:
    """This month, quarter, half-year or year, from its first day up to ``day`` (to date), so
    that the comparison with last year covers the same days."""
    if preset == "month":
        first = day.replace(day=1)
    elif preset == "quarter":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif preset == "half":
        first = date(day.year, 1 if day.month <= 6 else 7, 1)
    elif preset == "year":
        first = date(day.year, 1, 1)
    else:
        raise Invalid(_("Choose a period: month, quarter, half or year."),
                      {"preset": _("Unknown period.")})
    return Period(first, day)


def _parse_date(value: str, field_name: str, errors: dict[str, str]) -> date | None:
    value = value.strip()
    day = iso_date(value)
    if day is None:
        errors[field_name] = (_("There is no such date.") if ISO_DATE.fullmatch(value)
                              else _("Write the date as YYYY-MM-DD."))
        return None
    if not 1900 <= day.year <= 2100:
        errors[field_name] = _("Choose a date between 1900 and 2100.")
        return None
    return day


def period_from_args(args: Mapping[str, str], day: date | None = None) -> Period:
    """The period a request asks for: ``?from=&to=`` (both), or ``?preset=``; by default the
    year to date. ``day`` stands for today (Asia/Shanghai). Raises :class:`Invalid` (422)."""
    day = day or today()
    start_text, end_text = args.get("from", ""), args.get("to", "")
    if not start_text and not end_text:
        return preset_period(args.get("preset") or "year", day)
    errors: dict[str, str] = {}
    for name, text in (("from", start_text), ("to", end_text)):
        if not text:
            errors[name] = _("Give both dates of the period.")
    start = _parse_date(start_text, "from", errors) if start_text else None
    end = _parse_date(end_text, "to", errors) if end_text else None
    if start and end:
        if end < start:
            errors["to"] = _("The end of the period comes before its start.")
        elif end >= _same_day(start, start.year + MAX_SPAN_YEARS):
            errors["to"] = _("A period spans at most %(n)d years.", n=MAX_SPAN_YEARS)
    if errors:
        raise Invalid(_("The period is not valid: %(reason)s",
                        reason=" ".join(dict.fromkeys(errors.values()))), errors)
    return Period(start, end)


# --- figures --------------------------------------------------------------------------------

def change_pct(now: int, previous: int) -> float | None:
    """(now − previous) / previous × 100, to one decimal; None when there is nothing to compare."""
    if previous == 0:
        return None
    return round((now - previous) * 100 / previous, 1)


@dataclass
class Figure:
    """One indicator in a period and in the same period a year earlier."""

    count: int
    investment_wan: int
    previous_count: int
    previous_investment_wan: int
    change_count_pct: float | None
    change_investment_pct: float | None

    @classmethod
    def of(cls, count: int, investment_wan: int, previous_count: int,
           previous_investment_wan: int) -> Figure:
        return cls(count, investment_wan, previous_count, previous_investment_wan,
                   change_pct(count, previous_count),
                   change_pct(investment_wan, previous_investment_wan))


#: The figures beside the indicators, each with last year's and the change, as the API names them.
AMOUNTS = (
    "foreign_capital_usd_wan", "previous_foreign_capital_usd_wan", "change_foreign_capital_pct",
    "funds_in_place_wan", "previous_funds_in_place_wan", "change_funds_in_place_pct",
    "foreign_capital_actual_usd_wan", "previous_foreign_capital_actual_usd_wan",
    "change_foreign_capital_actual_pct",
    "signed_verified", "previous_signed_verified",
)


@dataclass
class GroupRow:
    """One line of a ranking: a county (sector, channel), or the city total (``key`` None and
    ``total`` True). ``key`` is None too for projects that do not name the group."""

    key: Any
    label: str
    indicators: dict[str, Figure]
    foreign_capital_usd_wan: int
    previous_foreign_capital_usd_wan: int
    #: Funds in place (资金到位, 万元) and their foreign part (实际利用外资, 万美元): the receipts
    #: dated in the period.
    funds_in_place_wan: int = 0
    previous_funds_in_place_wan: int = 0
    foreign_capital_actual_usd_wan: int = 0
    previous_foreign_capital_actual_usd_wan: int = 0
    #: Of the signings counted, those a lead verified (核实) against the attached agreement.
    signed_verified: int = 0
    previous_signed_verified: int = 0
    change_foreign_capital_pct: float | None = field(init=False)
    change_funds_in_place_pct: float | None = field(init=False)
    change_foreign_capital_actual_pct: float | None = field(init=False)
    total: bool = False

    def __post_init__(self) -> None:
        self.change_foreign_capital_pct = change_pct(self.foreign_capital_usd_wan,
                                                     self.previous_foreign_capital_usd_wan)
        self.change_funds_in_place_pct = change_pct(self.funds_in_place_wan,
                                                    self.previous_funds_in_place_wan)
        self.change_foreign_capital_actual_pct = change_pct(
            self.foreign_capital_actual_usd_wan, self.previous_foreign_capital_actual_usd_wan)

    def as_dict(self) -> dict[str, Any]:
        """The shape :func:`compute` returns."""
        return {"indicators": self.indicators,
                **{name: getattr(self, name) for name in AMOUNTS}}


def _within(column, period) -> ColumnElement[bool]:
    """``column`` in ``period`` (a :class:`Period`, or bound parameters standing for one)."""
    return column.between(period.start, period.end)


def rules() -> Rules:
    """The install's rules for counting signings (``core.counting``)."""
    return Rules.of(current_app.config)


def conditions(period, counting: Rules) -> dict[str, ColumnElement[bool]]:
    """What makes a project count for each indicator in ``period`` (a :class:`Period`, or bound
    parameters standing for one), by indicator name: the rankings sum by these, and the
    scheduling report lists the projects they count, so that its lists match its figures.
    A signing is in its indicators by ``counting``; ≥10亿 by its signed amount."""
    signed = counting.signed_in(period)
    return {
        "entered_negotiation": _within(Project.negotiating_on, period),
        "signed": signed,
        "converted": converted_in(period),
        "started": _within(Project.started_on, period),
        "producing": _within(Project.producing_on, period),
        "signed_billion_plus": and_(signed, counting.signed_amount() >= BILLION_WAN),
        "signed_three500": and_(signed, Project.three500.is_not(None), Project.three500 != ""),
        "foreign_invested": and_(signed, Project.foreign_invested.is_(True)),
        "new_trade_entity": and_(signed, Project.new_trade_entity.is_(True)),
    }


def measures(name: str, counting: Rules) -> tuple[ColumnElement[bool] | None, ColumnElement]:
    """What a project in indicator ``name`` adds: to the count where the first is true (None:
    always), and the second to the amount."""
    if name in SIGNINGS:
        return counting.adds_project(), counting.signed_amount()
    return None, Project.investment_wan


def _sums(period, received, counting: Rules) -> list[ColumnElement]:
    """Count and investment of every indicator, then the contracted foreign capital, the funds
    in place and their foreign part, and the verified signings: 2 × 9 + 4 columns.
    ``received``: the two columns of ``_receipts`` for this period."""
    columns: list[ColumnElement] = []
    counts = conditions(period, counting)
    for name, condition in counts.items():
        adds, amount = measures(name, counting)
        counted = condition if adds is None else and_(condition, adds)
        columns.append(func.count(case((counted, 1))))
        columns.append(func.coalesce(func.sum(case((condition, amount), else_=0)), 0))
    columns.append(func.coalesce(func.sum(case((counts["foreign_invested"],
                                                Project.foreign_capital_usd_wan), else_=0)), 0))
    columns += [func.coalesce(func.sum(column), 0) for column in received]
    columns.append(func.count(case((and_(counts["signed"], counting.adds_project(),
                                         Project.signing_verified_at.is_not(None)), 1))))
    return columns


def _received(period) -> tuple[ColumnElement, ColumnElement]:
    """A project's receipts dated in ``period``: their amount and their foreign part."""
    within = _within(FundReceipt.received_on, period)
    return (func.coalesce(func.sum(case((within, FundReceipt.amount_wan), else_=0)), 0),
            func.coalesce(func.sum(case((within, FundReceipt.foreign_usd_wan), else_=0)), 0))


def _receipts(now, before):
    """Per project, its receipts (not removed) in the period and in the year before: one row a
    project, joined to the projects' row without multiplying them."""
    return (select(FundReceipt.project_id,
                   *(column.label(f"now_{i}") for i, column in enumerate(_received(now))),
                   *(column.label(f"before_{i}") for i, column in enumerate(_received(before))))
            .where(FundReceipt.removed_at.is_(None),
                   FundReceipt.received_on.between(before.start, now.end))
            .group_by(FundReceipt.project_id).subquery("receipts"))


def _live_between(start, end, received=None) -> ColumnElement[bool]:
    """Projects not deleted with any stage date from ``start`` to ``end`` (or, with
    ``received``, a receipt in it)."""
    dates = (Project.negotiating_on, Project.signed_on, Project.contracted_on, Project.started_on,
             Project.producing_on)
    found = [column.between(start, end) for column in dates]
    if received is not None:
        found.append(received.c.project_id.is_not(None))
    return and_(Project.deleted_at.is_(None), or_(*found))


def _counted(period: Period) -> ColumnElement[bool]:
    """Live projects with any stage date in the period or the year before it."""
    return _live_between(period.previous_year().start, period.end)


def _row_figures(values: tuple, key: Any, label: str, total: bool = False) -> GroupRow:
    """A result row of ``_sums(now) + _sums(previous)`` as figures."""
    half = _WIDTH // 2
    now, before = values[:half], values[half:]
    indicators = {name: Figure.of(int(now[2 * i]), int(now[2 * i + 1]),
                                  int(before[2 * i]), int(before[2 * i + 1]))
                  for i, name in enumerate(INDICATORS)}
    return GroupRow(key, label, indicators, int(now[-4]), int(before[-4]),
                    funds_in_place_wan=int(now[-3]), previous_funds_in_place_wan=int(before[-3]),
                    foreign_capital_actual_usd_wan=int(now[-2]),
                    previous_foreign_capital_actual_usd_wan=int(before[-2]),
                    signed_verified=int(now[-1]), previous_signed_verified=int(before[-1]),
                    total=total)


@dataclass(frozen=True)
class _Bounds:
    start: Any
    end: Any


#: The columns of ``_sums`` for a period and the year before.
_WIDTH = (len(INDICATORS) * 2 + 4) * 2
_NOW = _Bounds(bindparam("now_start", type_=Date), bindparam("now_end", type_=Date))
_BEFORE = _Bounds(bindparam("before_start", type_=Date), bindparam("before_end", type_=Date))
#: The columns the rankings group by (team and owner: the results page, reports/results.py).
GROUP_COLUMNS = {"county": Project.county_id, "sector": Project.sector,
                 "source_channel": Project.source_channel, "team": Project.team_id,
                 "owner": Project.owner_id}


@cache
def _statement(groups: tuple[str, ...], counting: Rules) -> Select:
    """The sums of every indicator in a period and the year before, per combination of
    ``groups``: built once per rule set (its dates are bound parameters), so a request only
    executes it."""
    columns = [GROUP_COLUMNS[group] for group in groups]
    received = _receipts(_NOW, _BEFORE)
    return (select(*columns, *_sums(_NOW, (received.c.now_0, received.c.now_1), counting),
                   *_sums(_BEFORE, (received.c.before_0, received.c.before_1), counting))
            .outerjoin(received, received.c.project_id == Project.id)
            .where(_live_between(_BEFORE.start, _NOW.end, received)).group_by(*columns))


def _tally(period: Period, groups: tuple[str, ...] = (), county_id: int | None = None
           ) -> list[tuple]:
    previous = period.previous_year()
    statement = _statement(groups, rules())
    if county_id is not None:
        statement = statement.where(Project.county_id == county_id)
    return [tuple(row) for row in db.session.execute(statement, {
        "now_start": period.start, "now_end": period.end,
        "before_start": previous.start, "before_end": previous.end})]


def _add(rows: list[tuple]) -> tuple:
    return tuple(map(sum, zip(*rows, strict=True))) if rows else (0,) * _WIDTH


def compute(period: Period, county: County | None = None) -> dict[str, Any]:
    """Every indicator for the period, for the city or one county: one SQL statement."""
    values = _add(_tally(period, county_id=county.id if county else None))
    return _row_figures(values, None, "").as_dict()


def _labels(group: str) -> dict[Any, str]:
    if group == "county":
        return dict(db.session.execute(
            select(County.id, County.name).order_by(County.sort_order, County.id)).all())
    return {key: str(label)
            for key, label in (SECTORS if group == "sector" else SOURCE_CHANNELS).items()}


def _city_total(tally: list[tuple], width: int) -> GroupRow:
    return _row_figures(_add([row[width:] for row in tally]), None, _("City total"), total=True)


def _found(tally: list[tuple], width: int, index: int) -> dict[Any, list[tuple]]:
    """The rows of ``tally`` (``width`` group columns first) by the key in column ``index``."""
    found: dict[Any, list[tuple]] = {}
    for row in tally:
        found.setdefault(row[index], []).append(row[width:])
    return found


def by_keys(period: Period, groups: tuple[str, ...]) -> tuple[GroupRow, dict[str, list[GroupRow]]]:
    """The city total, and for each of ``groups`` (any ``GROUP_COLUMNS``) the figures of every
    key that has any, keyed and unlabelled (the caller names them): one statement, counted by
    the same rules as :func:`by_groups`. The results page ranks teams and owners with it."""
    tally = _tally(period, groups)
    total = _city_total(tally, len(groups))
    return total, {group: [_row_figures(_add(parts), key, "") for key, parts
                           in _found(tally, len(groups), index).items()]
                   for index, group in enumerate(groups)}


def by_groups(period: Period, groups: tuple[str, ...] = GROUPS) -> dict[str, list[GroupRow]]:
    """:func:`by_group` for several groupings at once: one statement for all of them (plus the
    county names), the groupings folded in Python."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown group {sorted(unknown)}")
    tally = _tally(period, groups)
    total = _city_total(tally, len(groups))
    result = {}
    for index, group in enumerate(groups):
        found = _found(tally, len(groups), index)
        labels = _labels(group)
        rows = [_row_figures(_add(found.get(key, [])), key, label)
                for key, label in labels.items()]
        strays = [values for key, part in found.items() if key not in labels for values in part]
        if strays:  # no group, or a key no longer in the vocabulary
            rows.append(_row_figures(_add(strays), None, _("Not recorded")))
        result[group] = [*rows, total]
    return result


def by_group(period: Period, group: str) -> list[GroupRow]:
    """The indicators per county, sector or source channel, then the city total row.

    Every county, sector and channel has its row, active or not (a ranking lists them all);
    projects that name none come under "Not recorded" when there are any. Two SQL statements
    for counties (their names), one otherwise.
    """
    return by_groups(period, (group,))[group]


def monthly_signings(year: int) -> list[tuple[int, int, int]]:
    """(month, count, investment 万元) of the signings in each month of ``year``, counted as
    the indicators count them: one statement."""
    counting = rules()
    month = extract("month", counting.signing_date())
    found = {int(m): (int(n), int(wan)) for m, n, wan in db.session.execute(
        select(month, func.count(case((counting.adds_project(), 1))),
               func.coalesce(func.sum(counting.signed_amount()), 0))
        .where(Project.deleted_at.is_(None),
               counting.signed_in(Period(date(year, 1, 1), date(year, 12, 31))))
        .group_by(month))}
    return [(m, *found.get(m, (0, 0))) for m in range(1, 13)]


# --- annual targets and the pace of the year (序时进度) -----------------------------------------

#: Target column → (indicator, what of it): the annual targets of a county.
TARGETS = {
    "signed_count": ("signed", "count"),
    "signed_investment_wan": ("signed", "investment_wan"),
    "started_count": ("started", "count"),
    "foreign_capital_usd_wan": (None, "foreign_capital_usd_wan"),
    "funds_in_place_wan": (None, "funds_in_place_wan"),
    "foreign_capital_actual_usd_wan": (None, "foreign_capital_actual_usd_wan"),
}
AHEAD, BEHIND = Fraction(105, 100), Fraction(95, 100)


def year_share(year: int, as_of: date) -> Fraction:
    """The share of the year gone by at the end of ``as_of``: 0 before it, 1 after it."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    elapsed = min(max((as_of - first).days + 1, 0), (last - first).days + 1)
    return Fraction(elapsed, (last - first).days + 1)


@dataclass
class PaceItem:
    """One target of a county: reached so far, expected by now, and how it stands."""

    target: int
    actual: int
    expected: Fraction

    @property
    def status(self) -> str | None:
        """``ahead`` at 105 % of the expected or more, ``behind`` under 95 %, else ``on_pace``;
        None for a target of 0 (nothing to keep pace with)."""
        if self.target == 0:
            return None
        if self.actual >= AHEAD * self.expected:
            return "ahead"
        if self.actual < BEHIND * self.expected:
            return "behind"
        return "on_pace"

    @property
    def progress_pct(self) -> float:
        """Reached so far as a percent of the annual target."""
        return round(self.actual * 100 / self.target, 1) if self.target else 0.0


#: How each county stands against its targets' pace (``PaceRow.status``), as pages and walls
#: say it.
PACE_STATUS: dict[str, object] = {
    "ahead": _l("Ahead of the pace"),
    "on_pace": _l("On pace"),
    "behind": _l("Behind the pace"),
}


@dataclass
class PaceRow:
    county_id: int
    label: str
    items: dict[str, PaceItem]


def pace(year: int, as_of: date, county_rows: list[GroupRow] | None = None) -> list[PaceRow]:
    """Each county with targets for ``year``: its progress against the pace of the year, counted
    from Jan 1 to ``as_of`` (at most Dec 31). ``county_rows``: ``by_group`` of that period
    already at hand (saves its statement)."""
    targets = db.session.execute(
        select(CountyTarget, County.name).join(CountyTarget.county)
        .where(CountyTarget.year == year).order_by(County.sort_order, County.id)).all()
    if not targets:
        return []
    end = min(max(as_of, date(year, 1, 1)), date(year, 12, 31))
    county_rows = county_rows or by_group(Period(date(year, 1, 1), end), "county")
    actual = {row.key: row for row in county_rows if not row.total and row.key is not None}
    share = year_share(year, as_of)
    rows = []
    for target, name in targets:
        reached = actual[target.county_id]
        items = {}
        for column, (indicator, what) in TARGETS.items():
            amount = getattr(target, column)
            source = reached.indicators[indicator] if indicator else reached
            items[column] = PaceItem(amount, getattr(source, what), amount * share)
        rows.append(PaceRow(target.county_id, name, items))
    return rows


# --- how a change reads ---------------------------------------------------------------------

def whole_percent(pct: float) -> int:
    """A percent as shown: whole, halves rounded away from zero (12.5 → 13)."""
    return int(Decimal(str(pct)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_change(pct: float | None) -> str:
    """A change as officials write it: 同比增长 210% / 同比下降 12% / 同比持平 / 去年同期为零."""
    if pct is None:
        return _("none in the same period last year")
    shown = whole_percent(pct)
    if shown > 0:
        return _("up %(pct)d%% year on year", pct=shown)
    if shown < 0:
        return _("down %(pct)d%% year on year", pct=-shown)
    return _("unchanged year on year")

