"""Backups and restores of the database, by the command line and before every migration.

SQLite is copied with its online backup API, which reads one consistent snapshot (the WAL
included) while the server keeps writing; copying the file would miss what is still in the
WAL. PostgreSQL is dumped with ``pg_dump`` in its custom format and put back with
``pg_restore`` piped into one ``psql`` transaction, so a failed restore changes nothing.
A restore first keeps a copy of the database it replaces.

The projects' documents are files, not rows: a backup takes them too, as ``BACKUP.documents.tar``
beside it, after the database (a file is written before the row that names it, and never
changed, so every file the copy names is in the archive). A restore adds the archive's files to
the documents folder; it takes none away, as none is ever changed under its name.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.engine import URL, Connection

#: Tables whose rows every database has, even an empty one.
_BOOKKEEPING = frozenset({"alembic_version", "board_state"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: A document's file name in its folder and in a backup's archive: a random id.
_DOCUMENT_NAME = re.compile(r"[0-9a-f]{32}")


class BackupError(Exception):
    """A backup or restore refused with a message for the operator; nothing was changed."""


def _url() -> URL:
    return current_app.extensions["migrate"].db.engine.url


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def suffix() -> str:
    """The file name ending of this database's backups."""
    return ".sqlite" if _is_sqlite(_url()) else ".dump"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _free_name(folder: Path, stem: str, ending: str) -> Path:
    """``folder/stem+ending``, or with ``-2``, ``-3``… when a file of that name exists."""
    candidate, number = folder / f"{stem}{ending}", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{ending}"
    return candidate


