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

#: The targets a county has, in form order, with the most each may be: far above any real
#: target, low enough to catch a slip of the keyboard (1万亿元, 100亿美元).
FIELDS: dict[str, int] = {
    "signed_count": 100_000,
    "signed_investment_wan": 100_000_000,
    "started_count": 100_000,
    "foreign_capital_usd_wan": 1_000_000,
    "funds_in_place_wan": 100_000_000,
    "foreign_capital_actual_usd_wan": 1_000_000,
}
LABELS: dict[str, object] = {
    "signed_count": _l("Projects signed"),
    "signed_investment_wan": _l("Investment signed (10,000 yuan)"),
    "started_count": _l("Projects started"),
    "foreign_capital_usd_wan": _l("Foreign capital (10,000 US dollars)"),
    "funds_in_place_wan": _l("Funds in place (10,000 yuan)"),
    "foreign_capital_actual_usd_wan": _l("Foreign capital actually used (10,000 US dollars)"),
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


def set_targets(actor: User | None, year: object,
                values: Mapping[int, Mapping[str, object]]) -> list[CountyTarget]:
    """Set the targets of the counties in ``values`` (by county id) for a year, all or none:
    the targets page saves every county at once. A missing field counts as 0. Each county whose
    figures change is audited as ``target.set`` with the values before and after; one whose
    figures stay is left alone. A refusal names each wrong field as ``FIELD.COUNTY_ID``."""
    with quiet_transaction():
        require_admin(actor)
        year = check_year(year)
        errors: dict[str, str] = {}
        chosen: dict[County, dict[str, int]] = {}
        for county_id, county_values in values.items():
            county = county_by_id(county_id)
            chosen[county] = _cleaned(county_values, f".{county.id}", errors)
        if errors:
            raise Invalid(_("Please correct the marked targets."), errors)
        written = [_write(actor, county, year, cleaned) for county, cleaned in chosen.items()]
    return [target for target in written if target is not None]


def _cleaned(values: Mapping[str, object], suffix: str, errors: dict[str, str]) -> dict[str, int]:
    """One county's targets as whole numbers; each refusal goes into ``errors`` under the
    field's name and ``suffix``."""
    cleaned: dict[str, int] = {}
    for name, most in FIELDS.items():
        amount = _whole(values.get(name, 0) or 0)
        if amount is None or amount < 0:
            errors[name + suffix] = _("Enter a whole number, 0 or more.")
        elif amount > most:
            errors[name + suffix] = _("At most %(n)s.", n=f"{most:,}")
        else:
            cleaned[name] = amount
    for name in sorted(set(values) - set(FIELDS)):
        errors[name + suffix] = _("Unknown field.")
    return cleaned


def _write(actor: User | None, county: County, year: int,
           cleaned: dict[str, int]) -> CountyTarget | None:
    target = db.session.execute(select(CountyTarget).where(
        CountyTarget.county_id == county.id, CountyTarget.year == year)).scalar()
    before = {name: getattr(target, name) if target else 0 for name in FIELDS}
    if before == {**before, **cleaned}:
        return target
    if target is None:
        target = CountyTarget(county_id=county.id, year=year, **dict.fromkeys(FIELDS, 0))
        db.session.add(target)
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
