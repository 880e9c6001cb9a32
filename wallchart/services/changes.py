"""The one envelope every change to the board shares: a write transaction with its board
revision, the announcements it prepares inside, and their publication after the commit.

    with board_change() as change:
        project = load_project(actor, project_id)
        ...
        record_event(project, actor_id, "moved", change.revision, ...)
        change.announce(project, "moved")

A change that raises is rolled back and announces nothing. A change of many cards at once (an
import) is ``board_change(many=True)``: its history entries share its revision, and it announces
once that the board was reloaded, rather than card by card.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from wallchart.core.models import Project
from wallchart.core.transactions import next_lobby_revision, next_revision, write_transaction
from wallchart.services import events
from wallchart.services.positions import STEP, rank_for


@dataclass
class Change:
    """One change in progress: its board revision and what it will announce; ``many``: a
    change of many cards, announced as one (``events.BoardReloaded``)."""

    revision: int
    many: bool = False
    announcements: list[events.Announcement] = field(default_factory=list)
    _used: bool = False
    _lobby_sees: bool = False
    _bottoms: dict[str, float] = field(default_factory=dict)

    def event_revision(self) -> int:
        """The revision of the change's next history event: its own for the first, a new one
        for each after it (screens apply announced events strictly one revision after
        another), except in a change of ``many``, which is announced once."""
        if self.many or not self._used:
            self._used = True
            return self.revision
        return next_revision()

    def bottom_rank(self, stage: str) -> float:
        """The rank of a card added at the bottom of ``stage``'s column. A change of ``many``
        asks the database once a column and counts on from there: the cards it adds reach the
        database a batch at a time, and only new cards go to the bottom in it (an import)."""
        if not self.many:
            return rank_for(stage, None)
        rank = self._bottoms.get(stage) or rank_for(stage, None)
        self._bottoms[stage] = rank + STEP
        return rank

    def announce(self, project: Project, action: str, revision: int | None = None) -> None:
        """Prepare the announcement of ``action`` on ``project`` (at ``revision``, by default
        the change's own), to be published after the commit; in a change of ``many``, only
        note whether a lobby can see it."""
        if self.many:
            self._lobby_sees |= events.lobby_sees(project, action)
        else:
            self.announcements.append(events.prepare(project, action, revision or self.revision))

    def _close(self) -> None:
        """A change of ``many`` that changed something: its one announcement."""
        if self.many and self._used:
            self.announcements.append(events.BoardReloaded(
                self.revision, next_lobby_revision() if self._lobby_sees else None))


@contextmanager
def board_change(many: bool = False) -> Iterator[Change]:
    """Run one change of the board: commit at the end, then publish its announcements."""
    with write_transaction() as revision:
        change = Change(revision, many)
        yield change
        change._close()
    events.publish(change.announcements)
