"""The command line (users, teams, displays, counties, the setup link, backup and restore, demo
data): ``wallchart …``, the console script that ``pip install`` makes, or ``flask --app wsgi …``;
both build the app with ``create_app()`` and offer the same commands.

A face: may import ``identity``, ``services``, ``reports``, ``reads`` and ``core``; never
another face (``web``, ``api``, ``realtime``). ``main`` alone imports the app factory, which
installs every face: the one arrow the layers contract (setup.cfg) ignores.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _

#: Commands that work on a database of any revision: they upgrade it, copy it or replace it
#: (and Flask's own).
ANY_SCHEMA = frozenset({"db", "backup", "restore", "run", "shell", "routes"})


def init_app(app: Flask) -> None:
    """Register the commands; those that read or write the board refuse, saying what to do,
    a database that the code has moved past (``services.schema``)."""
    from wallchart.cli import commands, imports, notify

    commands.init_app(app)
    app.cli.add_command(imports.import_projects)
    app.cli.add_command(notify.notify_due)
    app.cli.add_command(notify.webhook_cli)
    for name, command in app.cli.commands.items():
        if name not in ANY_SCHEMA:
            command.callback = _schema_checked(command.callback)


def _schema_checked(callback: Callable[..., Any] | None) -> Callable[..., Any]:
    """``callback`` (a command's, or a group's: it runs before any of its commands), after the
    check; once (the commands are the module's, and every app made in a process installs
    them)."""
    if getattr(callback, "schema_checked", False):
        return callback

    def checked(*args: Any, **kwargs: Any) -> Any:
        from wallchart.services import schema

        if schema.behind():
            raise click.ClickException(_(
                "The database is older than this version of Wallchart. Upgrade it first: "
                "start the server (python wsgi.py, which backs it up and upgrades it), or run "
                "flask --app wsgi db upgrade."))
        return callback(*args, **kwargs) if callback is not None else None

    if callback is not None:
        checked = functools.wraps(callback)(checked)
    checked = with_appcontext(checked)
    checked.schema_checked = True  # type: ignore[attr-defined]
    return checked


def main() -> None:
    """The ``wallchart`` console script: Flask's command line for this app.

    The same as ``flask --app wsgi``: ``wsgi.py`` only calls ``create_app()`` when imported (its
    gevent patching and ``serve()`` run under ``python wsgi.py`` alone), and both read the same
    ``WALLCHART_*`` environment, instance folder (``WALLCHART_INSTANCE_PATH``, else ``instance/``
    of the checkout) and ``.env`` files. ``wallchart`` also works from any directory.
    """
    from flask.cli import FlaskGroup

    from wallchart import create_app

    FlaskGroup(name="wallchart", create_app=create_app,
               help="Wallchart's commands: the same as `flask --app wsgi`.").main()
