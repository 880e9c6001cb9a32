"""A county's ledger (台账) read into rows: the first half of the import (issue 12).

Every county keeps its projects in a spreadsheet of its own shape: a title row or two above the
header (merged cells), a 合计 row at the bottom, amounts in 万元 or 亿元, dates and stages and yeses
written as people write them. This module reads such a file — an .xlsx workbook, or a CSV in
UTF-8 (with or without BOM) or GB18030 — finds its header row, guesses which field each column
holds, and parses every data row into the record's values, with an error for each cell it cannot
read. It writes nothing: the import service validates the rows by the record's rules and writes
them; the page, the command and the API show what it found.

- ``read_ledger(file, mapping=None)`` does it all and returns a ``Ledger``;
- ``load_sheet`` and ``parse_sheet`` are its two halves (read the file once, parse it again with
  the mapping a person corrected); ``guess_mapping`` names each header's field;
- ``LEDGER_FIELDS`` is the vocabulary a person may choose from, with labels.

A file that cannot be read raises ``UnreadableLedger`` (an ``Invalid``: its message is for the
person, in their language; ``reason`` names the fault for scripts). Nothing else escapes.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wallchart.core.errors import Invalid
from wallchart.core.formatting import name_list
from wallchart.core.money import YI_WAN
from wallchart.core.vocabulary import FIELD_LABELS, SECTORS, STAGES, THREE500

#: The largest file read, in bytes (the issue's 50 MB ledger is refused).
LEDGER_MAX_BYTES = 20 * 1024 * 1024
#: The most data rows a ledger may hold (a city's whole record is a few thousand).
LEDGER_MAX_ROWS = 100_000
#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 30
#: A header row names at least this many known columns.
HEADER_MIN_FIELDS = 2

#: The fields a column may hold, in the order a person chooses from, with their labels. Their
#: names are the record's API names; ``code`` (项目编码) is new with the import.
LEDGER_FIELDS: dict[str, object] = {
    "code": _l("Project code"),
    "name": FIELD_LABELS["name"],
    "investor": FIELD_LABELS["investor"],
    "investment_wan": FIELD_LABELS["investment_wan"],
    "county": FIELD_LABELS["county"],
    "sector": FIELD_LABELS["sector"],
    "stage": FIELD_LABELS["stage"],
    "stage_dates.contact": FIELD_LABELS["stage_dates.contact"],
    "stage_dates.negotiating": FIELD_LABELS["stage_dates.negotiating"],
    "stage_dates.signed": FIELD_LABELS["stage_dates.signed"],
    "stage_dates.started": FIELD_LABELS["stage_dates.started"],
    "stage_dates.producing": FIELD_LABELS["stage_dates.producing"],
    "owner": FIELD_LABELS["owner"],
    "team": FIELD_LABELS["team"],
    "foreign_invested": FIELD_LABELS["foreign_invested"],
    "foreign_capital_usd_wan": FIELD_LABELS["foreign_capital_usd_wan"],
    "three500": FIELD_LABELS["three500"],
    "origin": FIELD_LABELS["origin"],
    "industry_chain": FIELD_LABELS["industry_chain"],
    "contact_person": FIELD_LABELS["contact_person"],
    "contact_phone": FIELD_LABELS["contact_phone"],
    "land_mu": FIELD_LABELS["land_mu"],
    "description": FIELD_LABELS["description"],
}
#: What each field's parsed value is (besides ``str``, trimmed).
AMOUNT_FIELDS = frozenset({"investment_wan", "foreign_capital_usd_wan"})
NUMBER_FIELDS = AMOUNT_FIELDS | {"land_mu"}
DATE_FIELDS = frozenset(name for name in LEDGER_FIELDS if name.startswith("stage_dates."))
FLAG_FIELDS = frozenset({"foreign_invested"})
MULTILINE_FIELDS = frozenset({"description"})

#: The names bureaus give each column, compared without blanks, units or case. A header that
#: is none of them exactly may still contain one of the longer ones (项目总投资, 签约日期（实际）),
#: unless it is planned (计划开工时间 is not the start date).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("项目编码", "项目编号", "编码", "编号", "项目代码", "code", "projectcode", "id"),
    "name": ("项目名称", "项目", "名称", "项目全称", "name", "project", "projectname"),
    "investor": ("投资方", "投资主体", "签约企业", "投资企业", "投资单位", "签约主体", "企业名称",
                 "投资方名称", "投资商", "investor", "investors", "company"),
    "investment_wan": ("总投资", "计划总投资", "投资额", "总投资额", "计划总投资额", "项目总投资",
                       "投资总额", "协议投资", "协议投资额", "签约投资额", "investment",
                       "totalinvestment"),
    "county": ("所属县市区", "县市区", "所在县市区", "县区", "县（市、区）", "县(市、区)", "属地",
               "所属地区", "所在地", "区县", "county", "district", "county/district",
               "countydistrict"),
    "sector": ("产业类别", "行业", "产业类型", "项目类别", "行业类别", "所属行业", "产业", "类别",
               "sector", "industry"),
    "stage": ("项目阶段", "进度", "推进情况", "项目进度", "阶段", "当前阶段", "项目状态",
              "进展阶段", "stage", "status", "progress"),
    "stage_dates.contact": ("接触时间", "首次接触时间", "对接时间", "首次对接时间", "接触日期",
                            "firstcontactdate", "contactdate"),
    "stage_dates.negotiating": ("洽谈时间", "在谈时间", "洽谈日期", "negotiationstartdate",
                                "negotiationdate"),
    "stage_dates.signed": ("签约时间", "签约日期", "签订时间", "签订日期", "signingdate",
                           "signedon", "signeddate", "datesigned"),
    "stage_dates.started": ("开工时间", "开工日期", "实际开工时间", "constructionstartdate",
                            "startdate", "startedon"),
    "stage_dates.producing": ("投产时间", "竣工投产时间", "投产日期", "竣工时间", "竣工投产日期",
                              "productiondate", "producingon", "completiondate"),
    "owner": ("责任人", "项目责任人", "负责人", "包抓领导", "owner", "personincharge"),
    "team": ("专班", "工作专班", "责任专班", "所属专班", "team", "taskteam"),
    "foreign_invested": ("外资", "是否外资", "是否外资项目", "外资项目", "foreign-invested",
                         "foreigninvested"),
    "foreign_capital_usd_wan": ("合同外资", "合同利用外资", "合同外资额", "foreigncapital"),
    "three500": ("三类500强", "是否三类500强", "三类五百强", "是否三类五百强", "500强",
                 "threecategory500", "three500"),
    "origin": ("投资方来源地", "来源地", "客商来源地", "投资来源地", "origin", "investor'sorigin"),
    "industry_chain": ("产业链", "所属产业链", "industrychain"),
    "contact_person": ("联系人", "contactperson", "contact"),
    "contact_phone": ("联系电话", "电话", "联系方式", "contactphone", "phone"),
    "land_mu": ("用地面积", "用地", "占地面积", "用地需求", "landneeded", "land"),
    "description": ("备注", "说明", "remarks", "remark", "notes", "note", "description"),
}
#: Headers of columns that hold nothing to import (序号).
IGNORED_HEADERS = frozenset({"序号", "序", "no", "no.", "#", "number"})
#: Names too short or too common to be looked for inside a longer header.
_EXACT_ONLY = frozenset({"项目", "名称", "编码", "编号", "外资", "用地", "电话", "行业", "产业",
                         "类别", "进度", "阶段", "属地", "专班", "500强", "说明", "id", "land",
                         "name", "code", "note", "notes", "contact", "phone", "status", "project",
                         "stage", "team", "owner", "company"})
_PLANNED = ("计划", "预计", "拟", "planned", "expected")

#: Rows that add up the others (合计, 总计, 小计), skipped wherever they stand.
_TOTAL_ROW = re.compile(r"(合计|总计|小计|共计)([:(\d].*)?|(sub)?total\b.*")
#: A section heading inside the data (一、工业项目 / （二）文旅项目): a row with nothing else.
_SECTION_ROW = re.compile(r"[（(]?[一二三四五六七八九十]+[）)、.．].*")
#: What Excel shows in a cell whose formula failed.
_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                           "#SPILL!", "#CALC!", "#GETTING_DATA"})
#: What a ledger writes in a cell that has nothing to say.
_NOTHING = frozenset({"-", "—", "——", "–", "/", "\\", "--"})

_STAGE_WORDS: dict[str, str] = {}
for _stage, _words in {
    "contact": ("接触", "接触洽谈", "初步接触", "初次接触", "对接", "初步对接", "意向", "有意向",
                "储备", "线索", "contact"),
    "negotiating": ("在谈", "洽谈", "洽谈中", "在洽谈", "正在洽谈", "谈判", "商谈", "深度洽谈",
                    "在谈项目", "negotiating", "negotiation", "innegotiation"),
    "signed": ("签约", "已签约", "签订", "已签订", "已签协议", "签约项目", "signed"),
    "started": ("开工", "已开工", "在建", "新开工", "建设中", "施工", "开工建设", "在建项目",
                "started", "constructionstarted", "underconstruction"),
    "producing": ("竣工", "投产", "已投产", "竣工投产", "已竣工", "建成投产", "达产", "运营",
                  "已运营", "已竣工投产", "producing", "completed", "inproduction",
                  "completed&producing"),
}.items():
    _STAGE_WORDS.update(dict.fromkeys(_words, _stage))

_SECTOR_WORDS: dict[str, str] = {}
for _sector, _words in {
    "industry": ("工业", "工业类", "工业项目", "制造业", "先进制造业", "工业制造", "industry",
                 "industrial", "manufacturing"),
    "agriculture": ("农业", "现代农业", "农业类", "农业项目", "agriculture", "modernagriculture"),
    "tourism": ("文旅", "文化旅游", "旅游", "文旅类", "文旅项目", "文化旅游业", "tourism",
                "culturaltourism"),
    "services": ("服务业", "现代服务业", "服务", "服务业类", "服务业项目", "services",
                 "modernservices"),
}.items():
    _SECTOR_WORDS.update(dict.fromkeys(_words, _sector))

_THREE500_WORDS: dict[str, str] = {}
for _list, _words in {
    "fortune_global": ("世界500强", "财富世界500强", "世界五百强", "财富500强", "fortuneglobal500"),
    "china_top": ("中国500强", "中国企业500强", "中国五百强", "中企500强", "chinatop500"),
    "china_private": ("民营500强", "中国民营企业500强", "中国民营500强", "民企500强",
                      "民营企业500强", "chinaprivatetop500"),
}.items():
    _THREE500_WORDS.update(dict.fromkeys(_words, _list))

_YES = frozenset({"是", "√", "✓", "✔", "y", "yes", "1", "有", "true", "对"})
_NO = frozenset({"否", "×", "✗", "✘", "x", "n", "no", "0", "无", "false", "不是"})
#: A foreign-invested column may say what the capital is rather than yes or no.
_FOREIGN_WORDS = {"外资": True, "中外合资": True, "合资": True, "独资": True, "内资": False}

_DATE = re.compile(r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"
                   r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_ONLY = re.compile(r"\d{4}\s*[年./\-]\s*\d{1,2}\s*月?")
_EXCEL_EPOCH = date(1899, 12, 30)
#: Excel serial numbers taken as dates: 1927-05-18 to 2173-10-14 (a year alone, 2025, is not).
_SERIAL_RANGE = (10_000, 100_000)
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_AMOUNT = re.compile(r"([-+]?)\s*([\d,.]+)\s*(亿|万)?\s*(元|美元|亩)?")


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
class Column:
    """One column of the header: its position (0-based ``index``, the ``letter`` Excel shows),
    its header text as written, the field it holds (``None``: not imported) and, for amounts,
    the 万 one of its units is worth (亿元: 10000; 万元: 1; 元: 0.0001)."""

    index: int
    letter: str
    header: str
    field: str | None
    scale: Decimal | None = None


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


# --- the whole read ---------------------------------------------------------------------------

def read_ledger(file: bytes | IO[bytes],
                mapping: dict[int, str | None] | None = None) -> Ledger:
    """Read the ledger in ``file`` (its bytes, or a binary stream) into rows, with the column
    mapping guessed from its header, or ``mapping`` as the person chose it (index to field; a
    column it leaves out holds nothing to import)."""
    sheet = load_sheet(file)
    return parse_sheet(sheet, mapping)


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
        known = sum(1 for text in texts if text and _header_field(text) is not None)
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
                title_scale = _scale_of(declared.group(1)) or title_scale
    return None


def _texts(cells) -> list[str]:
    return ["" if value is None else str(value).strip() for value, _formula in cells]


def _under(top: list[str], bottom: list[str]) -> list[str]:
    """Two header rows as one: the lower's names where it has any, else the upper's."""
    return [low or high for high, low in itertools.zip_longest(top, bottom, fillvalue="")]


def _completes_header(header: list[str], above: list[str]) -> bool:
    """A row above the header, of group titles (投资情况, 时间节点) and of names merged down
    (项目名称) that stand where the header has nothing."""
    return any(text and _header_field(text) is not None and
               (index >= len(header) or not header[index]) for index, text in enumerate(above))


def _fills_header(header: list[str], below: list[str]) -> bool:
    """Two header rows (时间节点 over 签约时间 | 开工时间, merged across; 项目名称 merged down):
    each cell of ``below`` names a column, one at least where ``header`` names none."""
    named = [(index, text) for index, text in enumerate(below) if text]
    if not named or not all(_header_field(text) is not None or _normal(text) in IGNORED_HEADERS
                            for _index, text in named):
        return False
    return any(index >= len(header) or _header_field(header[index]) is None
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


# --- the header -------------------------------------------------------------------------------

def _normal(text: str) -> str:
    """Text compared as a word: NFKC (full-width letters and digits), no blanks, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _header_parts(header: str) -> tuple[str, str]:
    """A header's name and its unit: '总投资（亿元）' -> ('总投资', '亿元'); '投资额/万元' too."""
    text = _normal(header).lstrip("*※")
    units = [unit for unit in re.findall(r"[(\[【]([^)\]】]*)[)\]】]", text) if _UNIT.search(unit)]
    name = re.sub(r"[(\[【]([^)\]】]*)[)\]】]",
                  lambda match: "" if _UNIT.search(match.group(1)) else match.group(0), text)
    tail = re.fullmatch(r"(.+?)[/:](亿元|万元|元|亿美元|万美元|美元|亩)", name)
    if tail:
        name, unit = tail.groups()
        units.append(unit)
    unit = " ".join(units)
    declared = re.search(r"单位:?(.*)", unit)
    return name.strip(":"), declared.group(1) if declared else unit


