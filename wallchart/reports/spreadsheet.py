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
from io import BytesIO, StringIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wallchart.core.formatting import name_list
from wallchart.core.money import YI_WAN
from wallchart.core.vocabulary import FIELD_LABELS
from wallchart.reports.indicators import INDICATORS, format_change
from wallchart.reports.report_data import (
    INDICATOR_LABELS,
    Row,
    ScheduleReport,
    Section,
    period_title,
)

WAN = "#,##0"  # 万元, 万美元 and counts: integers with thousands separators
YI = "#,##0.00"  # 亿元: two decimals
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1D4F91")
SUBTOTAL_FILL = PatternFill("solid", fgColor="EEF1F5")
TOTAL_FILL = PatternFill("solid", fgColor="D9DDE4")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="9AA1AD")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOTAL_BORDER = Border(top=Side(style="medium"))
#: What a spreadsheet would read as the start of a formula in a CSV cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- the rows both files share ------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """A line of a list: a project, a county's subtotal or the city total."""

    kind: str  # "project" | "subtotal" | "total"
    county: str | None
    count: int | None = None
    investment_wan: int = 0
    row: Row | None = None


def lines(section: Section) -> Iterator[Line]:
    for group in section.groups:
        for row in group.rows:
            yield Line("project", group.county, investment_wan=row.investment_wan, row=row)
        yield Line("subtotal", group.county, group.count, group.investment_wan)
    yield Line("total", None, section.count, section.investment_wan)


def county_name(county: str | None) -> str:
    return county if county is not None else _("Not recorded")


def remarks(row: Row) -> str:
    """What the reader must know about a listed project: confidential, withdrawn. Most rows
    have neither, and ask for no translation (a year lists thousands)."""
    marks = []
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


# --- Excel ----------------------------------------------------------------------------------

class _Sheet:
    """A worksheet written from the top down. It counts its own rows: ``ws.max_row`` looks at
    every cell, which made a year's report (40,000 cells) take half a minute."""

    def __init__(self, ws: Worksheet, title: str, width: int) -> None:
        self.ws = ws
        self.row = 1
        ws.cell(1, 1, title).font = TITLE_FONT
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.row_dimensions[1].height = 24

    def header(self, headers: list[str]) -> None:
        self.row += 1
        for column, text in enumerate(headers, 1):
            cell = self.ws.cell(self.row, column, text)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = HEADER_BORDER
            cell.alignment = HEADER_ALIGNMENT
        self.ws.row_dimensions[self.row].height = 32

    def data(self, values: list[Any], formats: list[str | None], fill: PatternFill | None = None,
             border: Border | None = None) -> None:
        """One row: numbers and dates typed and formatted, texts kept as text; ``fill`` (and
        ``border``) make it a bold subtotal or total row."""
        self.row += 1
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
            if fill is None and (value is None or value == ""):
                continue  # no cell at all: a year's lists leave tens of thousands empty
            cell = self.ws.cell(self.row, column, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif number_format:
                cell.number_format = number_format
            if fill is not None:
                cell.font = BOLD
                cell.fill = fill
            if border is not None:
                cell.border = border

    def skip(self) -> None:
        self.row += 1


def _layout(ws: Worksheet, widths: list[int]) -> None:
    """Header frozen, column widths, and printing: A4 landscape, one page wide, header repeated."""
    ws.freeze_panes = "A3"
    for column, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"


def _pct(value: float | None) -> Any:
    """A change as an Excel percentage; the wording where there is nothing to compare with."""
    return format_change(None) if value is None else value / 100


def _indicator_sheet(ws: Worksheet, report: ScheduleReport) -> None:
    ws.title = _("Indicators")
    headers = [_("Indicator"), _("This period (projects)"),
               _("Same period last year (projects)"), _("Change (%)"),
               _("Investment this period (100 million yuan)"),
               _("Investment same period last year (100 million yuan)"),
               _("Investment change (%)")]
    sheet = _Sheet(ws, period_title(report.period), len(headers))
    sheet.header(headers)
    formats = [None, WAN, WAN, PERCENT, YI, YI, PERCENT]
    for name in INDICATORS:
        figure = report.figures["indicators"][name]
        sheet.data([str(INDICATOR_LABELS[name]), figure.count, figure.previous_count,
                    _pct(figure.change_count_pct), figure.investment_wan / YI_WAN,
                    figure.previous_investment_wan / YI_WAN, _pct(figure.change_investment_pct)],
                   formats)
    sheet.skip()
    sheet.header([_("Indicator"), _("This period (10,000 US dollars)"),
                  _("Same period last year (10,000 US dollars)"), _("Change (%)")])
    figures = report.figures
    sheet.data([_("Contracted foreign capital"), figures["foreign_capital_usd_wan"],
                figures["previous_foreign_capital_usd_wan"],
                _pct(figures["change_foreign_capital_pct"])], [None, WAN, WAN, PERCENT])
    _layout(ws, [30, 14, 16, 12, 18, 20, 14])


def _section_sheet(ws: Worksheet, report: ScheduleReport, section: Section) -> None:
    ws.title = str(section.title)[:31]  # Excel's limit for a sheet name
    headers = [str(FIELD_LABELS["county"]), *_headers(section.date_label)]
    sheet = _Sheet(ws, f"{section.title} · {period_title(report.period)}", len(headers))
    sheet.header(headers)
    formats = [None, *FORMATS]
    if not section.groups:
        sheet.data([_("No projects in this period.")], [None])
    for line in lines(section):
        if line.kind == "project":
            sheet.data([county_name(line.county), *_values(line)], formats)
        elif line.kind == "subtotal":
            sheet.data([_("%(county)s subtotal", county=county_name(line.county)),
                        *_values(line)], formats, SUBTOTAL_FILL)
        else:
            sheet.data([_("City total"), *_values(line)], formats, TOTAL_FILL, TOTAL_BORDER)
    _layout(ws, [16, *WIDTHS])


def workbook(report: ScheduleReport) -> bytes:
    """The .xlsx file, in the reader's language."""
    book = Workbook()
    _indicator_sheet(book.active, report)
    for section in report.sections:
        _section_sheet(book.create_sheet(), report, section)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV ------------------------------------------------------------------------------------

def _csv_cell(value: Any) -> Any:
    """Dates as ISO text; a text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(report: ScheduleReport) -> str:
    """Every list's rows, with the list, the county and the kind of row in columns; starting
    with a byte order mark so that Excel reads it as UTF-8 (Chinese), not the local code page."""
    kinds = {"project": _("Project"), "subtotal": _("Subtotal"), "total": _("Total")}
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([_("List"), str(FIELD_LABELS["county"]), _("Row"),
                     *_headers(_("Stage date"))])
    city = _("Whole city")
    for section in report.sections:
        title = str(section.title)
        for line in lines(section):
            county = city if line.kind == "total" else county_name(line.county)
            writer.writerow([_csv_cell(value) for value in
                             [title, county, kinds[line.kind], *_values(line)]])
    return "\ufeff" + out.getvalue()
