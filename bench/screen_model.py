"""What one screen shows, kept the way static/js/live.js keeps it: the benchmark's screens apply
each ``project`` event to a model of the columns, so that at the end of a run each screen's
cards can be compared with the database.

live.js applies events strictly in revision order: an event already shown is dropped, and one
that skips a revision makes the page fetch the columns again. A benchmark screen cannot fetch,
so it holds such an event back until the missing ones come (counting it), and says at the end
whether it still waits for one: a browser would have resynced there.
"""

from __future__ import annotations

from typing import Any

#: A card as a screen tracks it: (id, version); a column is its cards top to bottom.
Columns = dict[str, list[tuple[int, int]]]


class ScreenBoard:
    """The columns of one screen, from a starting board at a known revision."""

    def __init__(self, projects: list[dict[str, Any]], revision: int):
        """``projects``: ``GET /api/projects``' list (id, stage, position, version)."""
        self.revision = revision
        self.columns: dict[str, list[int]] = {}
        self.versions: dict[int, int] = {}
        for project in sorted(projects, key=lambda p: (p["stage"], p["position"])):
            self.columns.setdefault(project["stage"], []).append(project["id"])
            self.versions[project["id"]] = project["version"]
        self.held: dict[int, dict[str, Any]] = {}
        self.out_of_order = 0
        self.applied = 0

    def handle(self, event: dict[str, Any]) -> None:
        """An event as it arrives (live.js ``handle``): applied in revision order."""
        revision = event["revision"]
        if revision <= self.revision:
            return
        if revision != self.revision + 1:
            self.out_of_order += 1
            self.held[revision] = event
            return
        self._apply(event)
        while self.revision + 1 in self.held:
            self._apply(self.held.pop(self.revision + 1))

    @property
    def waiting(self) -> bool:
        """Whether an event is held for a revision that never came (a browser resyncs)."""
        return bool(self.held)

    def _apply(self, event: dict[str, Any]) -> None:
        """live.js ``apply``: the card leaves its column and, unless deleted (or withdrawn,
        which sends no html), stands at ``position`` in the column of its stage."""
        project_id = event["id"]
        for cards in self.columns.values():
            if project_id in cards:
                cards.remove(project_id)
                break
        self.versions.pop(project_id, None)
        if event["action"] != "deleted" and event.get("html"):
            cards = self.columns.setdefault(event["stage"], [])
            cards.insert(min(event["position"], len(cards)), project_id)
            self.versions[project_id] = event["version"]
        self.revision = event["revision"]
        self.applied += 1

    def cards(self) -> Columns:
        """Each non-empty column's cards with the version the screen holds."""
        return {stage: [(i, self.versions[i]) for i in cards]
                for stage, cards in self.columns.items() if cards}


def board_of(projects: list[dict[str, Any]]) -> Columns:
    """The same shape from ``GET /api/projects`` (what the database says)."""
    return ScreenBoard(projects, 0).cards()
