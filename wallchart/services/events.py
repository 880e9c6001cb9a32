"""What services announce once a change to the board is committed, and who listens.

A service prepares each announcement inside its write transaction (so that the card's position
is exact for its revision), and publishes it only after the commit succeeded
(``services.changes``). It knows nothing of screens: ``realtime.push`` subscribes and renders
and sends; a notification, a webhook or a search index would be one subscriber more.

Each announcement also says whether a lobby screen can see the change (``lobby_sees``), with
its lobby revision: a lobby must not learn even *when* a confidential project's hidden values
changed, so the changes it cannot see take no lobby revision and reach no lobby.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import event, inspect, select

from wallchart.core.models import Project, utcnow
from wallchart.core.transactions import next_lobby_revision
from wallchart.extensions import db
from wallchart.reads import queries

#: Actions after which the card is no longer on the board: screens remove it.
LEAVES_BOARD = frozenset({"deleted", "withdrawn"})
#: Actions that put a card on the board: every screen sees the card come.
ENTERS_BOARD = frozenset({"created", "reopened"})

#: What a lobby can see of a confidential project: what its redacted card shows
#: (``partials/card.html``), what the card's warning lamp, overdue mark and days in the stage
#: are computed from (``core.early_warnings``), and the card's place (stage, rank, on the
#: board or not). A change to a confidential project that sets none of these is not told to a
#: lobby at all. ``tests/realtime/test_lobby_timing.py`` checks that no other attribute changes the
#: redacted card, so that this list cannot quietly fall behind the card.
LOBBY_CARD_SHOWS = frozenset({
    "name", "stage", "rank", "status", "deleted_at", "confidential", "county", "county_id",
    "team", "team_id", "owner", "owner_id", "sector", "foreign_invested", "stage_entered_at",
    "last_note_on", "next_step", "next_step_due", "open_blockers", "blocker_due",
    "promised_start_on",
})
#: Set on a project (in its ``__dict__``, beside the ORM's state) when a write in this
#: transaction changed something in ``LOBBY_CARD_SHOWS``; ``lobby_sees`` takes it off.
_LOBBY_SEES_FLAG = "_wallchart_lobby_sees"


def _note_lobby_change(target: Project, value: Any, oldvalue: Any, _initiator: Any) -> None:
    if value is not oldvalue and value != oldvalue:
        target.__dict__[_LOBBY_SEES_FLAG] = True


for _name in LOBBY_CARD_SHOWS:
    # active_history: the old value is loaded first, so an unchanged value is told apart.
    event.listen(getattr(Project, _name), "set", _note_lobby_change, active_history=True)


#: What the walls' header (the key indicators, ``reports.indicators``) and ticker
#: (``reports.wall_summary``) never read of a project: its place in its column, who owns it,
#: its team, next step, blockers and notes. A change that sets nothing else leaves them as they
#: were, and the walls are not refreshed for it.
SUMMARY_IGNORES = frozenset({
    "rank", "owner", "owner_id", "team", "team_id", "next_step", "next_step_due",
    "open_blockers", "blocker_due", "last_note_on", "updated_at",
})
#: The changes that reach the header or the ticker only through the project's own fields
#: (checked against ``SUMMARY_IGNORES``); any other (a card that comes or goes, funds received
#: or corrected, a verification, an agreement converted) always refreshes them.
FIELD_ACTIONS = frozenset({
    "moved", "updated", "assigned", "noted", "blocker_raised", "blocker_resolved",
    "document_added", "document_removed",
})
_SUMMARY_SEES_FLAG = "_wallchart_summary_sees"


def _note_summary_change(target: Project, value: Any, oldvalue: Any, _initiator: Any) -> None:
    # An old value not loaded (NO_VALUE) counts as a change: refreshing is the safe side.
    if value is not oldvalue and value != oldvalue:
        target.__dict__[_SUMMARY_SEES_FLAG] = True


_mapper = Project.__mapper__
for _name in ({attr.key for attr in _mapper.column_attrs}
              | {rel.key for rel in _mapper.relationships if not rel.uselist}) - SUMMARY_IGNORES:
    event.listen(getattr(Project, _name), "set", _note_summary_change)


def summary_sees(project: Project, action: str) -> bool:
    """Whether this change may alter what the walls' header or ticker show: any change but one
    of ``FIELD_ACTIONS`` that set only ``SUMMARY_IGNORES``. Takes the project's mark off."""
    marked = project.__dict__.pop(_SUMMARY_SEES_FLAG, False)
    return action not in FIELD_ACTIONS or marked


