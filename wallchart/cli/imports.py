"""``flask --app wsgi import-projects FILE [--dry-run] [--team NAME]``: a county's ledger onto the
board from the command line, through the import service (as the console: no acting user)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from wallchart.cli.commands import in_console_language
from wallchart.services import imports, teams
from wallchart.services.ledger import LEDGER_FIELDS, read_ledger


@click.command("import-projects")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the import would do; write nothing.")
@click.option("--team", default=None,
              help="The team (工作专班) of new projects whose row names none.")
@with_appcontext
@in_console_language
def import_projects(file: Path, dry_run: bool, team: str | None) -> None:
    """Import the projects of the ledger FILE (.xlsx or .csv): print the columns as recognised,
    what each row does, and every reason a row is refused. All or nothing: one refused row and
    nothing is written (exit status 1)."""
    if not file.is_file():  # said here: Click's own refusal names the file in English
        raise click.BadParameter(_("There is no file %(path)s.", path=str(file)),
                                 param_hint="FILE")
    with file.open("rb") as handle:
        ledger = read_ledger(handle)
    click.echo(_("Columns recognised:"))
    for column in ledger.columns:
        label = LEDGER_FIELDS[column.field] if column.field else _("not imported")
        click.echo(f"  {column.letter}  {column.header} → {label}")
    run = imports.preview if dry_run else imports.apply
    plan = run(None, ledger, team=team)
    click.echo(_("Create: %(create)d · Update: %(update)d · Unchanged: %(unchanged)d · "
                 "Refused: %(refused)d", **plan.counts))
    for row in plan.rows:
        if row.action == "update":
            click.echo("  " + _("Row %(row)d, %(name)s: %(fields)s", row=row.number,
                                name=row.name, fields=_changed(row.changes)))
        for reason in row.reasons:
            click.echo("  " + reason)
    if plan.refused and team is None and not any(c.field == "team" for c in ledger.columns):
        click.echo(_("The ledger names no team: give the team of its new projects with --team "
                     "NAME (the teams: %(names)s).",
                     names="、".join(t.name for t in teams.teams_with_people())))
    if plan.refused:
        click.echo(_("Rows were refused: nothing was written."))
        raise SystemExit(1)
    if dry_run:
        click.echo(_("Dry run: nothing was written."))
    elif plan.written:
        click.echo(_("Imported."))
    else:
        click.echo(_("Nothing to change: nothing was written."))


def _changed(changes: dict) -> str:
    return "、".join(str(LEDGER_FIELDS.get(name, name)) for name in changes)
