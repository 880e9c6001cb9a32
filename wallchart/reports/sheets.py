"""How every list the app exports is written: Excel sheets from the top down, and CSV cells.

One look for every workbook (a bold title, a blue header row frozen and repeated on every
printed page, bold subtotal and total rows, A4 landscape one page wide), and one rule for the
cells: numbers and dates typed and formatted, texts kept as text. A text that starts with
``=`` (a project named ``=HYPERLINK(…)``) stays text and never becomes a formula, in either file.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

WAN = "#,##0"  # 万元, 万美元, counts and days: integers with thousands separators
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


def number_heading() -> str:
    """The first column of every list: 序号, the row's place in the list (1 to n)."""
    return _("No.")


class Sheet:
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


def layout(ws: Worksheet, widths: list[int]) -> None:
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


def saved(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_cell(value: Any) -> Any:
    """Dates as ISO text; a text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
