"""A board view as the bureau's ledger (项目台账): one row per project shown, every field of its
record, as an Excel workbook and a CSV, in the reader's language.

The rows are what the board shows under the same filter, in the board's order (column by
column, each column top to bottom); the view hands them over. Headers carry their units (万元,
万美元, 亩); amounts are numbers and dates are dates (Excel dates in the workbook, ISO text in
the CSV); vocabularies are written by their labels; a text that starts with ``=`` stays text.
Exports are for staff: nothing here is redacted.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import Workbook

from wallchart.core.models import Project
from wallchart.core.stages import STAGE_ORDER
from wallchart.core.vocabulary import (
    AGREEMENT_KINDS,
    ENTERPRISE_TYPES,
    FIELD_LABELS,
    PROJECT_KINDS,
    SECTORS,
    SOURCE_CHANNELS,
    STAGES,
    THREE500,
)
from wallchart.reads.filters import LABELS, BoardFilter
from wallchart.reports.sheets import DATE, WAN, Sheet, csv_cell, layout, number_heading, saved


def _label(field: str) -> str:
    return str(FIELD_LABELS[field])


#: The headers that carry their unit, by field; any other field's header is its label.
UNIT_HEADERS: dict[str, Callable[[], str]] = {
    "investment_wan": lambda: _("Investment (10,000 yuan)"),
    "foreign_capital_usd_wan": lambda: _("Contracted foreign capital (10,000 US dollars)"),
    "land_mu": lambda: _("Land needed (mu)"),
    "increment_wan": lambda: _("Capital increase amount (10,000 yuan)"),
}


def field_header(field: str) -> str:
    """A field's header in the bureau's ledger (the export and the import's template)."""
    unit = UNIT_HEADERS.get(field)
    return unit() if unit else _label(field)


def _flag(value: bool) -> str:
    return _("Yes") if value else _("No")


def _choice(vocabulary: dict[str, object], key: str | None) -> str:
    return str(vocabulary.get(key, key)) if key else ""


def _person(user) -> str:
    return user.label if user is not None else ""


#: (header, cell format, value) of each column after 序号, in order. A header is a function, so
#: that it is said in the reader's language at the time of the request.
Column = tuple[Callable[[], str], str | None, Callable[[Project], Any]]
COLUMNS: list[Column] = [
    (lambda: _label("code"), None, lambda p: p.code or ""),
    (lambda: _label("name"), None, lambda p: p.name),
    (lambda: _label("investor"), None, lambda p: p.investor),
    (lambda: _label("origin"), None, lambda p: p.origin),
    (lambda: field_header("investment_wan"), WAN, lambda p: p.investment_wan),
    (lambda: _label("county"), None, lambda p: p.county.name if p.county else ""),
    (lambda: _label("sector"), None, lambda p: _choice(SECTORS, p.sector)),
    (lambda: _label("industry_chain"), None, lambda p: p.industry_chain),
    (lambda: _label("stage"), None, lambda p: str(STAGES[p.stage])),
    *((lambda stage=stage: _label(f"stage_dates.{stage}"), DATE,
       lambda p, stage=stage: p.stage_date(stage)) for stage in STAGE_ORDER),
    (lambda: _label("planned_on"), DATE, lambda p: p.planned_on),
    (lambda: _label("promised_start_on"), DATE, lambda p: p.promised_start_on),
    (lambda: _label("agreement_kind"), None, lambda p: _choice(AGREEMENT_KINDS,
                                                               p.agreement_kind)),
    (lambda: _label("contracted_on"), DATE, lambda p: p.contracted_on),
    (lambda: _label("project_kind"), None, lambda p: _choice(PROJECT_KINDS, p.project_kind)),
    (lambda: field_header("increment_wan"), WAN, lambda p: p.increment_wan),
    (lambda: _label("team"), None, lambda p: p.team.name if p.team else ""),
    (lambda: _label("owner"), None, lambda p: _person(p.owner)),
    (lambda: _label("enterprise_type"), None, lambda p: _choice(ENTERPRISE_TYPES,
                                                                p.enterprise_type)),
    (lambda: _label("three500"), None, lambda p: _choice(THREE500, p.three500)),
    (lambda: _label("foreign_invested"), None, lambda p: _flag(p.foreign_invested)),
    (lambda: field_header("foreign_capital_usd_wan"), WAN,
     lambda p: p.foreign_capital_usd_wan),
    (lambda: _label("new_trade_entity"), None, lambda p: _flag(p.new_trade_entity)),
    (lambda: _label("source_channel"), None, lambda p: _choice(SOURCE_CHANNELS,
                                                               p.source_channel)),
    (lambda: _label("source_detail"), None, lambda p: p.source_detail),
    (lambda: _label("contact_person"), None, lambda p: p.contact_person),
    (lambda: _label("contact_phone"), None, lambda p: p.contact_phone),
    (lambda: field_header("land_mu"), WAN, lambda p: p.land_mu),
    (lambda: _label("next_step"), None, lambda p: p.next_step),
    (lambda: _label("next_step_due"), DATE, lambda p: p.next_step_due),
    (lambda: _label("next_step_owner"), None, lambda p: _person(p.next_step_owner)),
    (lambda: _label("confidential"), None, lambda p: _flag(p.confidential)),
    (lambda: _label("description"), None, lambda p: p.description),
]
WIDTHS = [6, 14, 30, 26, 12, 14, 12, 12, 14, 12, 12, 12, 12, 12, 12, 12, 12, 14, 12, 12, 14, 12, 12,
          12, 18, 10, 14, 12, 12, 20, 10, 14, 12, 24, 12, 12, 8, 40]


def headers() -> list[str]:
    """The header row, 序号 first, units in the headers."""
    return [number_heading(), *(header() for header, _format, _value in COLUMNS)]


def row(number: int, project: Project) -> list[Any]:
    """A project's row: its 序号, then its fields, typed (numbers, dates, texts)."""
    return [number, *(value(project) for _header, _format, value in COLUMNS)]


def narrowed(board_filter: BoardFilter) -> list[str]:
    """What the view was filtered to, in words, for the title: '县市区：鹤城区、中方县'."""
    said = {
        "county": "、".join(board_filter.counties),
        "sector": _choice(SECTORS, board_filter.sector),
        "owner": board_filter.owner,
        "team": board_filter.team,
        "stage": "、".join(str(STAGES[stage]) for stage in board_filter.stages),
        "three500": _("Any Three-500 list") if board_filter.three500 == "any"
        else _choice(THREE500, board_filter.three500),
        "warning": {"any": _("Yellow or red"), "yellow": _("Yellow warnings"),
                    "red": _("Red warnings")}.get(board_filter.warning, ""),
        "q": board_filter.q,
    }
    words = []
    for name in board_filter.parameters():
        value = said.get(name, "")
        words.append(_("%(filter)s: %(value)s", filter=LABELS[name], value=value) if value
                     else str(LABELS[name]))
    return words


def title(board_filter: BoardFilter, count: int, day: date) -> str:
    """'项目台账（12 个项目）· 县市区：鹤城区 · 截至 2026-12-06'."""
    projects = ngettext("%(num)d project", "%(num)d projects", count)
    return " · ".join([_("Project ledger (%(projects)s)", projects=projects),
                       *narrowed(board_filter), _("As of %(date)s", date=day.isoformat())])


def workbook(projects: list[Project], board_filter: BoardFilter, day: date) -> bytes:
    """The .xlsx file: a title row, the header row (frozen, repeated on each printed page), one
    row per project."""
    book = Workbook()
    ws = book.active
    ws.title = _("Project ledger")
    names = headers()
    sheet = Sheet(ws, title(board_filter, len(projects), day), len(names))
    sheet.header(names)
    formats = [WAN, *(number_format for _header, number_format, _value in COLUMNS)]
    if not projects:
        sheet.data([None, _("No projects match this view.")], [None, None])
    for number, project in enumerate(projects, 1):
        sheet.data(row(number, project), formats)
    layout(ws, WIDTHS)
    return saved(book)


def csv_text(projects: list[Project]) -> str:
    """The header row and one row per project; with a byte order mark, so that Excel reads it
    as UTF-8 (Chinese) rather than the local code page."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for number, project in enumerate(projects, 1):
        writer.writerow([csv_cell(value) for value in row(number, project)])
    return "\ufeff" + out.getvalue()