def _writable_folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise BackupError(_("%(folder)s is not a directory.", folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(_("Cannot write in %(folder)s (permission denied).", folder=folder))
    return folder


def _backups_folder() -> Path:
    """``instance/backups/``, made on first use."""
    folder = Path(current_app.instance_path) / "backups"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as error:
        raise BackupError(_("Cannot make %(folder)s: %(reason)s.", folder=folder,
                            reason=error.strerror)) from None
    return _writable_folder(folder)


def holds_data(connection: Connection) -> bool:
    """Whether any table holds a row that a person or the application wrote."""
    for name in sa.inspect(connection).get_table_names():
        if name not in _BOOKKEEPING and connection.execute(
                sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first():
            return True
    return False


# --- backing up ---------------------------------------------------------------------------------

def backup(path: str | os.PathLike) -> Path:
    """Write a consistent snapshot of the running database to ``path`` and return the file.

    ``path`` may be an existing directory (the file is then named ``wallchart-TIMESTAMP``
    inside it) or a new file in an existing directory; an existing file is never overwritten.
    """
    path = Path(path)
    if path.is_dir():
        target = _free_name(_writable_folder(path), f"wallchart-{_stamp()}", suffix())
    elif path.exists():
        raise BackupError(_("%(path)s already exists; choose a new file name or a directory.",
                            path=path))
    else:
        _writable_folder(path.parent if str(path.parent) else Path("."))
        target = path
    _write_backup(target)
    return target


def automatic_backup(reason: str) -> Path:
    """Back up into ``instance/backups/`` before a change of schema; ``reason`` names it."""
    target = _free_name(_backups_folder(), f"wallchart-{_stamp()}-{reason}", suffix())
    _write_backup(target)
    return target


def _write_backup(target: Path) -> None:
    url = _url()
    _write_copy(_sqlite_path(url) if _is_sqlite(url) else None, target)
    _write_documents(target)


def documents_archive(backup_file: Path) -> Path:
    """Where the documents of the backup ``backup_file`` are kept: beside it."""
    return backup_file.with_name(f"{backup_file.name}.documents.tar")


def _document_files() -> list[Path]:
    folder = Path(current_app.config["DOCUMENTS_FOLDER"])
    return sorted(path for path in folder.iterdir()
                  if _DOCUMENT_NAME.fullmatch(path.name) and path.is_file()) \
        if folder.is_dir() else []


def _write_documents(target: Path) -> None:
    """The documents folder's files into ``BACKUP.documents.tar`` (none: no archive), through
    a hidden partial file like the database's copy."""
    files = _document_files()
    if not files:
        return
    archive = documents_archive(target)
    partial = archive.with_name(f".{archive.name}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        with tarfile.open(partial, "w") as tar:
            for path in files:
                tar.add(path, arcname=path.name, recursive=False)
        os.replace(partial, archive)
    except OSError as error:
        raise BackupError(_("The backup of the documents to %(target)s failed: %(error)s",
                            target=archive, error=error)) from None
    finally:
        partial.unlink(missing_ok=True)


def _write_copy(sqlite_file: Path | None, target: Path) -> None:
    """Copy ``sqlite_file`` (``None``: the PostgreSQL database) to a hidden partial file,
    readable by its owner only, then rename it into place: a backup under its final name is
    always complete."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as error:
        raise BackupError(_("Cannot write %(target)s: %(reason)s.", target=target,
                            reason=error.strerror)) from None
    try:
        if sqlite_file:
            _sqlite_copy(sqlite_file, partial)
        else:
            _pg_dump(_url(), partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(_("The backup to %(target)s failed: %(error)s", target=target,
                            error=error)) from None
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(_("Only a SQLite database in a file can be backed up, not %(url)s.",
                            url=url))
    return Path(url.database)


def _sqlite_copy(source_path: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API, in one step: one snapshot."""
    if not source_path.is_file():
        raise BackupError(_("There is no database at %(path)s.", path=source_path))
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # One self-contained file, whatever journal mode the live database uses.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()


def _pg_environment(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments for ``url``; the password travels in the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return ["--dbname", uri], env


def _installed(tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(_("%(tool)s is not installed (Debian: apt-get install "
                            "postgresql-client-15, the server's major version).", tool=tool))


def _run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    _installed(command[0])
    result = subprocess.run(command, env=env, capture_output=True, **kwargs)
    if result.returncode:
        error = result.stderr.decode(errors="replace") if isinstance(result.stderr, bytes) \
            else result.stderr
        raise BackupError(_("%(tool)s failed: %(error)s", tool=command[0], error=error.strip()))
    return result


def _pg_dump(url: URL, target: Path) -> None:
    connect, env = _pg_environment(url)
    _run(["pg_dump", "--format=custom", "--file", str(target), *connect], env)


# --- restoring ----------------------------------------------------------------------------------

def restore(path: str | os.PathLike) -> Path | None:
    """Put the backup at ``path`` in place of the database; return where the replaced one is
    kept (``None``: there was none).

    Refuses while a server answers on the configured address, and refuses a file that is not
    a Wallchart backup of this kind of database, before anything is changed.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file.", path=path) if path.exists()
                          else _("%(path)s does not exist.", path=path))
    _refuse_while_serving()
    archive = _documents_to_restore(path)
    url = _url()
    replaced = _sqlite_restore(path, _sqlite_path(url)) if _is_sqlite(url) \
        else _pg_restore(path, url)
    if archive:
        _restore_documents(archive)
    return replaced


def _documents_to_restore(path: Path) -> Path | None:
    """The backup's archive of documents, checked before anything changes: every member a
    plain file named by a document's id (``None``: the backup has no documents)."""
    archive = documents_archive(path)
    if not archive.exists():
        return None
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("%(path)s is damaged: %(error)s", path=archive,
                            error=error)) from None
    if not all(member.isfile() and _DOCUMENT_NAME.fullmatch(member.name)
               for member in members):
        raise BackupError(_("%(path)s holds files that are not documents.", path=archive))
    return archive


def _restore_documents(archive: Path) -> None:
    """Add the archive's documents to the documents folder (the ones there stay)."""
    folder = Path(current_app.config["DOCUMENTS_FOLDER"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if not (folder / member.name).exists():
                    tar.extract(member, folder, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("The database was restored, but not its documents from %(path)s: "
                            "%(error)s", path=archive, error=error)) from None


def _refuse_while_serving() -> None:
    host, port = current_app.config["HOST"], current_app.config["PORT"]
    try:
        with socket.create_connection((host, port), timeout=1):
            pass
    except OSError:
        return
    raise BackupError(_("Something answers on %(host)s:%(port)s: stop Wallchart (every process) "
                        "before restoring.", host=host, port=port))


def _known_revision(revision: str | None, path: Path) -> None:
    """A backup must come from a Wallchart whose migrations this one knows."""
    if not revision:
        raise BackupError(_("%(path)s is not a Wallchart backup (no schema revision in it).",
                            path=path))
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(_("%(path)s has schema revision %(revision)s, which this version of "
                            "Wallchart does not know: restore it with the version that made it.",
                            path=path, revision=revision))


def _sqlite_revision(path: Path) -> str | None:
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise BackupError(_("%(path)s is not a SQLite backup.", path=path))
    backup_db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(_("%(path)s is damaged (SQLite integrity check failed).", path=path))
        row = backup_db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(_("%(path)s is not a Wallchart backup (%(error)s).", path=path,
                            error=error)) from None
    finally:
        backup_db.close()
    return row[0] if row else None


def _sqlite_restore(path: Path, database: Path) -> Path | None:
    if database.exists() and path.resolve() == database.resolve():
        raise BackupError(_("%(path)s is the database itself.", path=path))
    _known_revision(_sqlite_revision(path), path)
    _writable_folder(database.parent)
    replaced = None
    if database.exists():
        replaced = _free_name(database.parent, f"{database.name}.replaced-{_stamp()}", "")
        _write_copy(database, replaced)
    source = sqlite3.connect(path)
    try:
        live = sqlite3.connect(database, timeout=30)
        try:
            # Page by page into the live file, in one transaction of its own.
            source.backup(live)
        finally:
            live.close()
    except sqlite3.Error as error:
        raise BackupError(_("The restore failed, the database is unchanged: %(error)s",
                            error=error)) from None
    finally:
        source.close()
    return replaced


def _pg_revision(path: Path, url: URL) -> str | None:
    """The schema revision inside a ``pg_dump`` archive (its alembic_version data)."""
    _connect, env = _pg_environment(url)
    _installed("pg_restore")
    try:
        listing = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-",
                        str(path)], env, text=True).stdout
    except BackupError:
        raise BackupError(_("%(path)s is not a PostgreSQL backup (pg_dump --format=custom).",
                            path=path)) from None
    lines = iter(listing.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "alembic_version" in line:
            value = next(lines, "\\.")
            return None if value == "\\." else value.strip()
    return None


def _pg_restore(path: Path, url: URL) -> Path:
    _known_revision(_pg_revision(path, url), path)
    replaced = _free_name(_backups_folder(), f"{url.database}.replaced-{_stamp()}", ".dump")
    _write_backup(replaced)
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
    engine.dispose()
    drop = "".join(f'DROP TABLE IF EXISTS "{name}" CASCADE;\n' for name in tables)
    connect, env = _pg_environment(url)
    script = _run(["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(path)],
                  env).stdout
    # One transaction: the old tables go and the backup's come, or nothing happens.
    _run(["psql", "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--single-transaction",
          "--file=-", *connect], env, input=drop.encode() + script)
    return replaced