def _scale_of(unit: str) -> Decimal | None:
    """The 万 one unit is worth: 亿(美)元 10000, 万(美)元 1, (美)元 0.0001; None if unnamed."""
    unit = _normal(unit)
    if "亿" in unit or "100million" in unit or "100m" in unit:
        return Decimal(YI_WAN)
    if "万" in unit or re.search(r"10,?000|10k|tenthousand", unit):
        return Decimal(1)
    if unit.endswith(("元", "yuan", "dollars", "usd", "rmb", "cny")):
        return Decimal("0.0001")
    return None


_UNIT = re.compile(r"元|亩|单位|yuan|dollar|usd|rmb|cny|mu\b")
_NAME_TO_FIELD = {_normal(name): name_field for name_field, names in HEADER_NAMES.items()
                  for name in names}
_CONTAINED = sorted(((name, name_field) for name, name_field in _NAME_TO_FIELD.items()
                     if name not in _EXACT_ONLY and len(name) >= 3),
                    key=lambda pair: -len(pair[0]))


def _header_field(header: str) -> str | None:
    """The field a header names, or None (序号 and unknown headers alike)."""
    name, _unit = _header_parts(header)
    if not name or name in IGNORED_HEADERS:
        return None
    if name in _NAME_TO_FIELD:
        return _NAME_TO_FIELD[name]
    if name.startswith(_PLANNED) or name in IGNORED_HEADERS:
        return None
    for known, known_field in _CONTAINED:
        if known in name:
            return known_field
    return None


