"""Whether the database's schema is the one this code was written for.

``python wsgi.py`` upgrades the database before it serves (after a backup). A command run with
new code before that — the code updated, the server not yet restarted — would otherwise meet
tables without their new columns and die with a traceback; it asks here first, and says what to
do.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from wallchart.extensions import db


def behind() -> bool:
    """Whether the database lacks migrations this code has (or has none at all)."""
    head = ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() != head
