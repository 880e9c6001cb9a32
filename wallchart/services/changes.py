"""The one envelope every change to the board shares: a write transaction with its board
revision, the announcements it prepares inside, and their publication after the commit.

    with board_change() as change:
        project = load_project(actor, project_id)
        ...
        record_event(project, actor_id, "moved", change.revision, ...)
        change.announce(project, "moved")

A change that raises is rolled back and announces nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from wallchart.core.models import Project
from wallchart.core.transactions import next_revision, write_transaction
from wallchart.services import events


@dataclass
class Change:
    """One change in progress: its board revision and what it will announce."""

    revision: int
    announcements: list[events.ProjectChanged] = field(default_factory=list)
    _used: bool = False

    def event_revision(self) -> int:
        """The revision of the change's next history event: its own for the first, a new one
        for each after it (screens apply events strictly one revision after another), as a
        change of several projects (an import) needs."""
        if not self._used:
            self._used = True
            return self.revision
        return next_revision()

    def announce(self, project: Project, action: str, revision: int | None = None) -> None:
        """Prepare the announcement of ``action`` on ``project`` (at ``revision``, by default
        the change's own), to be published after the commit."""
        self.announcements.append(events.prepare(project, action, revision or self.revision))


@contextmanager
def board_change() -> Iterator[Change]:
    """Run one change of the board: commit at the end, then publish its announcements."""
    with write_transaction() as revision:
        change = Change(revision)
        yield change
    events.publish(change.announcements)
