"""A ledger's data rows parsed by a column mapping (the guessed one, or the person's), each
with its values and the errors of its cells, said with the row number Excel shows and the
column's header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _

from wallchart.core.errors import Invalid
from wallchart.services.ledger.cells import CellFault, CellReader, empty
from wallchart.services.ledger.files import Sheet, load_sheet
from wallchart.services.ledger.headers import (
    AMOUNT_FIELDS,
    LEDGER_FIELDS,
    NUMBER_FIELDS,
    Column,
    guess_mapping,
    header_parts,
    normal,
    scale_of,
)

#: Rows that add up the others (合计, 总计, 小计), skipped wherever they stand.
_TOTAL_ROW = re.compile(r"(合计|总计|小计|共计)([:(\d].*)?|(sub)?total\b.*")
#: A section heading inside the data (一、工业项目 / （二）文旅项目): a row with nothing else.
_SECTION_ROW = re.compile(r"[（(]?[一二三四五六七八九十]+[）)、.．].*")


@dataclass
class CellError:
    """A cell that cannot be read: ``message`` says why, ``text`` says where too (row number
    as Excel shows it and the column's header), in the person's language."""

    row: int
    column: int
    header: str
    message: str
    text: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class LedgerRow:
    """A data row: its number as Excel shows it, its values by field (only cells that hold
    something and could be read), and its cells' errors.

    Values: trimmed ``str`` for text fields (``description`` keeps its line breaks); ``int``
    for ``investment_wan`` (万元), ``foreign_capital_usd_wan`` (万美元) and ``land_mu`` (亩),
    rounded half up; ``date`` for ``stage_dates.*``; ``bool`` for ``foreign_invested``; the
    vocabulary's key for ``stage``, ``sector`` and ``three500`` (``three500`` is ``None`` where
    the ledger says no). Names of counties, people and teams are left for the caller to match.
    """

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class Ledger:
    """A ledger parsed: where its header is (``header_row``, 1-based, the upper one of two
    header rows), what each column holds, and its data rows."""

    kind: str
    sheet_name: str
    encoding: str
    header_row: int
    columns: list[Column]
    rows: list[LedgerRow]

    @property
    def mapping(self) -> dict[int, str | None]:
        """Column index to field (``None``: not imported), as ``parse_sheet`` takes it."""
        return {column.index: column.field for column in self.columns}

    @property
    def errors(self) -> list[CellError]:
        return [error for row in self.rows for error in row.errors]



def read_ledger(file: bytes | IO[bytes],
                mapping: dict[int, str | None] | None = None) -> Ledger:
    """Read the ledger in ``file`` (its bytes, or a binary stream) into rows, with the column
    mapping guessed from its header, or ``mapping`` as the person chose it (index to field; a
    column it leaves out holds nothing to import)."""
    sheet = load_sheet(file)
    return parse_sheet(sheet, mapping)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_sheet(sheet: Sheet, mapping: dict[int, str | None] | None = None) -> Ledger:
    """The sheet's data rows parsed by ``mapping`` (index to field; the guess if ``None``).
    Rows with nothing in a mapped column, section headings and 合计 rows are skipped."""
    if mapping is None:
        mapping = guess_mapping(sheet.headers)
    unknown = {name for name in mapping.values() if name is not None} - set(LEDGER_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(names)s", names=", ".join(sorted(unknown))))
    chosen_fields = [name for index, name in sorted(mapping.items()) if name is not None
                     and index < len(sheet.headers)]
    for name in chosen_fields:
        if chosen_fields.count(name) > 1:
            raise Invalid(_("Only one column may hold %(field)s.",
                            field=str(LEDGER_FIELDS[name])))
    columns = []
    for index, header in enumerate(sheet.headers):
        chosen = mapping.get(index)
        scale = None
        if chosen in NUMBER_FIELDS:
            scale = scale_of(header_parts(header)[1])
            if scale is None:
                scale = sheet.title_scale if chosen in AMOUNT_FIELDS and sheet.title_scale \
                    else Decimal(1)
        columns.append(Column(index, _letter(index), header, chosen, scale))
    mapped = [column for column in columns if column.field is not None]
    cells_of = CellReader()
    rows = []
    for number, cells in sheet.rows:
        if _skipped(cells):
            continue
        row = LedgerRow(number)
        for column in mapped:
            raw = cells[column.index] if column.index < len(cells) else None
            if empty(raw):
                continue
            try:
                row.values[column.field] = cells_of.parse(column, raw)
            except CellFault as fault:
                row.errors.append(_cell_error(number, column, fault.message))
        if row.values or row.errors:
            rows.append(row)
    return Ledger(sheet.kind, sheet.sheet_name, sheet.encoding, sheet.header_row, columns, rows)


def _skipped(cells: tuple[Any, ...]) -> bool:
    """A 合计/总计/小计 row, or a section heading (一、工业项目) alone in its row."""
    texts = [normal(cell) for cell in cells if isinstance(cell, str) and cell.strip()]
    if any(_TOTAL_ROW.fullmatch(text) for text in texts[:3]):
        return True
    filled = [cell for cell in cells if not empty(cell)]
    return len(filled) == 1 and len(texts) == 1 and bool(_SECTION_ROW.fullmatch(texts[0]))


def _cell_error(number: int, column: Column, message: str) -> CellError:
    header = column.header or column.letter
    return CellError(number, column.index, header, message, _(
        "Row %(row)d, %(column)s: %(message)s", row=number, column=header, message=message))
