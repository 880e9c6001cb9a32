"""The results page (/results, 以实绩论英雄): the indicators' figures by team and by owner for
any period, ranked by any column, with last year's; printable, and as Excel and CSV. What each
person sees is chosen by ``reports.results`` on the server, for the page and the files alike.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from wallchart.core.errors import Invalid
from wallchart.core.timeutil import today
from wallchart.identity import readers_only
from wallchart.reports import indicators
from wallchart.reports import results as report
from wallchart.reports.indicators import format_change
from wallchart.web.downloads import CSV, XLSX, period_attachment
from wallchart.web.indicators import presets, ranked

bp = Blueprint("results", __name__)

bp.before_request(readers_only)

def _sort() -> str:
    """The column to rank by; an unknown one ranks by the default (as the indicators do)."""
    sort = request.args.get("sort", report.DEFAULT_SORT)
    return sort if sort in report.COLUMNS else report.DEFAULT_SORT


def _chosen() -> tuple[report.Results, report.Ranked, str]:
    """The results the request asks for, ranked; an invalid period raises :class:`Invalid`."""
    period = indicators.period_from_args(request.args)
    shown = report.results(period, current_user)
    sort = _sort()
    return shown, {grouping: ranked(rows, sort) for grouping, rows in shown.lines.items()}, sort


@bp.get("/results")
def index():
    """The page; an invalid period shows the form again with the reason (422)."""
    page = {"presets": presets(today()), "COLUMNS": report.COLUMNS,
            "GROUPING_TITLES": report.GROUPING_TITLES, "figure_of": report.figure_of,
            "format_change": format_change}
    try:
        shown, ranking, sort = _chosen()
    except Invalid as error:
        return render_template("results.html", shown=None, error=error.message,
                               errors=error.fields, args=request.args, sort=_sort(),
                               **page), error.status
    args = {"from": shown.period.start.isoformat(), "to": shown.period.end.isoformat()}
    return render_template("results.html", shown=shown, ranking=ranking, sort=sort,
                           error=None, errors={}, args=args, **page)


@bp.get("/results.xlsx")
def results_xlsx():
    shown, ranking, _sort_key = _chosen()
    return period_attachment(report.workbook(shown, ranking), shown.period,
                             "results", _("Results"), "xlsx", XLSX)


@bp.get("/results.csv")
def results_csv():
    shown, ranking, _sort_key = _chosen()
    return period_attachment(report.csv_text(shown, ranking).encode("utf-8"), shown.period,
                             "results", _("Results"), "csv", CSV)
