"""The minutes of a scheduling meeting (会议纪要), in the bureau's layout: the title, the date,
who attended, then for each project of the agenda its situation and the decisions taken on it,
with the department responsible, the due date, who follows it up and its state. One
``Minutes`` feeds the printable page and the Word document (python-docx) alike. Reads only.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _
from flask_babel import ngettext

from wallchart.core.early_warnings import warning_for
from wallchart.core.formatting import money
from wallchart.core.models import Blocker, Meeting, Project
from wallchart.core.vocabulary import DECISION_STATES, STAGES
from wallchart.reads.meetings import decision_state

#: The bureau's documents are set in FangSong, headings in SimHei (Word substitutes a font the
#: reader lacks).
BODY_FONT, HEADING_FONT = "仿宋", "黑体"


@dataclass(frozen=True)
class Decision:
    """A decision as the minutes print it, its state on the day they are made."""

    blocker: Blocker
    state: str

    @property
    def state_label(self) -> str:
        return str(DECISION_STATES[self.state])


@dataclass(frozen=True)
class Item:
    """A project of the agenda: the lines of its situation, and its decisions."""

    number: int
    project: Project
    situation: list[str]
    decisions: list[Decision]


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    attendees: list[str]
    items: list[Item]
    day: date

    @property
    def filename(self) -> str:
        return f"{_('Minutes')}_{self.meeting.title}_{self.meeting.held_on.isoformat()}.docx"


def situation(project: Project, day: date, config: Mapping[str, Any]) -> list[str]:
    """Where the project stands: stage, county and investment; its lights with their reasons;
    its open blockers; its next step."""
    county = project.county.name if project.county else _("no county")
    lines = [" · ".join([str(STAGES[project.stage]), county, money(project.investment_wan)])]
    if not project.on_board:
        lines.append(_("No longer on the board."))
    warning = warning_for(project, day, config)
    if warning.colour:
        colour = _("Red") if warning.colour == "red" else _("Yellow")
        lines.append(_("%(colour)s light: %(reasons)s", colour=colour,
                       reasons="; ".join(warning.reasons)))
    if project.open_blockers:
        lines.append(ngettext("%(num)d open blocker", "%(num)d open blockers",
                              project.open_blockers))
    if project.next_step:
        due = (_(" (due %(date)s)", date=project.next_step_due.isoformat())
               if project.next_step_due else "")
        lines.append(_("Next step: %(step)s", step=project.next_step) + due)
    return lines


def minutes_of(meeting: Meeting, day: date, config: Mapping[str, Any]) -> Minutes:
    """The minutes of ``meeting`` (loaded whole, ``reads.meetings.find_meeting``) on ``day``:
    the agenda's projects in order, then any project decided on but taken off the agenda."""
    projects = [item.project for item in meeting.items]
    seen = {project.id for project in projects}
    for decision in meeting.decisions:
        if decision.project_id not in seen:
            seen.add(decision.project_id)
            projects.append(decision.project)
    items = [Item(number, project, situation(project, day, config),
                  [Decision(decision, decision_state(decision, day))
                   for decision in meeting.decisions if decision.project_id == project.id])
             for number, project in enumerate(projects, start=1)]
    attendees = [user.label for user in meeting.attendees]
    if meeting.guests:
        attendees.append(meeting.guests)
    return Minutes(meeting, attendees, items, day)


def _fonts(document) -> None:
    for name, font in (("Normal", BODY_FONT), ("Title", HEADING_FONT),
                       ("Heading 1", HEADING_FONT), ("Heading 2", HEADING_FONT)):
        style = document.styles[name]
        style.font.name = font
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    document.styles["Normal"].font.size = Pt(12)


def minutes_docx(minutes: Minutes) -> bytes:
    """The minutes as a Word document: the title centred, the date and the attendees, then
    per project a heading, its situation and a table of its decisions."""
    document = Document()
    _fonts(document)
    meeting = minutes.meeting
    title = document.add_heading(meeting.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_("Minutes"), style="Subtitle").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_("Date: %(date)s", date=meeting.held_on.isoformat()))
    document.add_paragraph(_("Attendees: %(names)s",
                             names="、".join(minutes.attendees) or _("none recorded")))
    if not minutes.items:
        document.add_paragraph(_("The agenda is empty."))
    for item in minutes.items:
        document.add_heading(f"{item.number}. {item.project.name}", level=2)
        for line in item.situation:
            document.add_paragraph(line)
        if not item.decisions:
            document.add_paragraph(_("No decision."))
            continue
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, heading in zip(table.rows[0].cells, (
                _("Decision"), _("Department responsible"), _("Due"), _("Followed up by"),
                _("State")), strict=True):
            cell.text = heading
        for decision in item.decisions:
            blocker = decision.blocker
            for cell, value in zip(table.add_row().cells, (
                    blocker.description, blocker.department,
                    blocker.due_on.isoformat() if blocker.due_on else "—",
                    blocker.follow_up or "—", decision.state_label), strict=True):
                cell.text = value
    document.add_paragraph(_("Printed %(date)s", date=minutes.day.isoformat()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
