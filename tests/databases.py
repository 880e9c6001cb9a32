"""The database the suite runs on: SQLite files (the default) or PostgreSQL databases.

``WALLCHART_TEST_DATABASE=postgresql`` runs the same tests on the PostgreSQL server at
``WALLCHART_TEST_POSTGRES`` (default: the machine's service, user ``postgres``). Every test gets
a database of its own, copied from a migrated and seeded template: a file copy on SQLite, a
``CREATE DATABASE … TEMPLATE`` on PostgreSQL (about 40 ms). The PostgreSQL databases of a run
share a prefix unique to the run and are all dropped at its end, also after a failure or Ctrl+C.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

KIND = os.environ.get("WALLCHART_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
POSTGRES_SERVER = os.environ.get("WALLCHART_TEST_POSTGRES",
                                 "postgresql+psycopg://postgres@127.0.0.1:5432")
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


class SqliteFiles:
    """Databases as files in the test's folder, copied from a template file."""

    kind = "sqlite"

    def new(self, folder: Path, name: str = "wallchart") -> str:
        """The URL of an empty database (the file appears on first use)."""
        return f"sqlite:///{folder / f'{name}.sqlite'}"

    def clone(self, template: str, folder: Path, name: str = "wallchart") -> str:
        url = self.new(folder, name)
        shutil.copy(make_url(template).database, make_url(url).database)
        return url

    def drop(self, url: str) -> None:
        """Nothing to do: the file goes with the test's temporary folder."""

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Databases on a PostgreSQL server, named ``wallchart_test_<run>_<n>``, one run's alone."""

    kind = "postgresql"

    def __init__(self, server: str = POSTGRES_SERVER):
        import psycopg

        self.server = make_url(server)
        self.prefix = f"wallchart_test_{uuid.uuid4().hex[:10]}_"
        self.count = 0
        self.admin = psycopg.connect(
            host=self.server.host, port=self.server.port or 5432,
            user=self.server.username, password=self.server.password, dbname="postgres",
            autocommit=True, connect_timeout=5)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _create(self, template: str | None) -> str:
        self.count += 1
        name = f"{self.prefix}{self.count}"
        # FILE_COPY skips WAL-logging every page of a template this small: half the time.
        source = f" TEMPLATE {make_url(template).database} STRATEGY FILE_COPY" if template else ""
        self.admin.execute(f'CREATE DATABASE "{name}"{source}')
        return self._url(name)

    def new(self, folder: Path, name: str = "wallchart") -> str:
        return self._create(None)

    def clone(self, template: str, folder: Path, name: str = "wallchart") -> str:
        return self._create(template)

    def drop(self, url: str) -> None:
        """Drop one database, closing what a test left connected (an app's pool, a server)."""
        name = make_url(url).database
        if name.startswith(self.prefix):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop every database of this run that is left, then disconnect."""
        rows = self.admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                  [self.prefix.replace("_", r"\_") + "%"]).fetchall()
        for (name,) in rows:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


_opened: list[SqliteFiles | PostgresDatabases] = []


def open_databases() -> SqliteFiles | PostgresDatabases:
    """The run's databases; on PostgreSQL, a server that does not answer says so and how to
    start it (raised as RuntimeError: the suite must not skip what it was asked to run)."""
    if KIND == "sqlite":
        opened = SqliteFiles()
    elif KIND in ("postgresql", "postgres"):
        try:
            opened = PostgresDatabases()
        except Exception as error:  # psycopg.OperationalError, or psycopg not installed
            raise RuntimeError(f"PostgreSQL is not answering at {POSTGRES_SERVER}: {error}\n"
                               f"(start it with: {START_POSTGRES})") from error
    else:
        raise RuntimeError(f"WALLCHART_TEST_DATABASE={KIND!r}: use sqlite or postgresql")
    _opened[:] = [opened]
    return opened


def current_databases() -> SqliteFiles | PostgresDatabases:
    """The databases the ``databases`` fixture opened for this run."""
    assert _opened, "ask for the databases fixture (live_server, instance... do) first"
    return _opened[0]


def run_sql(url: str, statement: str, **params) -> list:
    """Run one SQL statement on a test's database, outside the app (a server's database, to set
    up a state no request can make, or to look at what it stored); returns the rows, if any.
    Write it portably, with ``:name`` parameters and Python values (``True``, dates)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()
