"""A ledger file read: an .xlsx workbook (its first sheet with a header, merged cells filled
down, the results Excel saved for formulas) or a CSV in UTF-8 (with or without BOM) or GB18030;
its header row found below any title rows. A file that is no ledger we can read raises
``UnreadableLedger`` with a message for the person."""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _

from wallchart.core.errors import Invalid
from wallchart.services.ledger.headers import IGNORED_HEADERS, header_field, normal, scale_of

#: The largest file read, in bytes (the issue's 50 MB ledger is refused).
LEDGER_MAX_BYTES = 20 * 1024 * 1024
#: The most data rows a ledger may hold (a city's whole record is a few thousand).
LEDGER_MAX_ROWS = 100_000
#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 30
#: A header row names at least this many known columns.
HEADER_MIN_FIELDS = 2


class UnreadableLedger(Invalid):
    """A file that is no ledger we can read. ``reason``: ``too_large``, ``empty``,
    ``not_a_spreadsheet``, ``encrypted``, ``old_excel``, ``damaged``, ``no_header``,
    ``too_many_rows``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, {"file": message})
        self.reason = reason


class _Uncalculated:
    """A formula cell the workbook holds no result for (written by a program, never opened in
    Excel): what it means is unknown, so the cell is refused."""

    def __repr__(self) -> str:
        return "UNCALCULATED"


UNCALCULATED = _Uncalculated()


@dataclass
class Sheet:
    """A file read but not yet parsed: the header found and the raw cells below it."""

    kind: str  # "xlsx" or "csv"
    sheet_name: str  # the worksheet's name; "" for a CSV
    encoding: str  # the CSV's encoding; "" for a workbook
    header_row: int  # 1-based; the upper one of two header rows
    headers: list[str]
    #: The unit a title row declares for the amounts (单位：亿元), as a scale; None if none.
    title_scale: Decimal | None
    rows: list[tuple[int, tuple[Any, ...]]]  # (row number, raw cell values)


def load_sheet(file: bytes | IO[bytes]) -> Sheet:
    """The file's header row and the raw rows below it; ``UnreadableLedger`` for a file that
    is no ledger we can read. What the file is, its content says (its name may lie)."""
    data = _bytes_of(file)
    if not data:
        raise UnreadableLedger("empty", _("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise UnreadableLedger("encrypted", _(
                "This workbook is protected by a password: save a copy without the password "
                "and upload that."))
        raise UnreadableLedger("old_excel", _(
            "This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) and "
            "upload that."))
    if data.startswith(b"PK\x03\x04"):
        return _load_workbook(data)
    return _load_csv(data)


def _bytes_of(file: bytes | IO[bytes]) -> bytes:
    data = file if isinstance(file, bytes | bytearray) else file.read(LEDGER_MAX_BYTES + 1)
    if len(data) > LEDGER_MAX_BYTES:
        raise UnreadableLedger("too_large", _(
            "The file is larger than %(limit)d MB: split the ledger into smaller files.",
            limit=LEDGER_MAX_BYTES // (1024 * 1024)))
    return bytes(data)


def _no_header() -> UnreadableLedger:
    return UnreadableLedger("no_header", _(
        "No header row found: none of the first %(rows)d rows names two known columns (such "
        "as 项目名称 and 总投资).", rows=HEADER_SEARCH_ROWS))


def _too_many_rows() -> UnreadableLedger:
    return UnreadableLedger("too_many_rows", _(
        "The ledger has more than %(limit)s rows: split it into smaller files.",
        limit=f"{LEDGER_MAX_ROWS:,}"))


def _not_a_spreadsheet() -> UnreadableLedger:
    return UnreadableLedger("not_a_spreadsheet", _(
        "This file is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file."))


# --- workbooks --------------------------------------------------------------------------------

def _load_workbook(data: bytes) -> Sheet:
    """The first worksheet with a header row. Read once with formulas as written; only when
    the data holds formulas is it read again for the results Excel saved with them."""
    workbook = _open_workbook(data, data_only=False)
    try:
        # The sheet the workbook opens on first, then the others in order, hidden ones last.
        sheets = sorted(workbook.worksheets, key=lambda sheet: (
            sheet is not workbook.active, getattr(sheet, "sheet_state", "visible") != "visible"))
        for worksheet in sheets:
            if not hasattr(worksheet, "iter_rows"):  # a chart sheet
                continue
            worksheet.reset_dimensions()
            rows = _worksheet_rows(worksheet)
            found = _find_header(rows)
            if found is None:
                continue
            header_at, headers, title_scale, rows = found
            body, formulas = _workbook_body(rows, header_at, len(headers))
            if formulas:
                _fill_formula_results(data, worksheet.title, body, formulas)
            _fill_merged(body, _merged_ranges(worksheet), header_at)
            return Sheet("xlsx", worksheet.title, "", header_at, headers, title_scale, body)
    except UnreadableLedger:
        raise
    except Exception as error:  # a part of the zip that openpyxl cannot parse
        raise _damaged() from error
    finally:
        workbook.close()
    raise _no_header()


def _damaged() -> UnreadableLedger:
    return UnreadableLedger("damaged", _(
        "This workbook cannot be opened: it may be damaged or not an Excel workbook. Save it "
        "again in Excel as .xlsx."))


def _open_workbook(data: bytes, *, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds for a zip that is no workbook
        raise _damaged() from error


def _worksheet_rows(worksheet):
    """The sheet's rows as tuples of (value, is_formula), numbered from 1."""
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        yield number, tuple((cell.value, getattr(cell, "data_type", None) == "f")
                            for cell in cells)


