"""Notifications and the teams' webhooks from the command line: ``notify-due`` (the daily check
of what falls due, which the server also runs each morning) and ``webhook add|list|remove``.
(The webhooks' secrets are never printed.)"""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from wallchart.cli.commands import in_console_language
from wallchart.services import notifications, webhooks


@click.command("notify-due")
@with_appcontext
@in_console_language
def notify_due() -> None:
    """Tell each person of his next steps and blockers due today or overdue, and of his cards
    turned yellow or red by the calendar; each thing once, however often it runs."""
    heard = notifications.check_due()
    webhooks.announce_turned(heard.turned)
    webhooks.announce_digests(heard.digests)
    click.echo(ngettext("Notified %(num)d person.", "Notified %(num)d people.",
                        len(heard.told)))
    webhooks.wait_idle(300)  # the teams' messages go (or fail) before the command ends


webhook_cli = AppGroup("webhook", help="Manage the teams' webhooks (group chat bots).")


@webhook_cli.command("add")
@click.argument("team")
@click.argument("url")
@click.option("--kind", type=click.Choice(list(webhooks.KINDS)), required=True,
              help="企业微信 (wecom), 钉钉 (dingtalk), 飞书 (feishu), or signed JSON (generic).")
@click.option("--secret", default="", help="The bot's signing secret (加签); generic: required.")
@click.option("--events", default="",
              help=f"Comma-separated, of: {', '.join(webhooks.EVENTS)}. Default: every event.")
@click.option("--lobby-safe", is_flag=True,
              help="Leave confidential projects' investor and amount out.")
@in_console_language
def webhook_add(team: str, url: str, kind: str, secret: str, events: str,
                lobby_safe: bool) -> None:
    """Give TEAM a webhook at URL."""
    hook = webhooks.add_webhook(None, team, url, kind, secret, events, lobby_safe)
    click.echo(_("Webhook %(id)d: %(team)s → %(url)s (%(kind)s).", id=hook.id,
                 team=hook.team.name, url=webhooks.masked(hook.url), kind=hook.kind))


@webhook_cli.command("list")
@in_console_language
def webhook_list() -> None:
    """The webhooks in use."""
    for hook in webhooks.webhooks():
        columns = [str(hook.id), hook.team.name, hook.kind, webhooks.masked(hook.url),
                   ",".join(hook.events) if hook.events else _("every event")]
        if hook.lobby_safe:
            columns.append(_("lobby-safe"))
        click.echo("\t".join(columns))


@webhook_cli.command("remove")
@click.argument("webhook_id", type=int)
@in_console_language
def webhook_remove(webhook_id: int) -> None:
    """Stop webhook WEBHOOK_ID (its delivery log is kept)."""
    hook = webhooks.remove_webhook(None, webhook_id)
    click.echo(_("Webhook %(id)d removed.", id=hook.id))
