"""Start and keep promises (开工率, 履约率): of the projects signed in a period, how many have
started construction and how many produce, how long each took from signing to start, and which
are past the start their agreement promised.

The cohort is the indicators' "signed" (a signing counted in the period by ``core.counting``,
of the ones that add a project; deleted never, withdrawn kept); the days to start run from the
signing itself (a framework agreement's, when it counts on becoming a contract). A project
counts as started (producing) when its start (production) date is recorded by the period's
last day. It is past its promise when, on the period's last day (today, for a period still
running), its promised start lies before that day and it has neither started nor produced by
then, and it is still on the board. For the period running today that is exactly the card's
promise light having passed its promise (``early_warnings.promise_past_condition``). Each
figure comes with the same period a year earlier, as the other indicators do; the rates and the
days are not compared in per cent (a change of a rate is read in points, beside it). One SQL
statement for the figures, one more for the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import median
from typing import Any

from sqlalchemy import select

from wallchart.core.models import County, Project
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reports import indicators
from wallchart.reports.indicators import Period, change_pct

#: The figures as ``GET /api/indicators`` names them, top level beside the amounts (the API's
#: contract reads this): counts are whole numbers, the rest numbers or null.
PROMISE_FIGURES = (
    "signed_started", "previous_signed_started", "change_signed_started_pct",
    "signed_producing", "previous_signed_producing", "change_signed_producing_pct",
    "start_rate_pct", "previous_start_rate_pct",
    "production_rate_pct", "previous_production_rate_pct",
    "days_to_start_median", "previous_days_to_start_median",
    "days_to_start_mean", "previous_days_to_start_mean",
    "past_promise", "previous_past_promise", "change_past_promise_pct",
)
#: Of those, the whole numbers.
PROMISE_COUNTS = frozenset({"signed_started", "previous_signed_started", "signed_producing",
                            "previous_signed_producing", "past_promise",
                            "previous_past_promise"})


@dataclass(frozen=True)
class _Signed:
    id: int
    counted_on: date
    signed_on: date
    started_on: date | None
    producing_on: date | None
    promised_start_on: date | None
    active: bool


@dataclass
class Cohort:
    """The projects signed in one period, as their start and their promise stand."""

    signed: int
    started: int
    producing: int
    days_to_start: list[int]
    past_promise: list[int]

    @property
    def start_rate_pct(self) -> float | None:
        return _rate(self.started, self.signed)

    @property
    def production_rate_pct(self) -> float | None:
        return _rate(self.producing, self.signed)

    @property
    def days_to_start_median(self) -> float | None:
        return float(median(self.days_to_start)) if self.days_to_start else None

    @property
    def days_to_start_mean(self) -> float | None:
        days = self.days_to_start
        return _tenths(Fraction(sum(days), len(days))) if days else None


def _tenths(value: Fraction) -> float:
    """To one decimal as a person rounds it by hand (41.25 → 41.3), not as floats do."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rate(part: int, whole: int) -> float | None:
    return _tenths(Fraction(part * 100, whole)) if whole else None


def _by(day: date | None, end: date) -> bool:
    return day is not None and day <= end


def _cohort(rows: list[_Signed], period: Period, as_of: date) -> Cohort:
    signed = [row for row in rows if period.start <= row.counted_on <= period.end]
    started = [row for row in signed if _by(row.started_on, period.end)]
    past = [row for row in signed
            if row.active and row.promised_start_on is not None and row.promised_start_on < as_of
            and not _by(row.started_on, as_of) and not _by(row.producing_on, as_of)]
    return Cohort(
        signed=len(signed), started=len(started),
        producing=sum(_by(row.producing_on, period.end) for row in signed),
        days_to_start=[(row.started_on - row.signed_on).days for row in started],
        past_promise=[row.id for row in sorted(past, key=lambda r: (r.promised_start_on, r.id))])


def cohorts(period: Period, county: County | None = None) -> tuple[Cohort, Cohort]:
    """The period's cohort and the same period's a year earlier: one statement."""
    previous = period.previous_year()
    counting = indicators.rules()
    query = (select(Project.id, counting.signing_date(), Project.signed_on, Project.started_on,
                    Project.producing_on, Project.promised_start_on, Project.on_board)
             .where(Project.deleted_at.is_(None), counting.adds_project(),
                    counting.signed_in(Period(previous.start, period.end))))
    if county is not None:
        query = query.where(Project.county_id == county.id)
    rows = [_Signed(*row) for row in db.session.execute(query)]
    day = today()
    return (_cohort(rows, period, min(period.end, day)),
            _cohort(rows, previous, min(previous.end, day)))


def figures(now: Cohort, before: Cohort) -> dict[str, Any]:
    """The figures by the names of ``PROMISE_FIGURES``."""
    result: dict[str, Any] = {}
    for name, value, previous in (("signed_started", now.started, before.started),
                                  ("signed_producing", now.producing, before.producing),
                                  ("past_promise", len(now.past_promise),
                                   len(before.past_promise))):
        result.update({name: value, f"previous_{name}": previous,
                       f"change_{name}_pct": change_pct(value, previous)})
    for name in ("start_rate_pct", "production_rate_pct", "days_to_start_median",
                 "days_to_start_mean"):
        result.update({name: getattr(now, name), f"previous_{name}": getattr(before, name)})
    return {name: result[name] for name in PROMISE_FIGURES}


def past_promise(cohort: Cohort) -> list[Project]:
    """The cohort's projects past their promise, the longest late first: one statement."""
    if not cohort.past_promise:
        return []
    found = {project.id: project for project in db.session.execute(
        select(Project).where(Project.id.in_(cohort.past_promise))).scalars()}
    return [found[project_id] for project_id in cohort.past_promise]


@dataclass
class KeptPromises:
    """What the pages show: the figures, the signings they are of, and the list."""

    figures: dict[str, Any]
    signed: int
    previous_signed: int
    past: list[Project]


def kept(period: Period, county: County | None = None) -> KeptPromises:
    """The figures of ``period`` and the list of its signings past their promise: two
    statements."""
    now, before = cohorts(period, county)
    return KeptPromises(figures(now, before), now.signed, before.signed, past_promise(now))