def _find_header(rows):
    """The first of the top rows naming at least two known columns: its number, its headers
    (those of a second header row below it filled in), the unit a title row above it declares,
    and the rows below the header; None if there is none."""
    title_scale = None
    above: list[str] = []
    rows = iter(rows)
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            return None
        texts = _texts(cells)
        known = sum(1 for text in texts if text and header_field(text) is not None)
        if known >= HEADER_MIN_FIELDS:
            below = next(rows, None)
            if _completes_header(texts, above):  # 项目名称 merged down beside group titles
                number -= 1
                texts = _under(above, texts)
            elif below is not None and _fills_header(texts, _texts(below[1])):
                texts = _under(texts, _texts(below[1]))
                below = None
            if below is not None:
                rows = itertools.chain([below], rows)
            while texts and not texts[-1]:
                texts.pop()
            return number, texts, title_scale, rows
        above = texts
        for text in texts:
            for declared in re.finditer(r"单位\s*[:：]\s*([^\s,，;；]+)", text):
                title_scale = scale_of(declared.group(1)) or title_scale
    return None


def _texts(cells) -> list[str]:
    return ["" if value is None else str(value).strip() for value, _formula in cells]


def _under(top: list[str], bottom: list[str]) -> list[str]:
    """Two header rows as one: the lower's names where it has any, else the upper's."""
    return [low or high for high, low in itertools.zip_longest(top, bottom, fillvalue="")]


def _completes_header(header: list[str], above: list[str]) -> bool:
    """A row above the header, of group titles (投资情况, 时间节点) and of names merged down
    (项目名称) that stand where the header has nothing."""
    return any(text and header_field(text) is not None and
               (index >= len(header) or not header[index]) for index, text in enumerate(above))


def _fills_header(header: list[str], below: list[str]) -> bool:
    """Two header rows (时间节点 over 签约时间 | 开工时间, merged across; 项目名称 merged down):
    each cell of ``below`` names a column, one at least where ``header`` names none."""
    named = [(index, text) for index, text in enumerate(below) if text]
    if not named or not all(header_field(text) is not None or normal(text) in IGNORED_HEADERS
                            for _index, text in named):
        return False
    return any(index >= len(header) or header_field(header[index]) is None
               for index, _text in named)


