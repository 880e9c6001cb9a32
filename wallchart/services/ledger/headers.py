"""What each column of a ledger holds: the fields a person may choose, the names bureaus give
them in their headers (compared without blanks, units or case), and the unit a header declares
for its amounts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from wallchart.core.money import YI_WAN
from wallchart.core.vocabulary import FIELD_LABELS

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
    "promised_start_on": FIELD_LABELS["promised_start_on"],
    "agreement_kind": FIELD_LABELS["agreement_kind"],
    "contracted_on": FIELD_LABELS["contracted_on"],
    "project_kind": FIELD_LABELS["project_kind"],
    "increment_wan": FIELD_LABELS["increment_wan"],
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
AMOUNT_FIELDS = frozenset({"investment_wan", "foreign_capital_usd_wan", "increment_wan"})
NUMBER_FIELDS = AMOUNT_FIELDS | {"land_mu"}
DATE_FIELDS = frozenset(name for name in LEDGER_FIELDS if name.startswith("stage_dates.")
                        or name in ("promised_start_on", "contracted_on"))
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
    "stage_dates.negotiating": ("洽谈时间", "在谈时间", "洽谈日期", "在谈日期", "进入在谈日期",
                                "negotiationstartdate", "negotiationdate"),
    "stage_dates.signed": ("签约时间", "签约日期", "签订时间", "签订日期", "signingdate",
                           "signedon", "signeddate", "datesigned"),
    "stage_dates.started": ("开工时间", "开工日期", "实际开工时间", "constructionstartdate",
                            "startdate", "startedon"),
    "stage_dates.producing": ("投产时间", "竣工投产时间", "投产日期", "竣工时间", "竣工投产日期",
                              "productiondate", "producingon", "completiondate"),
    "promised_start_on": ("约定开工时间", "约定开工日期", "协议约定开工时间", "协议约定开工日期",
                          "承诺开工日期", "承诺开工时间", "合同约定开工时间", "合同约定开工日期",
                          "promisedstartdate", "promisedstart"),
    "agreement_kind": ("协议类型", "签约协议类型", "协议性质", "签约类型", "agreementkind",
                       "kindofagreement"),
    "contracted_on": ("转为合同日期", "转为合同时间", "转化为合同日期", "转化为合同时间",
                      "转合同日期", "转合同时间", "contractedon", "dateitbecameacontract"),
    "project_kind": ("项目类型", "项目性质", "建设性质", "projectkind", "kindofproject"),
    "increment_wan": ("增资额", "增资金额", "新增投资额", "增资", "capitalincreaseamount",
                      "increment"),
    "owner": ("责任人", "项目责任人", "负责人", "包抓领导", "owner", "personincharge"),
    "team": ("专班", "工作专班", "责任专班", "所属专班", "team", "taskteam"),
    "foreign_invested": ("外资", "是否外资", "是否外资项目", "外资项目", "外资企业",
                         "foreign-invested", "foreigninvested"),
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



def normal(text: str) -> str:
    """Text compared as a word: NFKC (full-width letters and digits), no blanks, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def header_parts(header: str) -> tuple[str, str]:
    """A header's name and its unit: '总投资（亿元）' -> ('总投资', '亿元'); '投资额/万元' too."""
    text = normal(header).lstrip("*※")
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


def scale_of(unit: str) -> Decimal | None:
    """The 万 one unit is worth: 亿(美)元 10000, 万(美)元 1, (美)元 0.0001; None if unnamed."""
    unit = normal(unit)
    if "亿" in unit or "100million" in unit or "100m" in unit:
        return Decimal(YI_WAN)
    if "万" in unit or re.search(r"10,?000|10k|tenthousand", unit):
        return Decimal(1)
    if unit.endswith(("元", "yuan", "dollars", "usd", "rmb", "cny")):
        return Decimal("0.0001")
    return None


_UNIT = re.compile(r"元|亩|单位|yuan|dollar|usd|rmb|cny|mu\b")
_NAME_TO_FIELD = {normal(name): name_field for name_field, names in HEADER_NAMES.items()
                  for name in names}
_CONTAINED = sorted(((name, name_field) for name, name_field in _NAME_TO_FIELD.items()
                     if name not in _EXACT_ONLY and len(name) >= 3),
                    key=lambda pair: -len(pair[0]))


def header_field(header: str) -> str | None:
    """The field a header names, or None (序号 and unknown headers alike)."""
    name, _unit = header_parts(header)
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
        found = header_field(header)
        if found is not None:
            name, _unit = header_parts(header)
            exact = _NAME_TO_FIELD.get(name) == found
            names = [normal(known) for known in HEADER_NAMES[found]]
            rank = names.index(name) if exact else len(names)
            claims.append((not exact, rank, index, found))
    guessed: dict[int, str] = {}
    for _inexact, _rank, index, found in sorted(claims):
        if found not in guessed.values():
            guessed[index] = found
    return {index: guessed.get(index) for index in range(len(headers))}
