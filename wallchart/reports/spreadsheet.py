"""The scheduling report as files: an Excel workbook (openpyxl) and a CSV, in the reader's language.

The workbook has one sheet for the indicators and one sheet per list. A sheet per list, rather
than the four lists one after another on one sheet, because each list then keeps its own header
row frozen while scrolling and repeated on every printed page (Excel freezes and repeats one
band of rows per sheet), and a reader finds a list by its tab. The CSV has the same rows with the
list and the county in columns of their own, for people who sort and filter.

Both files hold the cells as data: a text that starts with ``=`` (a project named
``=HYPERLINK(…)``) stays text and never becomes a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from wallchart.core.formatting import name_list, total
from wallchart.core.money import YI_WAN
from wallchart.core.vocabulary import FIELD_LABELS
from wallchart.reports.indicators import INDICATORS, Figure, format_change
from wallchart.reports.report_data import (
    INDICATOR_LABELS,
    Row,
    ScheduleReport,
    Section,
    period_title,
)
from wallchart.reports.sheets import (
    DATE,
    PERCENT,
    SUBTOTAL_FILL,
    TOTAL_BORDER,
    TOTAL_FILL,
    WAN,
    YI,
    Sheet,
    csv_cell,
    layout,
    number_heading,
    saved,
)

# --- the rows both files share ------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """A line of a list: a project (with its 序号 in the list), a county's subtotal or the
    city total."""

    kind: str  # "project" | "subtotal" | "total"
    county: str | None
    count: int | None = None
    investment_wan: int = 0
    row: Row | None = None
    number: int | None = None


def lines(section: Section) -> Iterator[Line]:
    number = 0
    for group in section.groups:
        for row in group.rows:
            number += 1
            yield Line("project", group.county, investment_wan=row.investment_wan, row=row,
                       number=number)
        yield Line("subtotal", group.county, group.count, group.investment_wan)
    yield Line("total", None, section.count, section.investment_wan)


def county_name(county: str | None) -> str:
    return county if county is not None else _("Not recorded")


def remarks(row: Row) -> str:
    """What the reader must know about a listed project: its kind (a capital increase, an
    upgrade), confidential, withdrawn. Most rows have none, and ask for no translation (a
    year lists thousands)."""
    marks = [row.kind] if row.kind else []
    if row.confidential:
        marks.append(_("Confidential"))
    if row.withdrawn:
        marks.append(_("Withdrawn"))
    return name_list(marks, limit=len(marks)) if marks else ""


def _headers(date_label: object) -> list[str]:
    """The columns after the county, in both files (units in the headers)."""
    return [_("Projects (count)"), str(FIELD_LABELS["name"]), str(FIELD_LABELS["investor"]),
            str(FIELD_LABELS["sector"]), _("Investment (10,000 yuan)"), str(date_label),
            _("Three Category 500"), _("Foreign-invested"), str(FIELD_LABELS["owner"]),
            str(FIELD_LABELS["team"]), _("Remarks")]


#: The cell format of each of those columns (None: text).
FORMATS = [WAN, None, None, None, WAN, DATE, None, None, None, None, None]
WIDTHS = [10, 34, 28, 12, 16, 13, 18, 10, 12, 12, 14]


def _values(line: Line) -> list[Any]:
    row = line.row
    if row is None:
        return [line.count, "", "", "", line.investment_wan, None, "", "", "", "", ""]
    return [None, row.name, row.investor, row.sector, row.investment_wan, row.on, row.three500,
            _("Yes") if row.foreign_invested else "", row.owner, row.team, remarks(row)]


def _no_base(count_pct: float | None, investment_pct: float | None = 0.0) -> str:
    """Why a change is left blank: nothing in the same period last year to compare with. Said
    in a column of its own, so that the change columns hold numbers only."""
    if count_pct is None:
        return format_change(None)
    return _("no investment in the same period last year") if investment_pct is None else ""


#: The two figures of foreign capital, in 万美元: what was contracted (合同外资) and what was
#: actually used (实际利用外资); label, key, key of the change.
FOREIGN_CAPITAL = (
    (_l("Contracted foreign capital"), "foreign_capital_usd_wan", "change_foreign_capital_pct"),
    (_l("Foreign capital actually used"), "foreign_capital_actual_usd_wan",
     "change_foreign_capital_actual_pct"),
)


def _fraction(pct: float | None) -> float | None:
    """A change as an Excel percentage (2.103 shows as 210.3%); blank with nothing to compare."""
    return None if pct is None else pct / 100


# --- Excel ----------------------------------------------------------------------------------

def _indicator_sheet(ws: Worksheet, report: ScheduleReport) -> None:
    ws.title = _("Indicators")
    headers = [_("Indicator"), _("This period (projects)"),
               _("Same period last year (projects)"), _("Change (%)"),
               _("Investment this period (100 million yuan)"),
               _("Investment same period last year (100 million yuan)"),
               _("Investment change (%)"), _("Remarks")]
    sheet = Sheet(ws, period_title(report.period), len(headers))
    sheet.header(headers)
    formats = [None, WAN, WAN, PERCENT, YI, YI, PERCENT, None]
    for name in INDICATORS:
        figure = report.figures["indicators"][name]
        sheet.data([str(INDICATOR_LABELS[name]), figure.count, figure.previous_count,
                    _fraction(figure.change_count_pct), figure.investment_wan / YI_WAN,
                    figure.previous_investment_wan / YI_WAN,
                    _fraction(figure.change_investment_pct),
                    _no_base(figure.change_count_pct, figure.change_investment_pct)], formats)
    figures = report.figures
    change = figures["change_funds_in_place_pct"]
    sheet.data([_("Funds in place"), None, None, None, figures["funds_in_place_wan"] / YI_WAN,
                figures["previous_funds_in_place_wan"] / YI_WAN, _fraction(change),
                _no_base(change)], formats)
    sheet.skip()
    sheet.header([_("Indicator"), _("This period (10,000 US dollars)"),
                  _("Same period last year (10,000 US dollars)"), _("Change (%)"),
                  _("Remarks")])
    for label, name, change_name in FOREIGN_CAPITAL:
        change = figures[change_name]
        sheet.data([str(label), figures[name], figures[f"previous_{name}"], _fraction(change),
                    _no_base(change)], [None, WAN, WAN, PERCENT, None])
    layout(ws, [30, 14, 16, 12, 18, 20, 14, 16])


def _section_title(report: ScheduleReport, section: Section) -> str:
    """'新签约项目（121 个项目，458.00 亿元）· 调度报告 · 2026年1月1日至6月30日'."""
    summary = _("%(projects)s, %(amount)s", amount=total(section.investment_wan),
                projects=ngettext("%(num)d project", "%(num)d projects", section.count))
    return _("%(list)s (%(summary)s) · %(report)s", list=section.title, summary=summary,
             report=period_title(report.period))


def _section_sheet(ws: Worksheet, report: ScheduleReport, section: Section) -> None:
    ws.title = str(section.title)[:31]  # Excel's limit for a sheet name
    headers = [number_heading(), str(FIELD_LABELS["county"]), *_headers(section.date_label)]
    sheet = Sheet(ws, _section_title(report, section), len(headers))
    sheet.header(headers)
    formats = [WAN, None, *FORMATS]
    if not section.groups:
        sheet.data([None, _("No projects in this period.")], [None, None])
    for line in lines(section):
        if line.kind == "project":
            sheet.data([line.number, county_name(line.county), *_values(line)], formats)
        elif line.kind == "subtotal":
            sheet.data([None, _("%(county)s subtotal", county=county_name(line.county)),
                        *_values(line)], formats, SUBTOTAL_FILL)
        else:
            sheet.data([None, _("City total"), *_values(line)], formats, TOTAL_FILL,
                       TOTAL_BORDER)
    layout(ws, [6, 16, *WIDTHS])


def workbook(report: ScheduleReport) -> bytes:
    """The .xlsx file, in the reader's language."""
    book = Workbook()
    _indicator_sheet(book.active, report)
    for section in report.sections:
        _section_sheet(book.create_sheet(), report, section)
    return saved(book)


