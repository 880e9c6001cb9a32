"""A throwaway database of the suite's kind, driven through ``flask --app wsgi`` in a process
(the migration and backup tests: they need an empty database, not the seeded template).

PostgreSQL databases get a unique name on the machine's server (127.0.0.1, user postgres) and
are dropped after. Without that server a test skips on a developer's machine and fails in CI.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tests.databases import KIND
from tests.forks import flask_command
from tests.helpers import ROOT
from tests.live import free_port

PG_SERVER = "postgres@127.0.0.1:5432"
#: The kind this run tests (``WALLCHART_TEST_DATABASE``): .ci/run runs the suite once per kind.
KINDS = ("postgresql",) if KIND in ("postgresql", "postgres") else ("sqlite",)
SCRIPTS = ScriptDirectory(str(ROOT / "migrations"))
#: The migrations' revisions, oldest first.
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]
FIRST, HEAD = REVISIONS[0], REVISIONS[-1]


def postgresql_or_skip() -> None:
    """Skip without PostgreSQL on a developer's machine; in CI fail, naming it."""
    import psycopg

    try:
        psycopg.connect(f"postgresql://{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error as error:
        message = f"PostgreSQL is not answering at {PG_SERVER}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (start it: see ENVIRONMENT, .ci/run)")
        pytest.skip(message)


class Database:
    """One database of ``kind`` with an instance folder of its own."""

    def __init__(self, kind: str, folder: Path, url: str):
        self.kind, self.folder, self.url = kind, folder, url
        self.env = {**os.environ, "WALLCHART_INSTANCE_PATH": str(folder),
                    "WALLCHART_DATABASE_URL": url, "WALLCHART_SECRET_KEY": "migrations",
                    # Nothing listens there: a restore finds no server running.
                    "WALLCHART_PORT": str(free_port()),
                    # The commands speak the interface's default language, whatever the machine's.
                    "LANG": "C.UTF-8"}
        self.env.pop("WALLCHART_MESSAGE_QUEUE", None)
        for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
            self.env.pop(name, None)

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``flask --app wsgi *args`` on this database, as a process of its own."""
        result = flask_command(self.env, *args)
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as connection:
                yield connection
        finally:
            engine.dispose()

    @property
    def backups(self) -> list[Path]:
        folder = self.folder / "backups"
        return sorted(folder.iterdir()) if folder.is_dir() else []


def only_on(kind: str) -> None:
    """A test of one kind of database runs in the suite's run on that kind (.ci/run runs both)."""
    if kind not in KINDS:
        pytest.skip(f"a {kind} test: it runs in the suite's {kind} run "
                    f"(WALLCHART_TEST_DATABASE={kind})")


@contextmanager
def make_database(kind: str, folder: Path) -> Iterator[Database]:
    only_on(kind)
    if kind == "sqlite":
        yield Database(kind, folder, f"sqlite:///{folder / 'wallchart.sqlite'}")
        return
    postgresql_or_skip()
    name = f"wallchart_test_{uuid.uuid4().hex[:12]}"
    server = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["createdb", *server, name], check=True)
    try:
        yield Database(kind, folder, f"postgresql+psycopg://{PG_SERVER}/{name}")
    finally:
        subprocess.run(["dropdb", *server, "--force", name], check=True)