def _workbook_body(rows, header_at: int, width: int):
    body: list[tuple[int, tuple[Any, ...]]] = []
    formulas: dict[int, list[int]] = {}
    for number, cells in rows:
        cells = cells[:width] + ((None, False),) * (width - len(cells))
        if not any(value is not None and value != "" for value, _formula in cells):
            continue
        if len(body) >= LEDGER_MAX_ROWS:
            raise _too_many_rows()
        at = [index for index, (_value, formula) in enumerate(cells) if formula]
        if at:
            formulas[number] = at
        body.append((number, tuple(UNCALCULATED if formula else value
                                   for value, formula in cells)))
    return body, formulas


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(worksheet) -> set[tuple[int, int, int]]:
    """(first row, last row, column index) of each merged range, from the sheet's XML, read in
    pieces: a read-only worksheet does not parse them."""
    from openpyxl.utils import column_index_from_string

    ranges = set()
    tail = b""
    with worksheet._get_source() as source:
        while chunk := source.read(1 << 20):
            text = tail + chunk
            for left, top, _right, bottom in _MERGE.findall(text):
                if int(bottom) > int(top):
                    ranges.add((int(top), int(bottom), column_index_from_string(left.decode()) - 1))
            tail = text[-256:]
    return ranges


def _fill_merged(body, ranges: set[tuple[int, int, int]], header_at: int) -> None:
    """A cell merged down several rows (one county for a block of projects) holds its value in
    its first row only, as Excel stores it: each row of the block gets it."""
    position = {number: index for index, (number, _cells) in enumerate(body)}
    for top, bottom, column in sorted(ranges):
        if top <= header_at or top not in position:
            continue
        cells = body[position[top]][1]
        value = cells[column] if column < len(cells) else None
        if value is None:
            continue
        for number in range(top + 1, bottom + 1):
            if number in position:
                at = position[number]
                filled = list(body[at][1])
                if column < len(filled) and filled[column] is None:
                    filled[column] = value
                    body[at] = (number, tuple(filled))


def _fill_formula_results(data: bytes, title: str, body, formulas: dict[int, list[int]]) -> None:
    """Put the results Excel saved in place of the formulas; a formula without one stays
    ``UNCALCULATED``."""
    workbook = _open_workbook(data, data_only=True)
    try:
        worksheet = workbook[title]
        worksheet.reset_dimensions()
        results = {number: values for number, values in
                   enumerate(worksheet.iter_rows(values_only=True), start=1)
                   if number in formulas}
    finally:
        workbook.close()
    for position, (number, cells) in enumerate(body):
        if number in formulas:
            values = list(cells)
            saved = results.get(number, ())
            for index in formulas[number]:
                result = saved[index] if index < len(saved) else None
                values[index] = UNCALCULATED if result is None else result
            body[position] = (number, tuple(values))


# --- CSV --------------------------------------------------------------------------------------

def _load_csv(data: bytes) -> Sheet:
    text, encoding = _decode(data)
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
        raise _not_a_spreadsheet()
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # A quoted cell may hold line breaks: Excel shows each record as one row all the same.
    rows = _csv_rows(reader)
    try:
        found = _find_header(rows)
        if found is None:
            raise _no_header()
        header_at, headers, title_scale, rows = found
        body, _formulas = _workbook_body(rows, header_at, len(headers))
    except csv.Error as error:
        raise _not_a_spreadsheet() from error
    return Sheet("csv", "", encoding, header_at, headers, title_scale, body)


def _decode(data: bytes) -> tuple[str, str]:
    bom = data.startswith(b"\xef\xbb\xbf")
    encodings = ("utf-8-sig",) if bom else ("utf-8", "gb18030")
    if b"\x00" not in data:
        for encoding in encodings:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    raise _not_a_spreadsheet()


def _delimiter(text: str) -> str:
    head = text[:20000]
    return max((",", "\t", ";"), key=head.count)


def _csv_rows(reader):
    for number, cells in enumerate(reader, start=1):
        yield number, tuple((cell, False) for cell in cells)