def guess_mapping(headers: list[str]) -> dict[int, str | None]:
    """Each column's field as its header names it (index to field; ``None``: not imported).
    A field goes to one column only: the one whose header names it most plainly (exactly,
    then by the bureaus' most usual name), the first of equals."""
    claims = []
    for index, header in enumerate(headers):
        found = _header_field(header)
        if found is not None:
            name, _unit = _header_parts(header)
            exact = _NAME_TO_FIELD.get(name) == found
            names = [_normal(known) for known in HEADER_NAMES[found]]
            rank = names.index(name) if exact else len(names)
            claims.append((not exact, rank, index, found))
    guessed: dict[int, str] = {}
    for _inexact, _rank, index, found in sorted(claims):
        if found not in guessed.values():
            guessed[index] = found
    return {index: guessed.get(index) for index in range(len(headers))}


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- the rows ---------------------------------------------------------------------------------

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
            scale = _scale_of(_header_parts(header)[1])
            if scale is None:
                scale = sheet.title_scale if chosen in AMOUNT_FIELDS and sheet.title_scale \
                    else Decimal(1)
        columns.append(Column(index, _letter(index), header, chosen, scale))
    mapped = [column for column in columns if column.field is not None]
    cells_of = _CellReader()
    rows = []
    for number, cells in sheet.rows:
        if _skipped(cells):
            continue
        row = LedgerRow(number)
        for column in mapped:
            raw = cells[column.index] if column.index < len(cells) else None
            if _empty(raw):
                continue
            try:
                row.values[column.field] = cells_of.parse(column, raw)
            except _CellFault as fault:
                row.errors.append(_cell_error(number, column, fault.message))
        if row.values or row.errors:
            rows.append(row)
    return Ledger(sheet.kind, sheet.sheet_name, sheet.encoding, sheet.header_row, columns, rows)


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and (not raw.strip() or raw.strip() in _NOTHING))


