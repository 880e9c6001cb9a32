"""Scheduling meetings (调度会) as their pages, the API and the minutes read them: the list,
one meeting whole (agenda, attendees, decisions), and the decisions still open from earlier
meetings, which the next agenda starts with. Reads only.

A decision is a blocker a meeting opened (``Blocker.meeting_id``); its state for the
follow-up (督办) is ``decision_state``: said once here.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from wallchart.core.models import Blocker, DisplayToken, Meeting, MeetingItem, Project
from wallchart.extensions import db


def decision_state(decision: Blocker, day: date) -> str:
    """``done`` once its blocker is resolved; ``overdue`` when open past its due date (``day``,
    today in Asia/Shanghai); else ``open``."""
    if decision.status != "open":
        return "done"
    if decision.due_on is not None and decision.due_on < day:
        return "overdue"
    return "open"


def meetings() -> list[Meeting]:
    """Every meeting, the latest first."""
    return list(db.session.execute(
        select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())).scalars())


def decision_counts(day: date) -> dict[int, Counter]:
    """For each meeting, how many of its decisions are open, done and overdue: one query."""
    counts: dict[int, Counter] = {}
    late = (Blocker.due_on < day).label("late")
    rows = db.session.execute(
        select(Blocker.meeting_id, Blocker.status, late, func.count())
        .where(Blocker.meeting_id.is_not(None))
        .group_by(Blocker.meeting_id, Blocker.status, late))
    for meeting_id, status, late, count in rows:
        state = "done" if status != "open" else "overdue" if late else "open"
        counts.setdefault(meeting_id, Counter())[state] += count
    return counts


def find_meeting(meeting_id: object) -> Meeting | None:
    """The meeting whole: its agenda's projects, its attendees and decisions loaded with it."""
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
        return None
    return db.session.execute(
        select(Meeting).where(Meeting.id == meeting_id).options(
            selectinload(Meeting.items).joinedload(MeetingItem.project),
            selectinload(Meeting.attendees),
            selectinload(Meeting.decisions).joinedload(Blocker.project),
            joinedload(Meeting.created_by))).scalar_one_or_none()


def open_decisions(before: Meeting | None = None) -> list[Blocker]:
    """The decisions of meetings still open, on projects on the board, the earliest due first,
    their meeting and project loaded: of every meeting, or of those held ``before`` one (an
    earlier day, or the same day and prepared before it)."""
    query = (select(Blocker).join(Blocker.project).join(Blocker.meeting)
             .options(contains_eager(Blocker.meeting), contains_eager(Blocker.project))
             .where(Blocker.status == "open", Project.on_board)
             .order_by(Blocker.due_on.is_(None), Blocker.due_on, Blocker.id))
    if before is not None:
        query = query.where((Meeting.held_on < before.held_on)
                            | ((Meeting.held_on == before.held_on) & (Meeting.id < before.id)))
    return list(db.session.execute(query).unique().scalars())


def carried_over() -> list[int]:
    """The projects of every open decision, once each, in that order: an agenda's first items."""
    return list(dict.fromkeys(decision.project_id for decision in open_decisions()))


def presented() -> Meeting | None:
    """The meeting the walls show (meeting mode), whole; ``None`` when none is presented."""
    meeting_id = db.session.execute(select(Meeting.id).where(
        Meeting.current_position.is_not(None)).order_by(Meeting.id).limit(1)).scalar()
    return find_meeting(meeting_id) if meeting_id is not None else None


def wall_displays() -> list[DisplayToken]:
    """The wall displays that may show a meeting (every one not revoked), by name: the chair
    chooses among them, and each is told whether it is in the meeting."""
    return list(db.session.execute(select(DisplayToken).where(
        DisplayToken.revoked_at.is_(None)).order_by(DisplayToken.name, DisplayToken.id)).scalars())


def on_board(project_ids: list[int]) -> set[int]:
    """Which of these projects are on the board (neither deleted nor withdrawn)."""
    if not project_ids:
        return set()
    return set(db.session.execute(select(Project.id).where(
        Project.id.in_(project_ids), Project.on_board)).scalars())
