"""The ``flask --app wsgi`` commands (users, teams, displays, backup and restore, demo data).

May import ``services``, ``reads``, ``reports`` and ``core``; never ``web``, ``api`` or
``realtime``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the commands."""
    from wallchart.cli import commands

    commands.init_app(app)
