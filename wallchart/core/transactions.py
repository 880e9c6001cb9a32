"""Write transactions that serialize cleanly on SQLite and PostgreSQL alike.

SQLite in WAL mode fails a deferred read-then-write transaction at once with "database is
locked", ignoring the busy timeout. So every change starts a fresh transaction with
``BEGIN IMMEDIATE`` (which waits for the lock), and then takes the next board revision, whose
row lock also serializes writers on PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from wallchart.core.errors import Busy, Conflict
from wallchart.core.models import BoardState
from wallchart.extensions import db

_immediate: ContextVar[bool] = ContextVar("immediate", default=False)
#: SQLite's own wait for a lock, for the statements that are not a change's start.
BUSY_TIMEOUT_MS = 10_000
#: How long a change waits for another to let go of the board, and how often it looks.
WRITE_LOCK_WAIT_SECONDS = 60
WRITE_LOCK_RETRY_SECONDS = 0.01
_REMEMBERED = "wallchart_remembered"
T = TypeVar("T")


def remembered(key: Hashable, look_up: Callable[[], T]) -> T:
    """What ``look_up`` found for ``key`` earlier in this transaction, else what it finds now: a
    county or a team by its name, which an import asks for thousands of times. Forgotten when
    the transaction ends (``_forget``), so a change made meanwhile elsewhere is seen next time."""
    memo = db.session.info.setdefault(_REMEMBERED, {})
    if key not in memo:
        memo[key] = look_up()
    return memo[key]


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_REMEMBERED, None)


def configure_engine(engine: Engine) -> None:
    """Tune a SQLite engine for many readers and one writer at a time; other backends as is."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself, so it can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _immediate.get():
            _take_write_lock(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _take_write_lock(connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for another writer by sleeping between tries rather than
    in SQLite's busy handler: under gevent a sleep lets the writer that holds the lock go on
    (an import yields to the page's polls), where SQLite's own wait would stop the whole
    process, the holder too, and fail when its time is up. :class:`Busy` after
    ``WRITE_LOCK_WAIT_SECONDS``."""
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    deadline = time.monotonic() + WRITE_LOCK_WAIT_SECONDS
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if "locked" not in str(error.orig):
                    raise
                if time.monotonic() > deadline:
                    raise Busy(_("The board is busy with a large change (a ledger being "
                                 "imported): nothing was changed. Try again in a moment.")
                               ) from None
                time.sleep(WRITE_LOCK_RETRY_SECONDS)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _begin_immediate() -> None:
    """End the request's read snapshot and start a transaction that holds the write lock."""
    db.session.rollback()
    token = _immediate.set(True)
    try:
        db.session.connection()
    finally:
        _immediate.reset(token)


def begin_write() -> int:
    """End the request's read snapshot, start a write transaction and return the new revision.

    Call it first in every service function that changes data; commit (or roll back) after.
    """
    _begin_immediate()
    return next_revision()


def next_revision() -> int:
    """Take the next board revision inside the write transaction already begun.

    Screens apply events strictly one revision after another, so a change that broadcasts
    several events (a bulk assignment) takes one more revision for each event after the first.
    """
    return _count_on("revision")


def next_lobby_revision() -> int:
    """Take the next lobby revision inside the write transaction already begun, for a change
    that a lobby screen can see (``services.events.lobby_sees``): the lobby screens' own
    sequence, which a change they cannot see leaves alone, so that they cannot tell it came."""
    return _count_on("lobby_revision")


def _counter(name: str):
    column = BoardState.__table__.c[name]
    return (update(BoardState.__table__).where(BoardState.__table__.c.id == 1)
            .values({column: column + 1}).returning(column))


#: The statements that add one to a counter of the board's one state row, built once: every
#: change takes one or two. Plain statements on the transaction's connection, since the ORM's
#: bulk update would also flush and look for loaded rows to bring up to date (there are none).
_COUNTERS = {name: _counter(name) for name in ("revision", "lobby_revision")}


def _count_on(counter: str) -> int:
    return db.session.connection().execute(_COUNTERS[counter]).scalar_one()


@contextmanager
def write_transaction() -> Iterator[int]:
    """Run one change: yield its board revision, commit at the end, roll back on any error.

    A stale ORM version at commit becomes :class:`Conflict`, like a stale version in the request.
    """
    revision = begin_write()
    try:
        yield revision
        _commit_keeping_rows()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(stale_message()) from None
    except BaseException:
        db.session.rollback()
        raise


def _commit_keeping_rows() -> None:
    """Commit, leaving the rows the change loaded as it wrote them: its announcements are
    rendered, and its answer written, from the state at its own revision, without reading the
    project again (the next change's ``begin_write`` rolls back, which expires them all)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def end_read() -> None:
    """End the read transaction under way, keeping what it loaded as it was read: the user a
    request carries, read first, then serves the change that follows as he is, where that
    change's ``begin_write`` would otherwise expire him and read him again."""
    if db.session().in_transaction():
        _commit_keeping_rows()


def stale_message() -> str:
    """Why a change was refused because the project changed under it."""
    return _("Someone else changed this project meanwhile. The board now shows the current state.")


@contextmanager
def quiet_transaction() -> Iterator[None]:
    """Run one change the board does not show (users, teams, tokens): serialized like
    :func:`write_transaction`, so that its checks and its write see one state, but without a
    board revision, since no screen has anything to resync. Commits at the end, rolls back on
    any error.
    """
    _begin_immediate()
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
