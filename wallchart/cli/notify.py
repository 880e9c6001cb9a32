"""Notifications and the teams' webhooks from the command line: ``notify-due`` (the daily check
of what falls due, which the server also runs each morning) and ``webhook add|list|remove``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import ngettext

from wallchart.cli.commands import in_console_language
from wallchart.services import notifications


@click.command("notify-due")
@with_appcontext
@in_console_language
def notify_due() -> None:
    """Tell each person of his next steps and blockers due today or overdue, and of his cards
    turned yellow or red by the calendar; each thing once, however often it runs."""
    told = notifications.check_due()
    click.echo(ngettext("Notified %(num)d person.", "Notified %(num)d people.", len(told)))
