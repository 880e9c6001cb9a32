"""The database the suite runs on: SQLite files (the default) or PostgreSQL databases.

``WALLCHART_TEST_DATABASE=postgresql`` runs the same tests on the PostgreSQL server at
``WALLCHART_TEST_POSTGRES`` (default: the machine's service, user ``postgres``). Every test gets
a database of its own with the rows of a migrated and seeded template: a file copy on SQLite; on
PostgreSQL a ``CREATE DATABASE … TEMPLATE``, reused by later tests (see ``PostgresDatabases``).
The PostgreSQL databases of a run
share a prefix unique to the run and are all dropped at its end, also after a failure or Ctrl+C.
"""

from __future__ import annotations

import atexit
import os
import shutil
import uuid
from dataclasses import dataclass
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
    """Databases on a PostgreSQL server, named ``wallchart_test_<pid>_<random>_<n>``, one run's
    alone.

    ``CREATE DATABASE … TEMPLATE`` costs 0.5 to 3 s with its drop when the disk is busy (it
    writes and syncs the whole catalog), so a test's copy is not dropped but handed to the next
    test of the same template, which first puts the template's rows (and sequences) back: a few
    milliseconds. Copies commit without waiting for the disk (``synchronous_commit``): a test
    database need not survive a crash of the server.
    """

    kind = "postgresql"

    def __init__(self, server: str = POSTGRES_SERVER):
        self.server = make_url(server)
        self.prefix = f"wallchart_test_{os.getpid()}_{uuid.uuid4().hex[:6]}_"
        self.count = 0
        self.admin = self._connect("postgres")
        self._drop_left_behind()
        self.template_of: dict[str, str] = {}  # a copy's name -> its template's
        self.free: dict[str, list[str]] = {}  # a template's name -> its copies no test uses
        self.contents: dict[str, _Contents] = {}  # a template's name -> its rows
        self.closed = False

    def _connect(self, name: str, autocommit: bool = True):
        import psycopg

        return psycopg.connect(
            host=self.server.host, port=self.server.port or 5432, user=self.server.username,
            password=self.server.password, dbname=name, autocommit=autocommit, connect_timeout=5)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _create(self, template: str | None) -> str:
        self.count += 1
        name = f"{self.prefix}{self.count}"
        if template:
            # A template must have no connections: an earlier test's app can still hold some
            # (its socket watcher thread wakes up after the test), when the template is a copy.
            self._disconnect(template)
        self.admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template
                                                           else ""))
        self.admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        return name

    def new(self, folder: Path, name: str = "wallchart") -> str:
        return self._url(self._create(None))

    def clone(self, template: str, folder: Path, name: str = "wallchart") -> str:
        source = make_url(template).database
        free = self.free.get(source)
        if free:
            copy = free.pop()
            self._restore(copy, source)
        else:
            copy = self._create(source)
        self.template_of[copy] = source
        return self._url(copy)

    def drop(self, url: str) -> None:
        """Done with a database: a copy waits for the next test of its template, another goes."""
        name = make_url(url).database
        if name in self.template_of:
            self.free.setdefault(self.template_of[name], []).append(name)
        elif name.startswith(self.prefix):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _restore(self, name: str, template: str) -> None:
        """Give a used copy its template's rows and sequences again (the schema is the same)."""
        if template not in self.contents:
            self.contents[template] = _Contents.read(self._connect(template))
        # Whatever the last test left connected (a pool, a stopped server's) goes first.
        self._disconnect(name)
        with self._connect(name, autocommit=False) as connection:
            self.contents[template].write(connection)

    def _drop_left_behind(self) -> None:
        """Drop the databases of runs on this machine whose process is gone (killed before its
        teardown): their names carry its process id."""
        names = self.admin.execute("SELECT datname FROM pg_database WHERE datname ~ %s",
                                   [r"^wallchart_test_[0-9]+_[0-9a-f]{6}_"]).fetchall()
        for (name,) in names:
            try:
                os.kill(int(name.split("_")[2]), 0)
            except ProcessLookupError:
                self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except PermissionError:  # another user's process, alive
                pass

    def _disconnect(self, name: str) -> None:
        self.admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", [name])

    def close(self) -> None:
        """Drop every database of this run, then disconnect."""
        if self.closed:
            return
        self.closed = True
        rows = self.admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                  [self.prefix.replace("_", r"\_") + "%"]).fetchall()
        for (name,) in rows:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@dataclass
class _Contents:
    """A template's rows (each table as COPY data) and sequence values."""

    tables: list[str]
    rows: dict[str, bytes]
    sequences: dict[str, int | None]

    @classmethod
    def read(cls, connection) -> _Contents:
        with connection:
            tables = [name for (name,) in connection.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")]
            rows = {}
            for table in tables:
                with connection.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                    data = b"".join(bytes(block) for block in copy)
                rows[table] = data
            sequences = dict(connection.execute(
                "SELECT quote_ident(sequencename), last_value FROM pg_sequences "
                "WHERE schemaname = 'public'").fetchall())
        return cls(tables, rows, sequences)

    def write(self, connection) -> None:
        # As a replica would: no foreign key triggers, so the order of tables does not matter.
        connection.execute("SET LOCAL session_replication_role = replica")
        connection.execute("SET LOCAL synchronous_commit = off")
        for table in self.tables:
            connection.execute(f"DELETE FROM {table}")
            with connection.cursor().copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(self.rows[table])
        for sequence, value in self.sequences.items():
            connection.execute("SELECT setval(%s, %s, %s)",
                               [sequence, value or 1, value is not None])
        connection.commit()


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
    atexit.register(opened.close)  # if the run ends without its fixtures' teardown
    return opened


def current_databases() -> SqliteFiles | PostgresDatabases:
    """The databases the ``databases`` fixture opened for this run (opened here for a caller
    outside pytest: the benchmarks start their servers through ``LiveServer`` too)."""
    return _opened[0] if _opened else open_databases()


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
