"""What a wall shows around its views: the key indicators of the year to date (the header) and
the latest stage transitions (the ticker), for a wall's profile.

A lobby screen must never learn a confidential project's amount or investor, not even by
difference: a header total that included the project would jump by its amount when it signs
(and a count of projects of 10亿 and above would tell its size). So a lobby header counts only
projects that are not confidential, and its ticker names no amount of a confidential one.
The first HTML of ``/wall``, ``/wall/summary`` and the live push (``realtime.push``) all read
and render through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from sqlalchemy import select

from wallchart.core.models import Project, ProjectEvent
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import HEADER_FIGURES
from wallchart.extensions import db
from wallchart.reads import queries
from wallchart.reports import indicators
from wallchart.reports.indicators import Period
from wallchart.reports.wall_views import figures_for, period_text

#: How many transitions the ticker shows, the newest first.
TICKER_LENGTH = 10


@dataclass
class Summary:
    """The header's figures and the ticker's transitions for one profile, read at ``revision``."""

    profile: str
    revision: int
    period: Period
    figures: dict[str, Any]
    transitions: list[tuple[ProjectEvent, Project]]

    @property
    def redact(self) -> bool:
        return self.profile == "lobby"


def latest_transitions(limit: int = TICKER_LENGTH) -> list[tuple[ProjectEvent, Project]]:
    """The latest moves from one stage to another (not reorderings) of projects not deleted.

    Read from the newest end of the history's time index: the deleted projects are named
    apart (a few), since a condition on the joined project's own columns leads SQLite to start
    from the projects and sort the whole history instead.
    """
    deleted = select(Project.id).where(Project.deleted_at.is_not(None))
    return [(event, project) for event, project in db.session.execute(
        select(ProjectEvent, Project).join(Project, Project.id == ProjectEvent.project_id)
        .where(ProjectEvent.action == "moved", ProjectEvent.from_stage != ProjectEvent.to_stage,
               ProjectEvent.project_id.not_in(deleted))
        .order_by(ProjectEvent.at.desc(), ProjectEvent.id.desc()).limit(limit))]


def read(profile: str) -> Summary:
    """Everything a wall of this profile shows around its views, as of one revision (read
    first, so the figures are at least as new as the revision they carry)."""
    revision = queries.board_revision(lobby=profile == "lobby")
    period = indicators.preset_period("year", today())
    with figures_for(profile):
        figures = indicators.compute(period)
    return Summary(profile, revision, period, figures, latest_transitions())


def context(summary: Summary, header_figures: list[str] | None = None) -> dict[str, Any]:
    """What ``partials/wall_header.html`` and ``partials/ticker.html`` render from: the
    header shows ``header_figures`` (a display's choice), or every figure (``HEADER_FIGURES``)
    for the live push, whose rooms serve displays of several choices."""
    return {"summary": summary, "format_change": indicators.format_change,
            "period_text": period_text, "header_figures": header_figures,
            "HEADER_FIGURES": HEADER_FIGURES}


def render(summary: Summary, header_figures: list[str] | None = None) -> tuple[str, str]:
    """The header's indicators and the ticker, in the current language."""
    values = context(summary, header_figures)
    return (render_template("partials/wall_header.html", **values),
            render_template("partials/ticker.html", **values))
