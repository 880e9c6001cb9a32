"""The weekly report: what changed on the wall in one week (Monday to Sunday, Asia/Shanghai).

From the history (``ProjectEvent``): projects created, moved forward, moved back and withdrawn
during the week, each move as it happened (a project moved twice is listed twice), and the
framework agreements that became contracts (协议项目转化为合同项目, listed in the stage they
are in now). Deleted
projects are left out, as everywhere in the reports.

"Stalled" are the cards that turned yellow or red during the week, or went from yellow to red:
their colour (``warnings.colour_expression``) at the week's last day — today, for the running
week — is worse than on the Sunday before the week. Both colours are judged from the rows as
they are now (the history does not keep notes' and blockers' dates), so for a past week a card
that got a note since counts as it reads today.

"Past their promised start" (超过约定开工日期未开工) are the signed projects whose promised start
lies before the week's last day (today, for the running week), with their promise light then.

Blockers (协调事项) raised during the week are those entered during it (the date it says it was
raised may be earlier: a matter noted late); resolved ones, those closed during it. The
decisions of scheduling meetings followed up (督办) are those still open and due by the week's
last day, and those done during it, each with its state on that day (today, for the running
week; a decision done since a past week reads as it is now).
Four SQL statements, whatever the week holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager

from wallchart.core.early_warnings import (
    colour_expression,
    promise_light,
    promise_past_condition,
    warning_for,
)
from wallchart.core.errors import Invalid
from wallchart.core.formatting import date_span
from wallchart.core.models import Blocker, County, Project, ProjectEvent, User
from wallchart.core.stages import is_forward
from wallchart.core.timeutil import SHANGHAI, today
from wallchart.core.vocabulary import WITHDRAW_REASONS
from wallchart.extensions import db
from wallchart.reads.meetings import decision_state
from wallchart.reports.indicators import period_from_args


@dataclass(frozen=True)
class Week:
    """Monday to Sunday."""

    start: date

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def previous(self) -> Week:
        return Week(self.start - timedelta(days=7))

    @property
    def next(self) -> Week:
        return Week(self.start + timedelta(days=7))

    @property
    def label(self) -> str:
        """'2026年第23周（2026年6月1日至6月7日）' / 'Week 23 of 2026, Jun 1 – Jun 7, 2026'."""
        year, number, _weekday = self.start.isocalendar()
        return _("Week %(number)d of %(year)d, %(span)s", number=number, year=year,
                 span=date_span(self.start, self.end))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The week as stored times: from Monday 00:00 to the next Monday 00:00, Shanghai."""
        def utc(day: date) -> datetime:
            moment = datetime.combine(day, time.min, tzinfo=SHANGHAI)
            return moment.astimezone(UTC).replace(tzinfo=None)
        return utc(self.start), utc(self.start + timedelta(days=7))


def week_of(day: date) -> Week:
    return Week(day - timedelta(days=day.weekday()))


def week_from_args(args: Mapping[str, str]) -> Week:
    """``?week=YYYY-MM-DD``, any day of the week; this week by default. Raises Invalid (422)."""
    text = args.get("week", "")
    if not text:
        return week_of(today())
    try:  # the same date rules as a report's period
        day = period_from_args({"from": text, "to": text}).start
    except Invalid as error:
        reason = next(iter(error.fields.values()))
        raise Invalid(_("The week is not valid: %(reason)s", reason=reason),
                      {"week": reason}) from None
    return week_of(day)


@dataclass(frozen=True)
class Change:
    """One event of the week, with the project as it reads now; ``reason``: the one the person
    gave (for a withdrawal, its reason from the list, with the comment)."""

    project_id: int
    name: str
    county: str | None
    at: datetime
    by: str
    from_stage: str | None
    to_stage: str | None
    reason: str | None


@dataclass(frozen=True)
class Stalled:
    project: Project
    colour: str
    before: str | None
    reasons: list[str]


@dataclass
class WeeklyChanges:
    created: list[Change] = field(default_factory=list)
    advanced: list[Change] = field(default_factory=list)
    moved_back: list[Change] = field(default_factory=list)
    withdrawn: list[Change] = field(default_factory=list)
    converted: list[Change] = field(default_factory=list)
    stalled: list[Stalled] = field(default_factory=list)
    past_promise: list[Stalled] = field(default_factory=list)
    blockers_raised: list[Blocker] = field(default_factory=list)
    blockers_resolved: list[Blocker] = field(default_factory=list)
    #: Meeting decisions followed up, each with its state (``reads.meetings.decision_state``).
    decisions: list[tuple[Blocker, str]] = field(default_factory=list)


def _withdrawal(changes: dict | None, comment: str | None) -> str | None:
    """Why a project was withdrawn, as its history keeps it: the reason chosen from the list,
    then the comment."""
    chosen = (changes or {}).get("withdrawn_reason")
    key = chosen[-1] if isinstance(chosen, list) and chosen else None
    label = str(WITHDRAW_REASONS[key]) if key in WITHDRAW_REASONS else None
    if label and comment:
        return _("%(reason)s (%(comment)s)", reason=label, comment=comment)
    return label or comment


