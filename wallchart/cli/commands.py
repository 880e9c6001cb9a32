"""Command-line administration: ``flask --app wsgi user|display|county|team|setup-link|demo-data|
backup|restore``.

The commands call the same services as the administration pages, with no acting user: the audit
log records them as done from the command line. They speak the language of the operator's
terminal (``LANG=en_US.UTF-8``: English), else the interface's default, Chinese; so do Click's own
usage errors ("Missing argument …", see ``click_words``).
"""

from __future__ import annotations

import os
from functools import wraps
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from wallchart.cli import click_words
from wallchart.config import terminal_language
from wallchart.core.errors import ServiceError
from wallchart.core.vocabulary import (
    COUNTY_KINDS,
    DISPLAY_PROFILES,
    DISPLAY_VIEWS,
    HEADER_FIGURE_COUNT,
    HEADER_FIGURES,
    ROLES,
)
from wallchart.identity import console_url
from wallchart.services import accounts, teams

user_cli = AppGroup("user", help="Manage users and their API tokens.")
display_cli = AppGroup("display", help="Manage wall display tokens.")
county_cli = AppGroup("county", help="Manage counties, districts and zones (县市区/园区).")
team_cli = AppGroup("team", help="Manage special task teams (工作专班).")


def in_console_language(command):
    """Speak the terminal's language throughout, and turn a service's refusal into a clean
    error exit."""

    @wraps(command)
    def spoken(*args, **kwargs):
        with force_locale(terminal_language()):
            try:
                return command(*args, **kwargs)
            except ServiceError as error:
                # A form marks its fields; here each field's message is the whole sentence.
                fields = getattr(error, "fields", {})
                raise click.ClickException(" ".join(fields.values()) if fields
                                           else error.message) from None

    return spoken