def lobby_sees(project: Project, action: str) -> bool:
    """Whether a lobby screen can see this change: a card that comes or goes, any change to a
    project it sees whole (not confidential, or confidential no more), and a change to what
    it sees of a confidential one (``LOBBY_CARD_SHOWS``). Takes the project's mark off."""
    marked = project.__dict__.pop(_LOBBY_SEES_FLAG, False)
    return (action in ENTERS_BOARD or action in LEAVES_BOARD or not project.confidential
            or marked)


@dataclass(frozen=True)
class ProjectChanged:
    """One committed change of one card: what every screen needs to show it.

    ``position``: the card's 0-based place in its column (``None`` once it left the board);
    ``lobby_revision``: its revision for lobby screens, ``None`` for a change they cannot see;
    ``summary_sees``: whether it may alter the walls' header or ticker (``summary_sees``).
    """

    project: Project
    action: str
    revision: int
    lobby_revision: int | None
    position: int | None
    version: int
    at: datetime
    summary_sees: bool = True

    @property
    def leaves_board(self) -> bool:
        return self.action in LEAVES_BOARD


def prepare(project: Project, action: str, revision: int) -> ProjectChanged:
    """Take what the announcement needs while the write transaction still holds the board
    (and, for a change a lobby can see, the next lobby revision)."""
    lobby_revision = next_lobby_revision() if lobby_sees(project, action) else None
    summary = summary_sees(project, action)
    db.session.flush()  # assigns the new version and, for a new card, its id
    return ProjectChanged(project, action, revision, lobby_revision,
                          None if action in LEAVES_BOARD else queries.index_of(project),
                          project.version, utcnow(), summary)


def reread(changes: Iterable[ProjectChanged]) -> list[ProjectChanged]:
    """The changes with their projects read again, in one statement: for a subscriber that
    hears a burst after the requests that made it closed their sessions. A project gone from
    the database takes its changes with it."""
    changes = list(changes)
    ids = [inspect(c.project).identity[0] for c in changes]
    found = {p.id: p for p in db.session.execute(
        select(Project).where(Project.id.in_(set(ids)))).scalars()} if ids else {}
    return [replace(c, project=found[i]) for c, i in zip(changes, ids, strict=True)
            if i in found]


@dataclass(frozen=True)
class BoardReloaded:
    """Many cards changed at once (an import), at one ``revision``: screens read the board
    again rather than hear of each card. ``lobby_revision``: ``None`` when a lobby sees none
    of it."""

    revision: int
    lobby_revision: int | None


@dataclass(frozen=True)
class MeetingShown:
    """Meeting mode: the walls show ``meeting_id``'s current agenda item, or (``None``) return
    to their rotation. No board revision: the board did not change."""

    meeting_id: int | None
    revision: None = None


Announcement = ProjectChanged | BoardReloaded | MeetingShown
Listener = Callable[[Announcement], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call ``listener`` with every announcement from now on (once, however often asked)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(announcements: Iterable[Announcement]) -> None:
    """Hand committed changes to every listener. The change is committed whatever a listener
    does: a failing one is logged, and the others still hear of it."""
    for announcement in announcements:
        for listener in _listeners:
            try:
                listener(announcement)
            except Exception:
                current_app.logger.exception("Listener %r of revision %s", listener,
                                             announcement.revision)