def _events(week: Week, changes: WeeklyChanges) -> None:
    start, end = week.utc_bounds()
    moved = and_(ProjectEvent.action == "moved", ProjectEvent.from_stage != ProjectEvent.to_stage)
    query = (
        select(ProjectEvent.project_id, ProjectEvent.action, ProjectEvent.from_stage,
               ProjectEvent.to_stage, ProjectEvent.at, ProjectEvent.reason, ProjectEvent.changes,
               Project.name, Project.stage, County.name, User.display_name, User.username)
        .join(Project, ProjectEvent.project_id == Project.id)
        .outerjoin(County, Project.county_id == County.id)
        .outerjoin(User, ProjectEvent.user_id == User.id)
        .where(ProjectEvent.at >= start, ProjectEvent.at < end, Project.deleted_at.is_(None),
               or_(ProjectEvent.action.in_(("created", "withdrawn", "converted")), moved))
        .order_by(ProjectEvent.at, ProjectEvent.id)
    )
    for (project_id, action, from_stage, to_stage, at, reason, recorded, name, stage, county,
         display_name, username) in db.session.execute(query):
        if action == "withdrawn":
            reason = _withdrawal(recorded, reason)
        change = Change(project_id, name, county, at, display_name or username or _("system"),
                        from_stage, stage if action == "converted" else to_stage, reason)
        if action == "converted":
            changes.converted.append(change)
        elif action == "created":
            changes.created.append(change)
        elif action == "withdrawn":
            changes.withdrawn.append(change)
        elif is_forward(from_stage, to_stage):
            changes.advanced.append(change)
        else:
            changes.moved_back.append(change)


def _stalled(week: Week, changes: WeeklyChanges) -> None:
    as_of = min(week.end, today())
    if as_of < week.start:  # a week still to come
        return
    config = current_app.config
    now = colour_expression(as_of, config)
    before = colour_expression(week.start - timedelta(days=1), config)
    # Worse than before: warned now and not before, or red now and yellow before. Decided in
    # SQL, so that only those cards load (most of a stale wall is yellow all along).
    worse = and_(now.is_not(None), or_(before.is_(None), and_(now == "red", before == "yellow")))
    query = (select(Project, now, before)
             .where(Project.on_board, worse)
             .order_by(Project.name, Project.id))
    for project, colour, previous in db.session.execute(query):
        changes.stalled.append(Stalled(project, colour, previous,
                                       warning_for(project, as_of, config).reasons))


def _past_promise(week: Week, changes: WeeklyChanges) -> None:
    """Signed projects past their promised start on the week's last day, longest late first
    (none for a week still to come)."""
    as_of = min(week.end, today())
    if as_of < week.start:
        return
    query = (select(Project).where(Project.on_board, promise_past_condition(as_of))
             .order_by(Project.promised_start_on, Project.name, Project.id))
    for project in db.session.execute(query).scalars():
        light = promise_light(project, as_of)
        changes.past_promise.append(Stalled(project, light.colour, None, light.reasons))


def _blockers(week: Week, changes: WeeklyChanges) -> None:
    """Blockers entered during the week (by the day they say they were raised), and those
    resolved during it (by the day they were closed): one statement."""
    start, end = week.utc_bounds()
    entered = and_(Blocker.created_at >= start, Blocker.created_at < end)
    closed = and_(Blocker.status == "resolved", Blocker.resolved_on.between(week.start, week.end))
    followed = and_(Blocker.meeting_id.is_not(None), Blocker.status == "open",
                    Blocker.due_on <= week.end, Project.on_board)
    query = (select(Blocker, entered, closed, followed).join(Blocker.project)
             .outerjoin(Project.county).outerjoin(Blocker.meeting)
             .options(contains_eager(Blocker.project).contains_eager(Project.county),
                      contains_eager(Blocker.meeting))
             .where(Project.deleted_at.is_(None), or_(entered, closed, followed))
             .order_by(Blocker.raised_on, Blocker.id))
    resolved = []
    as_of = min(week.end, today())
    for blocker, was_entered, was_closed, is_followed in db.session.execute(query):
        if was_entered:
            changes.blockers_raised.append(blocker)
        if was_closed:
            resolved.append(blocker)
        if blocker.meeting_id is not None and (was_closed or is_followed):
            changes.decisions.append((blocker, decision_state(blocker, as_of)))
    changes.blockers_resolved = sorted(resolved, key=lambda b: (b.resolved_on, b.id))
    changes.decisions.sort(key=lambda pair: (pair[0].due_on or date.max, pair[0].id))


def changes(week: Week) -> WeeklyChanges:
    """Everything the weekly report lists: four SQL statements."""
    result = WeeklyChanges()
    _events(week, result)
    _stalled(week, result)
    _past_promise(week, result)
    _blockers(week, result)
    return result
