"""The scheduling report (调度报告) for any period — page, printable view, Excel and CSV — and the
weekly "what changed since last week". Read-only pages for signed-in people with ``read``."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from . import indicators, report_data, spreadsheet, weekly
from .auth import readers_only
from .errors import Invalid
from .indicators import Period, format_change
from .insights import presets
from .spreadsheet import county_name
from .timeutil import today

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Reports are read by staff only: they show confidential projects too (marked).
bp.before_request(readers_only)


def _report() -> report_data.ScheduleReport:
    """The report of the period the request asks for; an invalid one is refused (422) before
    anything is built, so a download never starts with a broken file."""
    return report_data.schedule(indicators.period_from_args(request.args))


def _download(body: bytes, period: Period, extension: str, mimetype: str) -> Response:
    """A file named after the report and its period; the header carries the name in ASCII and,
    for browsers that read it (RFC 6266/5987), in the reader's language."""
    dates = f"{period.start.isoformat()}_{period.end.isoformat()}"
    name = f"{_('Scheduling report')}_{dates}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"schedule-report_{dates}.{extension}\"; "
        f"filename*=UTF-8''{quote(name, safe='')}")
    return response


@bp.get("/schedule")
def schedule():
    """The report as a page (and, printed, as A4 landscape); an invalid period shows the form
    again with the reason (422)."""
    page = {"presets": presets(today()), "labels": report_data.INDICATOR_LABELS,
            "format_change": format_change, "county_name": county_name}
    try:
        report = _report()
    except Invalid as error:
        return render_template("report.html", report=None, error=error.message,
                               errors=error.fields, args=request.args, **page), error.status
    args = {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
    return render_template("report.html", report=report, error=None, errors={}, args=args,
                           **page)


@bp.get("/schedule.xlsx")
def schedule_xlsx():
    report = _report()
    return _download(spreadsheet.workbook(report), report.period, "xlsx", XLSX)


@bp.get("/schedule.csv")
def schedule_csv():
    report = _report()
    return _download(spreadsheet.csv_text(report).encode("utf-8"), report.period, "csv",
                     "text/csv; charset=utf-8")


@bp.get("/weekly")
def weekly_report():
    """What changed in one week; an invalid ``?week=`` shows the form again (422)."""
    colours = {"yellow": _("Yellow"), "red": _("Red")}
    try:
        week = weekly.week_from_args(request.args)
    except Invalid as error:
        return render_template("report_weekly.html", week=None, error=error.message,
                               colours=colours), error.status
    return render_template("report_weekly.html", week=week, changes=weekly.changes(week),
                           error=None, colours=colours)
