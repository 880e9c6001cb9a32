"""Meeting mode (会议模式): what a wall shows of the agenda item the chair has put up — the
project's record, its stage dates, its light with the reasons, its open blockers and next step,
its funds in place where known, the decisions of the meeting on it, and its county's projects
by stage; or, when the chair put one up instead, the wall's county ranking or blocker list
(``reports.wall_views``). Only the walls the chair chose show it (``for_display``). Reads only.

A lobby screen sees what it sees of the project elsewhere: a confidential project without its
investor, amount or funds (``wall_views.hidden``), no blocker's or decision's text (the lobby's
attention view shows none either), and its county's projects counted as its board counts them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from wallchart.core.early_warnings import blocker_overdue, warning_for
from wallchart.core.formatting import money
from wallchart.core.models import Blocker, DisplayToken, FundReceipt, Meeting, Project
from wallchart.core.stages import stage_index
from wallchart.core.vocabulary import MEETING_VIEWS, STAGES
from wallchart.extensions import db
from wallchart.reads.meetings import decision_state, presented
from wallchart.reports import wall_views
from wallchart.reports.wall_views import hidden


def _funds_wan(project: Project) -> int | None:
    """The funds in place on a signed (or later) project; ``None`` before its signing."""
    if stage_index(project.stage) < stage_index("signed"):
        return None
    return db.session.execute(select(func.coalesce(func.sum(FundReceipt.amount_wan), 0)).where(
        FundReceipt.project_id == project.id, FundReceipt.removed_at.is_(None))).scalar_one()


def _county(project: Project) -> list[tuple[str, int]]:
    """The projects on the board of the project's county, stage by stage."""
    if project.county_id is None:
        return []
    counts = dict(db.session.execute(
        select(Project.stage, func.count()).where(Project.on_board,
                                                  Project.county_id == project.county_id)
        .group_by(Project.stage)).all())
    return [(stage, counts.get(stage, 0)) for stage in STAGES]


def for_display(display: DisplayToken, day: date) -> dict[str, Any] | None:
    """What this wall display shows of the meeting on the walls: ``None`` unless the chair
    chose it (``DisplayToken.in_meeting``)."""
    return screen(display.profile, day) if display.in_meeting else None


def screen(profile: str, day: date, meeting: Meeting | None = None) -> dict[str, Any] | None:
    """What ``partials/wall_meeting.html`` shows on a screen of ``profile``; ``None`` when no
    meeting is on the walls (or its agenda is empty). The chair may have put up a wall view
    (``Meeting.shown_view``) instead of the item: its context, as the wall's rotation has it,
    under the meeting's title (``shown_view``)."""
    meeting = meeting or presented()
    if meeting is None or meeting.current_position is None or not meeting.items:
        return None
    if meeting.shown_view in MEETING_VIEWS:
        return {**wall_views.view_context(meeting.shown_view, profile, day),
                "meeting": meeting, "shown_view": meeting.shown_view,
                "shown_label": MEETING_VIEWS[meeting.shown_view]}
    position = min(meeting.current_position, len(meeting.items) - 1)
    project = meeting.items[position].project
    secret = hidden(project, profile)
    lobby = profile == "lobby"
    open_blockers = db.session.execute(
        select(Blocker).where(Blocker.project_id == project.id, Blocker.status == "open")
        .order_by(Blocker.due_on.is_(None), Blocker.due_on, Blocker.id)).scalars().all()
    funds = None if secret else _funds_wan(project)
    return {
        "meeting": meeting, "position": position, "count": len(meeting.items),
        "project": project, "secret": secret, "lobby": lobby,
        "amount": None if secret else money(project.investment_wan),
        "investor": None if secret else project.investor,
        "funds": None if funds is None else money(funds),
        "stage_dates": [(stage, project.stage_date(stage)) for stage in STAGES],
        "warning": warning_for(project, day, current_app.config),
        "blockers": [(blocker, blocker_overdue(blocker, day)) for blocker in open_blockers],
        "decisions": [(decision, decision_state(decision, day))
                      for decision in meeting.decisions if decision.project_id == project.id],
        "county": _county(project),
    }
