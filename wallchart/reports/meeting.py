"""The lists the scheduling meeting (调度会) takes on paper: the open blockers and the workload,
as Excel workbooks, each holding what its page shows (the same rows, filters and order; the
page's view hands them over), with a 序号 column and the numbers as numbers."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook

from wallchart.core.early_warnings import blocker_age_days, blocker_overdue
from wallchart.core.models import Blocker
from wallchart.core.money import YI_WAN
from wallchart.core.vocabulary import BLOCKER_KINDS, STAGES
from wallchart.reads.queries import OwnerLoad, Workload
from wallchart.reports.sheets import (
    DATE,
    TOTAL_BORDER,
    TOTAL_FILL,
    WAN,
    YI,
    Sheet,
    layout,
    number_heading,
    saved,
)


def _title(name: str, narrowed: list[str], day: date) -> str:
    """'待协调事项 · 鹤城区 · 截至 2026-12-06': the list, what it is narrowed to, and when."""
    return " · ".join([name, *narrowed, _("As of %(date)s", date=day.isoformat())])


def blockers_workbook(found: list[Blocker], narrowed: list[str], day: date) -> bytes:
    """The open blockers as the page lists them (``narrowed``: the county and department it is
    filtered to, if any): one row each, its age in days, the overdue ones marked."""
    book = Workbook()
    ws = book.active
    ws.title = _("Open blockers")
    headers = [number_heading(), _("Project"), _("County / district"), _("Team"), _("Kind"),
               _("Department"), _("What is stuck"), _("Raised on"), _("Age (days)"),
               _("Due by"), _("Overdue")]
    sheet = Sheet(ws, _title(_("Open blockers"), narrowed, day), len(headers))
    sheet.header(headers)
    formats = [WAN, None, None, None, None, None, None, DATE, WAN, DATE, None]
    if not found:
        sheet.data([None, _("No open blockers.")], [None, None])
    for number, blocker in enumerate(found, 1):
        project = blocker.project
        sheet.data([number, project.name, project.county.name if project.county else "",
                    project.team.name if project.team else "",
                    str(BLOCKER_KINDS.get(blocker.kind, blocker.kind)), blocker.department,
                    blocker.description, blocker.raised_on, blocker_age_days(blocker, day),
                    blocker.due_on, _("Yes") if blocker_overdue(blocker, day) else ""],
                   formats)
    layout(ws, [6, 30, 12, 12, 12, 18, 40, 12, 10, 12, 10])
    return saved(book)


def _load_values(load: OwnerLoad) -> list[int | float]:
    """A workload row's figures: projects per stage, all stages, investment (亿元), stalled."""
    return [*(load.counts.get(stage, 0) for stage in STAGES), load.total,
            load.investment_wan / YI_WAN, load.stalled]


def workload_workbook(load: Workload, narrowed: list[str], day: date,
                      note: str | None = None) -> bytes:
    """The workload as the page shows it (``narrowed``: the team, if one): per owner the
    projects on the board by stage, their investment and how many are stalled; then the
    projects nobody owns and the total; ``note`` (what "stalled" means) under the table."""
    book = Workbook()
    ws = book.active
    ws.title = _("Workload")
    headers = [number_heading(), _("Owner"), *(str(label) for label in STAGES.values()),
               _("All stages"), _("Investment (100 million yuan)"), _("Stalled")]
    sheet = Sheet(ws, _title(_("Workload"), narrowed, day), len(headers))
    sheet.header(headers)
    formats = [WAN, None, *(WAN for _stage in STAGES), WAN, YI, WAN]
    for number, row in enumerate(load.owners, 1):
        owner = row.owner.label if row.owner.active else _("%(name)s (disabled)",
                                                           name=row.owner.label)
        sheet.data([number, owner, *_load_values(row)], formats)
    sheet.data([None, _("No owner"), *_load_values(load.unowned)], formats)
    sheet.data([None, _("Total"), *_load_values(load.total)], formats, TOTAL_FILL, TOTAL_BORDER)
    if note:
        sheet.skip()
        sheet.data([None, note], [None, None])
    layout(ws, [6, 18, *(10 for _stage in STAGES), 10, 14, 8])
    return saved(book)
