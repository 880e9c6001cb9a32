"""The command line (users, teams, displays, counties, the setup link, backup and restore, demo
data): ``wallchart …``, the console script that ``pip install`` makes, or ``flask --app wsgi …``;
both build the app with ``create_app()`` and offer the same commands.

A face: may import ``identity``, ``services``, ``reports``, ``reads`` and ``core``; never
another face (``web``, ``api``, ``realtime``). ``main`` alone imports the app factory, which
installs every face: the one arrow the layers contract (setup.cfg) ignores.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the commands."""
    from wallchart.cli import commands, imports

    commands.init_app(app)
    app.cli.add_command(imports.import_projects)


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
