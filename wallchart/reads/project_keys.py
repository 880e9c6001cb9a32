"""Keys that order projects as their ids will, before the new ones have ids.

An import checks thousands of rows against the projects on record and the rows before them, and
writes its new projects a batch at a time; until a batch is flushed its projects have no id. Its
indexes (``services.imports._Known``, ``reads.duplicates.DuplicateIndex``) key every project by
a number instead: a loaded project's id, and for one created since, the numbers after the last
loaded id in the order they are created (the order the database will number them in).
"""

from __future__ import annotations

from wallchart.core.models import Project
from wallchart.extensions import db


class ProjectKeys:
    """The keys of one index: told each loaded id (:meth:`loaded`), asked for a new project's
    key when it is created (:meth:`key`, before it is flushed), and back (:meth:`project`)."""

    def __init__(self) -> None:
        self._last_loaded = 0
        self._created: dict[Project, int] = {}
        self._projects: dict[int, Project] = {}

    def loaded(self, project_id: int) -> int:
        """A project read from the database: its key is its id."""
        self._last_loaded = max(self._last_loaded, project_id)
        return project_id

    def key(self, project: Project) -> int:
        """A project's key: a loaded one's id; a new one's number, given when first asked."""
        key = self._created.get(project)
        if key is None:
            if project.id is not None and project.id <= self._last_loaded:
                return project.id
            key = self._last_loaded + len(self._created) + 1
            self._created[project] = key
            self._projects[key] = project
        return key

    def is_new(self, key: int) -> bool:
        return key in self._projects

    def project(self, key: int) -> Project | None:
        """The project of a key: a new one as created, a loaded one from the session."""
        return self._projects.get(key) or db.session.get(Project, key)
