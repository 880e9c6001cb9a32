"""Annual targets per county (目标任务): set by an administrator, audited, read by the ranking.

The pace of the year (序时进度) against them is computed in :func:`wallchart.indicators.pace`.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wallchart.core.errors import Invalid
from wallchart.core.models import County, CountyTarget, User
from wallchart.core.transactions import quiet_transaction
from wallchart.extensions import db
from wallchart.services.accounts import audit, county_by_id, require_admin
from wallchart.services.validation import refuse_if

#: The targets a county has, in form order, with the most each may be: far above any real
#: target, low enough to catch a slip of the keyboard (1万亿元, 100亿美元).
FIELDS: dict[str, int] = {
    "signed_count": 100_000,
    "signed_investment_wan": 100_000_000,
    "started_count": 100_000,
    "foreign_capital_usd_wan": 1_000_000,
}
LABELS: dict[str, object] = {
    "signed_count": _l("Projects signed"),
    "signed_investment_wan": _l("Investment signed (10,000 yuan)"),
    "started_count": _l("Projects started"),
    "foreign_capital_usd_wan": _l("Foreign capital (10,000 US dollars)"),
}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_year(value: object) -> int:
    """A year of targets: a whole number from 2000 to 2100 (or its digits as text)."""
    year = _whole(value)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Choose a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                    last=LAST_YEAR)
        raise Invalid(message, {"year": message})
    return year


def _whole(value: object) -> int | None:
    """An int, or text of digits (thousands separators allowed, as people type amounts)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text.isascii() and text.isdigit() and len(text) <= 12:
            return int(text)
    return None


def set_targets(actor: User | None, county_id: int, year: object,
                values: Mapping[str, object]) -> CountyTarget:
    """Set one county's four targets for a year (a missing field counts as 0); audited as
    ``target.set`` with the values before and after."""
    with quiet_transaction():
        require_admin(actor)
        county = county_by_id(county_id)
        year = check_year(year)
        errors: dict[str, str] = {}
        cleaned: dict[str, int] = {}
        for name, most in FIELDS.items():
            amount = _whole(values.get(name, 0) or 0)
            if amount is None or amount < 0:
                errors[name] = _("Enter a whole number, 0 or more.")
            elif amount > most:
                errors[name] = _("At most %(n)s.", n=f"{most:,}")
            else:
                cleaned[name] = amount
        unknown = set(values) - set(FIELDS)
        if unknown:
            errors[sorted(unknown)[0]] = _("Unknown field.")
        refuse_if(errors)
        target = db.session.execute(select(CountyTarget).where(
            CountyTarget.county_id == county.id, CountyTarget.year == year)).scalar()
        if target is None:
            target = CountyTarget(county_id=county.id, year=year, **dict.fromkeys(FIELDS, 0))
            db.session.add(target)
        before = {name: getattr(target, name) for name in FIELDS}
        for name, amount in cleaned.items():
            setattr(target, name, amount)
        audit(actor, "target.set", f"{county.name} {year}", year=year, county=county.name,
              **{"from": before, "to": cleaned})
    return target


def targets_of(year: int) -> list[tuple[County, CountyTarget | None]]:
    """Every county in board order with its targets for ``year`` (None where none are set)."""
    return [(county, target) for county, target in db.session.execute(
        select(County, CountyTarget)
        .outerjoin(CountyTarget, (CountyTarget.county_id == County.id)
                   & (CountyTarget.year == year))
        .order_by(County.sort_order, County.id))]