def _skipped(cells: tuple[Any, ...]) -> bool:
    """A 合计/总计/小计 row, or a section heading (一、工业项目) alone in its row."""
    texts = [_normal(cell) for cell in cells if isinstance(cell, str) and cell.strip()]
    if any(_TOTAL_ROW.fullmatch(text) for text in texts[:3]):
        return True
    filled = [cell for cell in cells if not _empty(cell)]
    return len(filled) == 1 and len(texts) == 1 and bool(_SECTION_ROW.fullmatch(texts[0]))


def _cell_error(number: int, column: Column, message: str) -> CellError:
    header = column.header or column.letter
    return CellError(number, column.index, header, message, _(
        "Row %(row)d, %(column)s: %(message)s", row=number, column=header, message=message))


class _CellFault(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _CellReader:
    """Reads cells into values, with the words of the vocabularies (their labels in the
    person's language among them) and the refusals that list them, gathered once a parse."""

    def __init__(self) -> None:
        self.stages = {**_STAGE_WORDS, **_label_words(STAGES)}
        self.stage_prefixes = sorted((word for word in self.stages if len(word) >= 2),
                                     key=len, reverse=True)
        self.sectors = {**_SECTOR_WORDS, **_label_words(SECTORS)}
        self.lists = {**_THREE500_WORDS, **_label_words(THREE500)}
        self.stage_names = _labels(STAGES)
        self.sector_names = _labels(SECTORS)
        self.list_names = _labels(THREE500)

    def parse(self, column: Column, raw: Any) -> Any:
        if isinstance(raw, str) and raw.strip() in _EXCEL_ERRORS:
            raise _CellFault(_("This cell shows an Excel error (%(error)s): correct it in the "
                               "workbook.", error=raw.strip()))
        if raw is UNCALCULATED:
            raise _CellFault(_(
                "This cell holds a formula that was never calculated: open the file in Excel "
                "and save it, or paste the values instead of the formula."))
        name = column.field
        if name in NUMBER_FIELDS:
            return _amount(raw, column.scale or Decimal(1), name)
        if name in DATE_FIELDS:
            return _date(raw)
        if name in FLAG_FIELDS:
            return _flag(raw, name)
        if name == "stage":
            return self.stage(raw)
        if name == "sector":
            word = _word(raw)
            if word in self.sectors:
                return self.sectors[word]
            raise _CellFault(_("Unknown sector: write one of %(names)s.",
                               names=self.sector_names))
        if name == "three500":
            return self.three500(raw)
        return _text(raw, multiline=name in MULTILINE_FIELDS)

    def stage(self, raw: Any) -> str:
        """A stage key from the word written, which may be followed by more (已签约，正在办理土地
        手续); 未开工 and 拟签约 are no stage."""
        word = _word(raw)
        if word in self.stages:
            return self.stages[word]
        for prefix in self.stage_prefixes:
            if word.startswith(prefix):
                return self.stages[prefix]
        raise _CellFault(_("Unknown stage: write one of %(names)s.", names=self.stage_names))

    def three500(self, raw: Any) -> str | None:
        """Which of the three lists the investor is on; ``None`` for a no (否, ×)."""
        word = _word(raw) if not isinstance(raw, bool) else ("是" if raw else "否")
        if word in _NO:
            return None
        if word in self.lists:
            return self.lists[word]
        if word in _YES:
            raise _CellFault(_("Say which list: %(names)s.", names=self.list_names))
        raise _CellFault(_("Unknown list: write one of %(names)s.", names=self.list_names))


def _label_words(vocabulary: dict[str, object]) -> dict[str, str]:
    return {_normal(str(label)): key for key, label in vocabulary.items()}


def _labels(vocabulary: dict[str, object]) -> str:
    return name_list([str(label) for label in vocabulary.values()], limit=len(vocabulary))


def _text(raw: Any, *, multiline: bool) -> str:
    """A cell as text: numbers as written (2025001, not 2025001.0), dates as YYYY-MM-DD, blanks
    trimmed; outside multi-line fields, a line break that wrapped a cell is dropped between
    Chinese characters and becomes a space elsewhere."""
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if multiline:
        return "\n".join(line.strip() for line in text.split("\n"))
    parts = [line.strip() for line in text.split("\n") if line.strip()]
    joined = parts[0] if parts else ""
    for part in parts[1:]:
        glue = "" if _cjk(joined[-1]) and _cjk(part[0]) else " "
        joined += glue + part
    return joined


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _amount(raw: Any, scale: Decimal, name: str) -> int:
    """A whole number of the field's unit (万元, 万美元, 亩), rounded half up: a cell may name
    its own unit (1.5亿, 1200万元), else the column's counts."""
    if name == "land_mu":
        not_a_number = _("Enter a number, such as 120 or 85.5.")
    else:
        not_a_number = _("Enter a number, such as 1,200 or 1.5亿.")
    if isinstance(raw, bool | datetime | date):
        raise _CellFault(not_a_number)
    if isinstance(raw, int | float):
        number = Decimal(str(raw))
        if not number.is_finite():
            raise _CellFault(not_a_number)
    else:
        match = _AMOUNT.fullmatch(unicodedata.normalize("NFKC", str(raw)).strip())
        if match is None or not _NUMBER.fullmatch(match.group(2)):
            raise _CellFault(not_a_number)
        sign, digits, magnitude, _unit = match.groups()
        try:
            number = Decimal(digits.replace(",", ""))
        except InvalidOperation as error:
            raise _CellFault(not_a_number) from error
        if sign == "-":
            number = -number
        if name != "land_mu" and magnitude:
            scale = Decimal(YI_WAN) if magnitude == "亿" else Decimal(1)
        elif name != "land_mu" and _unit in ("元", "美元"):
            scale = Decimal("0.0001")
    if number < 0:
        raise _CellFault(_("It cannot be less than zero."))
    return int((number * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _date(raw: Any) -> date:
    wrong = _("Enter a date such as 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日.")
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise _CellFault(wrong)
    if isinstance(raw, int | float):
        return _serial_date(raw, wrong)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    parts = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if parts:
        try:
            return date(*(int(part) for part in parts.groups()))
        except ValueError as error:
            raise _CellFault(_("There is no such day in the calendar.")) from error
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _serial_date(float(text), wrong)
    if _MONTH_ONLY.fullmatch(text):
        raise _CellFault(_("Write the day too: a month alone is not a date."))
    raise _CellFault(wrong)


def _serial_date(number: float, wrong: str) -> date:
    """An Excel serial number (days since 1899-12-30) or a date written 20250305."""
    if float(number).is_integer() and _COMPACT_DATE.fullmatch(str(int(number))):
        return _date(str(int(number)))
    if not _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
        raise _CellFault(wrong)
    return _EXCEL_EPOCH + timedelta(days=int(number))


def _word(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _normal(str(raw))


def _flag(raw: Any, name: str) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _word(raw)
    if word in _YES:
        return True
    if word in _NO:
        return False
    if name == "foreign_invested" and word in _FOREIGN_WORDS:
        return _FOREIGN_WORDS[word]
    raise _CellFault(_("Write yes or no (是 or 否)."))
