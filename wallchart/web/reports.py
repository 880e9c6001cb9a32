"""The scheduling report (调度报告) for any period — page, printable view, Excel and CSV — and the
weekly "what changed since last week". Read-only pages for signed-in people with ``read``."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from wallchart.core.errors import Invalid
from wallchart.core.timeutil import today
from wallchart.identity import readers_only
from wallchart.reports import indicators, promises, report_data, spreadsheet, weekly
from wallchart.reports.indicators import format_change
from wallchart.reports.spreadsheet import county_name
from wallchart.web.downloads import CSV, XLSX, period_attachment
from wallchart.web.indicators import presets

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Reports are read by staff only: they show confidential projects too (marked).
bp.before_request(readers_only)


def rows_html(rows: list[report_data.Row], first: int = 1) -> Markup:
    """A county's rows of a list, as table rows numbered on from ``first`` (序号 runs through
    the whole list, as in the Excel file). Built here rather than in the template: a
    year's report holds thousands of rows, and Jinja's per-value overhead made the page three
    times slower than the data behind it. Every text is escaped."""
    yes, confidential, withdrawn = (escape(_("Yes")), escape(_("Confidential")),
                                    escape(_("Withdrawn")))
    html = []
    for number, row in enumerate(rows, start=first):
        marks = (f' <span class="mark">{confidential}</span>' if row.confidential else "") + (
            f' <span class="mark withdrawn">{withdrawn}</span>' if row.withdrawn else "") + (
            f' <span class="mark kind">{escape(row.kind)}</span>' if row.kind else "")
        who = " · ".join(escape(part) for part in (row.owner, row.team) if part)
        kind = ' class="confidential"' if row.confidential else ""
        html.append(
            f'<tr data-project-id="{row.id}"{kind}>'
            f'<td class="number">{number}</td><td class="name">{escape(row.name)}{marks}</td>'
            f"<td>{escape(row.investor)}</td><td>{escape(row.sector)}</td>"
            f'<td class="number">{row.investment_wan:,}</td>'
            f'<td class="date">{row.on.isoformat()}</td><td>{escape(row.three500)}</td>'
            f"<td>{yes if row.foreign_invested else ''}</td><td>{who}</td></tr>")
    return Markup("\n".join(html))


def _report() -> report_data.ScheduleReport:
    """The report of the period the request asks for; an invalid one is refused (422) before
    anything is built, so a download never starts with a broken file."""
    return report_data.schedule(indicators.period_from_args(request.args))


@bp.get("/schedule")
def schedule():
    """The report as a page (and, printed, as A4 landscape); an invalid period shows the form
    again with the reason (422)."""
    page = {"presets": presets(today()), "labels": report_data.INDICATOR_LABELS,
            "format_change": format_change, "county_name": county_name, "rows_html": rows_html}
    try:
        report = _report()
    except Invalid as error:
        return render_template("report.html", report=None, error=error.message,
                               errors=error.fields, args=request.args, **page), error.status
    args = {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
    return render_template("report.html", report=report, error=None, errors={}, args=args,
                           kept=promises.kept(report.period), **page)


@bp.get("/schedule.xlsx")
def schedule_xlsx():
    report = _report()
    return period_attachment(spreadsheet.workbook(report), report.period,
                             "schedule-report", _("Scheduling report"), "xlsx", XLSX)


@bp.get("/schedule.csv")
def schedule_csv():
    report = _report()
    return period_attachment(spreadsheet.csv_text(report).encode("utf-8"), report.period,
                             "schedule-report", _("Scheduling report"), "csv", CSV)


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