# --- CSV ------------------------------------------------------------------------------------

def _comparison_headers() -> list[str]:
    """The CSV's last columns, filled on the indicator rows only: last year and the change."""
    return [_("Same period last year (projects)"), _("Change (%)"),
            _("Investment same period last year (10,000 yuan)"), _("Investment change (%)"),
            _("Contracted foreign capital (10,000 US dollars)"),
            _("Contracted foreign capital same period last year (10,000 US dollars)"),
            _("Contracted foreign capital change (%)"),
            _("Foreign capital actually used (10,000 US dollars)"),
            _("Foreign capital actually used same period last year (10,000 US dollars)"),
            _("Foreign capital actually used change (%)")]


def _indicator_line(label: str, city: str, count: int | str, wan: int | str, remark: str,
                    comparison: list[Any]) -> list[Any]:
    """An indicator as a CSV row: of a list's columns only the count, the investment (万元) and
    the remarks, which mean the same there; last year and the change in the last columns."""
    return [label, city, _("Indicator"), "", count, "", "", "", wan, "", "", "", "", "",
            remark, *comparison]


def _indicator_rows(report: ScheduleReport, city: str) -> Iterator[list[Any]]:
    for name in INDICATORS:
        figure: Figure = report.figures["indicators"][name]
        yield _indicator_line(
            str(INDICATOR_LABELS[name]), city, figure.count, figure.investment_wan,
            _no_base(figure.change_count_pct, figure.change_investment_pct),
            [figure.previous_count, figure.change_count_pct, figure.previous_investment_wan,
             figure.change_investment_pct, *[""] * 6])
    figures = report.figures
    change = figures["change_funds_in_place_pct"]
    yield _indicator_line(_("Funds in place"), city, "", figures["funds_in_place_wan"],
                          _no_base(change), ["", "", figures["previous_funds_in_place_wan"],
                                             change, *[""] * 6])
    for index, (label, name, change_name) in enumerate(FOREIGN_CAPITAL):
        change = figures[change_name]
        own = [figures[name], figures[f"previous_{name}"], change]
        yield _indicator_line(str(label), city, "", "", _no_base(change),
                              ["", "", "", "", *(own if index == 0 else [""] * 3),
                               *(own if index == 1 else [""] * 3)])


def csv_text(report: ScheduleReport) -> str:
    """The indicators, then every list's rows, with the list, the county and the kind of row in
    columns; starting with a byte order mark so that Excel reads it as UTF-8 (Chinese), not
    the local code page (the response says ``charset`` once, in its Content-Type)."""
    kinds = {"project": _("Project"), "subtotal": _("Subtotal"), "total": _("Total")}
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([_("List"), str(FIELD_LABELS["county"]), _("Row"), number_heading(),
                     *_headers(_("Stage date")), *_comparison_headers()])
    city = _("Whole city")
    for row in _indicator_rows(report, city):
        writer.writerow([csv_cell(value) for value in row])
    no_comparison = [""] * len(_comparison_headers())  # a list's rows leave those empty
    for section in report.sections:
        title = str(section.title)
        for line in lines(section):
            county = city if line.kind == "total" else county_name(line.county)
            writer.writerow([*(csv_cell(value) for value in
                               [title, county, kinds[line.kind], line.number, *_values(line)]),
                             *no_comparison])
    return "\ufeff" + out.getvalue()