def _password() -> str:
    return os.environ.get("WALLCHART_PASSWORD") or click.prompt(
        _("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))


@user_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--display-name", default="", help="The name shown on cards, e.g. 张三.")
@click.option("--team", default=None,
              help="The team (工作专班) NAME joins; without one he can change no project.")
@in_console_language
def create_user(name: str, role: str, display_name: str, team: str | None) -> None:
    """Create user NAME. The password comes from WALLCHART_PASSWORD, or is asked for twice."""
    user = accounts.create_user(None, name, _password(), role, display_name, team)
    click.echo(_("Created user %(name)s (%(role)s).", name=user.username, role=ROLES[user.role]))
    if team:
        click.echo(_("%(name)s is a member of the team %(team)s.", name=user.username, team=team))
    elif user.role in ("lead", "member"):
        click.echo(_("%(name)s is in no team yet, so he cannot change any project: "
                     "add him with 'team add TEAM %(name)s'.", name=user.username))


@user_cli.command("password")
@click.argument("name")
@click.option("--revoke-tokens", is_flag=True, help="Also revoke all of NAME's API tokens.")
@in_console_language
def user_password(name: str, revoke_tokens: bool) -> None:
    """Set user NAME's password (from WALLCHART_PASSWORD, or asked for twice)."""
    accounts.set_password(None, name, _password(), revoke_tokens)
    click.echo(_("Password of %(name)s changed and API tokens revoked.", name=name)
               if revoke_tokens else _("Password of %(name)s changed.", name=name))


@user_cli.command("token")
@click.argument("name")
@in_console_language
def user_token(name: str) -> None:
    """Print a new API token for user NAME (its last line is the token)."""
    token = accounts.issue_api_token(None, name)
    click.echo(_("New API token for %(name)s; it is shown only once:", name=name))
    click.echo(token)


@user_cli.command("revoke-tokens")
@click.argument("name")
@in_console_language
def user_revoke_tokens(name: str) -> None:
    """Revoke every API token of user NAME (open sockets close within seconds)."""
    count = accounts.revoke_api_tokens(None, name)
    click.echo(ngettext("Revoked %(num)d API token(s) of %(name)s.",
                        "Revoked %(num)d API token(s) of %(name)s.", count, name=name))


def _display_options(command):
    """--profile, --views, --rotate, --header: a display's settings (left out: unchanged, or
    default)."""
    command = click.option("--rotate", "rotate_seconds", type=int, default=None,
                           help="Seconds each view is shown (10 to 3600).")(command)
    command = click.option("--header", "header_figures", default=None,
                           help=f"The header's {HEADER_FIGURE_COUNT} figures in order, "
                           f"comma-separated: {', '.join(HEADER_FIGURES)}.")(command)
    command = click.option("--views", default=None,
                           help=f"Views in turn, comma-separated: {', '.join(DISPLAY_VIEWS)}.")(
        command)
    return click.option("--profile", type=click.Choice(list(DISPLAY_PROFILES)), default=None,
                        help="staff: everything; lobby: confidential details hidden.")(command)


def _chosen(**options) -> dict:
    return {key: value for key, value in options.items() if value is not None}


@display_cli.command("create")
@click.argument("name")
@_display_options
@in_console_language
def display_create(name: str, **options) -> None:
    """Create a wall display token; the last line is the wall's link (on WALLCHART_PUBLIC_URL
    if set, else on WALLCHART_HOST and WALLCHART_PORT)."""
    token = accounts.create_display_token(None, name, _chosen(**options))
    click.echo(_("Display %(name)s created. Open this link on the wall screen:", name=name))
    click.echo(console_url(f"/wall?token={token}"))


@display_cli.command("set")
@click.argument("name")
@_display_options
@in_console_language
def display_set(name: str, **options) -> None:
    """Change the profile, views or seconds per view of the display(s) named NAME; their
    screens reload with the new settings within seconds."""
    if not _chosen(**options):
        raise click.UsageError(_("Give at least one of --profile, --views, --rotate."))
    count = accounts.update_displays_named(None, name, _chosen(**options))
    click.echo(ngettext("Updated %(num)d display named %(name)s.",
                        "Updated %(num)d displays named %(name)s.", count, name=name))


@display_cli.command("revoke")
@click.argument("name")
@in_console_language
def display_revoke(name: str) -> None:
    """Switch off the display(s) named NAME: their links stop working."""
    count = accounts.revoke_display_tokens(None, name)
    click.echo(ngettext("Switched off %(num)d display named %(name)s.",
                        "Switched off %(num)d displays named %(name)s.", count, name=name))


@click.command("setup-link")
@with_appcontext
@in_console_language
def setup_link() -> None:
    """Print a one-time link that creates the first admin (only while there is none)."""
    from wallchart.identity import setup_url

    token = accounts.issue_setup_token()
    if token is None:
        raise click.ClickException(_("An administrator exists already; "
                                     "create more users with 'user create'."))
    click.echo(setup_url(token))


@click.command("demo-data")
@with_appcontext
@in_console_language
def demo_data() -> None:
    """Fill an empty database with a believable board for a prefecture-level city."""
    from wallchart.cli.demo import DemoRefused, load_demo

    try:
        summary = load_demo()
    except DemoRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary)


@county_cli.command("add")
@click.argument("names", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(list(COUNTY_KINDS)), default="county")
@in_console_language
def county_add(names: tuple[str, ...], kind: str) -> None:
    """Add counties, districts or zones, in the order the board lists them."""
    for name in names:
        accounts.add_county(None, name, kind)
    click.echo(_("Added (%(kind)s): %(names)s.", kind=COUNTY_KINDS[kind], names=", ".join(names)))


@team_cli.command("create")
@click.argument("name")
@click.option("--lead", default=None, help="The username of the team's lead.")
@in_console_language
def team_create(name: str, lead: str | None) -> None:
    """Create team NAME, optionally with its lead."""
    team = teams.create_team(None, name, lead)
    click.echo(_("Created team %(name)s led by %(lead)s.", name=team.name, lead=lead) if lead
               else _("Created team %(name)s.", name=team.name))


@team_cli.command("add")
@click.argument("name")
@click.argument("usernames", nargs=-1, required=True)
@in_console_language
def team_add(name: str, usernames: tuple[str, ...]) -> None:
    """Add users to team NAME."""
    team = teams.add_members(None, name, list(usernames))
    click.echo(_("Team %(name)s: %(members)s.", name=team.name,
                 members=", ".join(u.username for u in team.members)))


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
@in_console_language
def backup_command(path: Path) -> None:
    """Write a consistent snapshot of the database, even while the server runs, to PATH
    (a new file, or a directory: then wallchart-YYYYmmdd-HHMMSS.sqlite|.dump inside it)."""
    from wallchart.services.backup import BackupError, backup

    try:
        written = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Backed up the database to %(path)s", path=written))


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the database is replaced by the backup.")
@with_appcontext
@in_console_language
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH; the server must be stopped. The replaced
    database is kept (SQLite: beside it as NAME.replaced-YYYYmmdd-HHMMSS; PostgreSQL: in
    instance/backups/)."""
    from wallchart.services.backup import BackupError, restore

    if not yes:
        raise click.ClickException(_("This replaces the whole database with the backup. Stop "
                                     "Wallchart, then run again with --yes."))
    try:
        replaced = restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Restored %(path)s; the database it replaced is kept at %(replaced)s",
                 path=path, replaced=replaced) if replaced
               else _("Restored %(path)s", path=path))


def init_app(app: Flask) -> None:
    if click.get_current_context(silent=True) is not None:  # the app of a command's process
        click_words.speak(terminal_language())
    app.cli.add_command(user_cli)
    app.cli.add_command(display_cli)
    app.cli.add_command(county_cli)
    app.cli.add_command(team_cli)
    app.cli.add_command(setup_link)
    app.cli.add_command(demo_data)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
