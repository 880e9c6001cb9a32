"""A ledger's cells read into the record's values: amounts in 万元 (a cell or its column may
say 亿元), dates as people and Excel write them, stages, sectors and lists in the bureaus' words,
yes and no; a cell that cannot be read raises ``CellFault`` with a message for the person."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from wallchart.core.formatting import name_list
from wallchart.core.money import YI_WAN
from wallchart.core.vocabulary import AGREEMENT_KINDS, PROJECT_KINDS, SECTORS, STAGES, THREE500
from wallchart.services.ledger.files import UNCALCULATED
from wallchart.services.ledger.headers import (
    DATE_FIELDS,
    FLAG_FIELDS,
    MULTILINE_FIELDS,
    NUMBER_FIELDS,
    Column,
    normal,
)

#: What Excel shows in a cell whose formula failed.
_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                           "#SPILL!", "#CALC!", "#GETTING_DATA"})
#: What a ledger writes in a cell that has nothing to say.
NOTHING = frozenset({"-", "—", "——", "–", "/", "\\", "--"})

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

#: The counting kinds (``core.counting``) in the bureaus' words, besides their labels.
_KIND_WORDS: dict[str, dict[str, str]] = {
    "agreement_kind": {"框架协议": "framework", "框架": "framework", "合作框架协议": "framework",
                       "战略合作协议": "framework", "投资协议": "contract", "合同": "contract",
                       "投资合同": "contract", "正式合同": "contract", "补充协议": "supplementary",
                       "补充": "supplementary"},
    "project_kind": {"新建": "new", "新建项目": "new", "增资": "capital_increase",
                     "增资扩股": "capital_increase", "增资项目": "capital_increase",
                     "升格": "upgrade", "升格项目": "upgrade"},
}

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


def empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and (not raw.strip() or raw.strip() in NOTHING))


class CellFault(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CellReader:
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
        self.kinds = {name: {**words, **_label_words(vocabulary)} for (name, words), vocabulary
                      in zip(_KIND_WORDS.items(), (AGREEMENT_KINDS, PROJECT_KINDS), strict=True)}
        self.kind_names = {"agreement_kind": _labels(AGREEMENT_KINDS),
                           "project_kind": _labels(PROJECT_KINDS)}

    def parse(self, column: Column, raw: Any) -> Any:
        if isinstance(raw, str) and raw.strip() in _EXCEL_ERRORS:
            raise CellFault(_("This cell shows an Excel error (%(error)s): correct it in the "
                               "workbook.", error=raw.strip()))
        if raw is UNCALCULATED:
            raise CellFault(_(
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
            raise CellFault(_("Unknown sector: write one of %(names)s.",
                               names=self.sector_names))
        if name == "three500":
            return self.three500(raw)
        if name in self.kinds:
            word = _word(raw)
            if word in self.kinds[name]:
                return self.kinds[name][word]
            raise CellFault(_("Unknown kind: write one of %(names)s.",
                               names=self.kind_names[name]))
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
        raise CellFault(_("Unknown stage: write one of %(names)s.", names=self.stage_names))

    def three500(self, raw: Any) -> str | None:
        """Which of the three lists the investor is on; ``None`` for a no (否, ×)."""
        word = _word(raw) if not isinstance(raw, bool) else ("是" if raw else "否")
        if word in _NO:
            return None
        if word in self.lists:
            return self.lists[word]
        if word in _YES:
            raise CellFault(_("Say which list: %(names)s.", names=self.list_names))
        raise CellFault(_("Unknown list: write one of %(names)s.", names=self.list_names))


def _label_words(vocabulary: dict[str, object]) -> dict[str, str]:
    return {normal(str(label)): key for key, label in vocabulary.items()}


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
        raise CellFault(not_a_number)
    if isinstance(raw, int | float):
        number = Decimal(str(raw))
        if not number.is_finite():
            raise CellFault(not_a_number)
    else:
        match = _AMOUNT.fullmatch(unicodedata.normalize("NFKC", str(raw)).strip())
        if match is None or not _NUMBER.fullmatch(match.group(2)):
            raise CellFault(not_a_number)
        sign, digits, magnitude, _unit = match.groups()
        try:
            number = Decimal(digits.replace(",", ""))
        except InvalidOperation as error:
            raise CellFault(not_a_number) from error
        if sign == "-":
            number = -number
        if name != "land_mu" and magnitude:
            scale = Decimal(YI_WAN) if magnitude == "亿" else Decimal(1)
        elif name != "land_mu" and _unit in ("元", "美元"):
            scale = Decimal("0.0001")
    if number < 0:
        raise CellFault(_("It cannot be less than zero."))
    return int((number * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _date(raw: Any) -> date:
    wrong = _("Enter a date such as 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日.")
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise CellFault(wrong)
    if isinstance(raw, int | float):
        return _serial_date(raw, wrong)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    parts = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if parts:
        try:
            return date(*(int(part) for part in parts.groups()))
        except ValueError as error:
            raise CellFault(_("There is no such day in the calendar.")) from error
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _serial_date(float(text), wrong)
    if _MONTH_ONLY.fullmatch(text):
        raise CellFault(_("Write the day too: a month alone is not a date."))
    raise CellFault(wrong)


def _serial_date(number: float, wrong: str) -> date:
    """An Excel serial number (days since 1899-12-30) or a date written 20250305."""
    if float(number).is_integer() and _COMPACT_DATE.fullmatch(str(int(number))):
        return _date(str(int(number)))
    if not _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
        raise CellFault(wrong)
    return _EXCEL_EPOCH + timedelta(days=int(number))


def _word(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return normal(str(raw))


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
    raise CellFault(_("Write yes or no (是 or 否)."))
