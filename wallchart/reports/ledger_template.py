"""The import's template (导入模板): a ledger a county can fill in and bring back as it is.

Its columns are the fields the import reads, under the export's headers (units in them); one
example row; a note on each header and a sheet of instructions saying each column's unit, form
and allowed values; and the columns of a list (stages, counties, sectors, teams, the 500 lists,
yes/no) carry Excel's drop-down validation, whose values stand on a hidden sheet (a list written
inline may hold only 255 characters). Read back, every column is recognised without asking.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from wallchart.core.vocabulary import AGREEMENT_KINDS, PROJECT_KINDS, SECTORS, STAGES, THREE500
from wallchart.reads import queries
from wallchart.reports.ledger import field_header
from wallchart.reports.sheets import DATE, WAN, Sheet, layout, saved

#: The header's row (below the title) and how many rows under it carry the drop-down lists.
HEADER_ROW = 2
VALIDATED_ROWS = 2000


def _choices() -> dict[str, list[str]]:
    """The allowed values of each field that has a list."""
    yes_no = [_("Yes"), _("No")]
    return {
        "stage": [str(label) for label in STAGES.values()],
        "county": [county.name for county in queries.counties()],
        "sector": [str(label) for label in SECTORS.values()],
        "team": [team.name for team in queries.teams()],
        "three500": [*(str(label) for label in THREE500.values()), _("No")],
        "foreign_invested": yes_no,
        "agreement_kind": [str(label) for label in AGREEMENT_KINDS.values()],
        "project_kind": [str(label) for label in PROJECT_KINDS.values()],
    }


def _notes() -> dict[str, str]:
    """What a field's cells hold, for the fields whose form is not plain text."""
    dates = _("A date: 2026-03-05, 2026年3月5日, 2026/3/5 or an Excel date.")
    return {
        "code": _("Optional. A project with this code is updated rather than created again."),
        "name": _("Required."),
        "investment_wan": _("A number, in 10,000 yuan (万元); a header saying 亿元 is read "
                            "in 亿元."),
        "foreign_capital_usd_wan": _("A number, in 10,000 US dollars (万美元)."),
        "land_mu": _("A number, in mu (亩)."),
        "increment_wan": _("A number, in 10,000 yuan (万元): a capital increase's increment."),
        "contracted_on": dates,
        "owner": _("A user's username or name."),
        "team": _("Optional when you belong to one team only."),
        **{name: dates for name in ("stage_dates.contact", "stage_dates.negotiating",
                                    "stage_dates.signed", "stage_dates.started",
                                    "stage_dates.producing")},
    }


def _example(choices: dict[str, list[str]], day: date) -> dict[str, Any]:
    """One project as a county would write it, valid by the form's rules."""
    first = lambda name: choices[name][0] if choices[name] else None  # noqa: E731
    return {
        "code": "2026-001", "name": _("Example: smart equipment industrial park"),
        "investor": _("Example Smart Manufacturing Co., Ltd."), "investment_wan": 120000,
        "county": first("county"), "sector": first("sector"),
        "stage": str(STAGES["negotiating"]), "stage_dates.contact": date(day.year, 1, 5),
        "stage_dates.negotiating": date(day.year, 2, 1),
        "team": first("team"), "foreign_invested": _("No"), "three500": _("No"),
        "origin": _("Shenzhen, Guangdong"), "industry_chain": _("Intelligent equipment"),
        "contact_person": _("Manager Zhang"), "contact_phone": "0745-1234567", "land_mu": 200,
        "description": _("Delete this example row before importing."),
    }


def workbook(fields: list[str], day: date) -> bytes:
    """The template for these fields (in this order), with an example dated in ``day``'s
    year."""
    choices = _choices()
    notes = _notes()
    example = _example(choices, day)
    book = Workbook()
    ws = book.active
    ws.title = _("Project ledger")
    headers = [field_header(name) for name in fields]
    sheet = Sheet(ws, _("Project ledger: import template (one row a project; unit 10,000 "
                        "yuan)"), len(headers))
    sheet.header(headers)
    formats = [DATE if name.startswith("stage_dates.") or name == "contracted_on" else
               WAN if name in ("investment_wan", "foreign_capital_usd_wan", "land_mu",
                               "increment_wan") else None
               for name in fields]
    sheet.data([example.get(name) for name in fields], formats)
    lists = book.create_sheet(_("Allowed values"))
    lists.sheet_state = "hidden"
    guide = book.create_sheet(_("Instructions"))
    guide.append([_("Column"), _("What to write"), _("Allowed values")])
    for index, name in enumerate(fields, 1):
        allowed = choices.get(name)
        note = notes.get(name, "")
        if allowed is not None:
            _validate(ws, lists, index, headers[index - 1], allowed, list(choices).index(name))
        said = "、".join(allowed or [])
        guide.append([headers[index - 1], note, said])
        text = "\n".join(part for part in (note, said and _("Allowed: %(values)s",
                                                             values=said)) if part)
        if text:
            ws.cell(HEADER_ROW, index).comment = Comment(text, "Wallchart", width=260, height=140)
    layout(ws, [max(12, len(header) * 2 + 2) for header in headers])
    layout(guide, [24, 60, 60])
    guide.freeze_panes = "A2"
    return saved(book)


def _validate(ws, lists, column: int, header: str, allowed: list[str], at: int) -> None:
    """A drop-down of ``allowed`` on the column's data cells, its values in column ``at``
    (0-based) of the hidden sheet."""
    letter = get_column_letter(at + 1)
    for row, value in enumerate(allowed, 1):
        lists.cell(row, at + 1, value)
    if not allowed:
        return
    source = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(allowed)}"
    validation = DataValidation(type="list", formula1=source, allow_blank=True,
                                showErrorMessage=True, errorTitle=header,
                                error=_("Choose a value from the list."))
    target = get_column_letter(column)
    validation.add(f"{target}{HEADER_ROW + 1}:{target}{HEADER_ROW + VALIDATED_ROWS}")
    ws.add_data_validation(validation)
