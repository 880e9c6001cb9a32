"""``GET /api/indicators``: the key indicators of a period and of the same period a year earlier.

Authenticated like the rest of the API (session cookie or an API token; a wall display's token
is not one); any role that may read the board may read the figures.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from wallchart.api.errors import api_blueprint
from wallchart.core.errors import Invalid
from wallchart.core.models import County
from wallchart.extensions import db
from wallchart.identity import readers_only
from wallchart.reports import indicators, promises

bp = api_blueprint("api_indicators", __name__)


bp.before_request(readers_only)


def _county(name: str | None) -> County | None:
    if name is None:
        return None
    county = db.session.execute(select(County).where(County.name == name.strip())).scalar()
    if county is None:
        message = _("No county or district named %(name)s.", name=name)
        raise Invalid(message, {"county": message})
    return county


@bp.get("/indicators")
def get_indicators():
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD[&county=NAME]`` (without dates: the year to date)."""
    period = indicators.period_from_args(request.args)
    county = _county(request.args.get("county"))
    figures = indicators.compute(period, county)
    kept = promises.kept(period, county)
    previous = period.previous_year()
    body: dict[str, Any] = {
        "from": period.start.isoformat(), "to": period.end.isoformat(),
        "previous_from": previous.start.isoformat(), "previous_to": previous.end.isoformat(),
        "county": county.name if county else None,
        "indicators": {name: asdict(figure) for name, figure in figures["indicators"].items()},
        **{key: value for key, value in figures.items() if key != "indicators"},
        **kept.figures,
        "past_promise_projects": [_past(project) for project in kept.past],
    }
    return jsonify(body)


def _past(project) -> dict[str, Any]:
    """A signed project past its promised start, as the indicators list it."""
    return {"id": project.id, "name": project.name,
            "county": project.county.name if project.county else None,
            "signed_on": project.signed_on.isoformat(),
            "promised_start_on": project.promised_start_on.isoformat()}
