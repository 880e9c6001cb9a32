"""Early warnings (红黄灯): when a card turns yellow or red, and why.

One set of rules in two forms that must agree: ``warning_for`` reads a loaded project (the card,
the panel), ``colour_expression`` is the same rule in SQL (filters, column counts) so that a
filtered board of thousands of projects costs one query. Both read only the project's own row:
the stage dates, the date of the last progress note, the next step's due date and the earliest
due date among the open blockers (kept on the row by the services).

The rules, for a project on the board:
- it sits in its stage more than ``STALL_DAYS[stage]`` days since it entered the stage or since
  the last progress note, whichever is later: yellow; more than ``RED_DAYS[stage]``: red;
- its next step is past its due date: yellow; more than ``OVERDUE_RED_DAYS`` late: red;
- a blocker is open past its due date: yellow; more than ``OVERDUE_RED_DAYS`` late: red.
The card takes the worst colour; every rule that applies gives a reason.

A signed project's promised start (协议约定开工日期) has a light of its own beside the card's
colour (``promise_light``): yellow from ``PROMISE_NOTICE_DAYS`` days before the promise until
``PROMISE_GRACE_DAYS`` days past it, red once it is past by more than that, for as long as the
project has not started (is still 已签约). ``promise_past_condition`` is the "past its promise"
part in SQL, for the lists of the reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, false, or_
from sqlalchemy.sql.elements import ColumnElement

from wallchart.core.models import Blocker, Project
from wallchart.core.timeutil import today as shanghai_today

COLOURS = ("yellow", "red")
#: Days before a promised start from which a signed project's promise light is yellow.
PROMISE_NOTICE_DAYS = 14
#: Days past a promised start without a start after which the promise light is red.
PROMISE_GRACE_DAYS = 30


@dataclass
class EarlyWarning:
    """A card's colour (``None``: fine) and the reasons, in the reader's language."""

    colour: str | None = None
    reasons: list[str] = field(default_factory=list)

    def add(self, colour: str, reason: str) -> None:
        if self.colour != "red":
            self.colour = colour
        self.reasons.append(reason)


def _days(count: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", count)


def idle_since(project: Project) -> date:
    """The later of the day the project entered its stage and the day of its last note."""
    if project.last_note_on and project.last_note_on > project.stage_entered_at:
        return project.last_note_on
    return project.stage_entered_at


def warning_for(project: Project, today: date, config: Mapping[str, Any]) -> EarlyWarning:
    """The project's colour and the reasons for it on ``today``."""
    warning = EarlyWarning()
    yellow_days = config["STALL_DAYS"].get(project.stage)
    red_days = config["RED_DAYS"].get(project.stage)
    idle = (today - idle_since(project)).days
    limit = red_days if red_days is not None and idle > red_days else yellow_days
    if limit is not None and idle > limit:
        warning.add("red" if limit == red_days else "yellow",
                    _("No update for %(days)s (limit %(limit)s)", days=_days(idle),
                      limit=_days(limit)))
    late_red = config["OVERDUE_RED_DAYS"]
    if project.next_step and project.next_step_due and project.next_step_due < today:
        late = (today - project.next_step_due).days
        warning.add("red" if late > late_red else "yellow",
                    _("Next step overdue by %(days)s", days=_days(late)))
    if project.open_blockers and project.blocker_due and project.blocker_due < today:
        late = (today - project.blocker_due).days
        warning.add("red" if late > late_red else "yellow",
                    _("Blocker open past its due date by %(days)s", days=_days(late)))
    return warning


def promise_light(project: Project, today: date) -> EarlyWarning:
    """The light of a signed project's promised start on ``today`` (``colour`` ``None``: no
    promise, not signed, started already, or the promise still more than the notice away)."""
    light = EarlyWarning()
    promised = project.promised_start_on
    if promised is None or project.stage != "signed":
        return light
    late = (today - promised).days
    if late > 0:
        light.add("red" if late > PROMISE_GRACE_DAYS else "yellow",
                  _("Not started %(days)s after the promised start (%(date)s)",
                    days=_days(late), date=promised.isoformat()))
    elif -late <= PROMISE_NOTICE_DAYS:
        light.add("yellow", _("Construction promised to start on %(date)s",
                              date=promised.isoformat()))
    return light


def promise_past_condition(today: date) -> ColumnElement:
    """SQL for "signed, not started, and past its promised start on ``today``"."""
    return and_(Project.stage == "signed", Project.promised_start_on.is_not(None),
                Project.promised_start_on < today)


def blocker_overdue(blocker: Blocker, day: date | None = None) -> bool:
    """An open blocker past its due date (the third rule above, for one blocker)."""
    return blocker.status == "open" and blocker.due_on is not None \
        and blocker.due_on < (day or shanghai_today())


def blocker_age_days(blocker: Blocker, day: date | None = None) -> int:
    """Days since it was raised; for a resolved one, the days it stayed open."""
    end = blocker.resolved_on if blocker.status == "resolved" else (day or shanghai_today())
    return (end - blocker.raised_on).days


def _idle_since_sql() -> ColumnElement:
    return case((Project.last_note_on > Project.stage_entered_at, Project.last_note_on),
                else_=Project.stage_entered_at)


def _beyond(days: Mapping[str, int | None], today: date) -> ColumnElement:
    """Projects that sat in their stage more than ``days[stage]`` days."""
    idle = _idle_since_sql()
    rules = [and_(Project.stage == stage, idle < today - timedelta(days=limit))
             for stage, limit in days.items() if limit is not None]
    return or_(*rules) if rules else false()


def stalled_condition(today: date, config: Mapping[str, Any]) -> ColumnElement:
    """SQL for "stalled": the no-update rule alone colours the card, yellow or red (no note and
    no stage change for longer than the stage allows), as ``warning_for`` decides it."""
    return or_(_beyond(config["STALL_DAYS"], today), _beyond(config["RED_DAYS"], today))


def _late(due, extra_days: int, today: date, *present) -> ColumnElement:
    return and_(*present, due.is_not(None), due < today - timedelta(days=extra_days))


def colour_condition(colour: str, today: date, config: Mapping[str, Any]) -> ColumnElement:
    """SQL for "the card is ``colour``", exactly as ``warning_for`` decides it."""
    late_red = config["OVERDUE_RED_DAYS"]
    red = or_(_beyond(config["RED_DAYS"], today),
              _late(Project.next_step_due, late_red, today, Project.next_step != ""),
              _late(Project.blocker_due, late_red, today, Project.open_blockers > 0))
    if colour == "red":
        return red
    warned = or_(_beyond(config["STALL_DAYS"], today),
                 _late(Project.next_step_due, 0, today, Project.next_step != ""),
                 _late(Project.blocker_due, 0, today, Project.open_blockers > 0))
    return and_(warned, ~red)


def colour_expression(today: date, config: Mapping[str, Any]) -> ColumnElement:
    """SQL giving ``'red'``, ``'yellow'`` or NULL per project, e.g. to count per column."""
    return case((colour_condition("red", today, config), "red"),
                (colour_condition("yellow", today, config), "yellow"), else_=None)
