"""What every template may use: vocabularies, formatting helpers and the current language."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from . import formatting, vocabulary
from .models import Project, ProjectEvent, User, utcnow
from .timeutil import today
from .warnings import Warning, warning_for


def history_value(field: str, value: Any, labels: dict[str, str] | None = None) -> str:
    """A value from a project's history as a person reads it (``labels``: username to name)."""
    if value is None or value == "":
        return "—"
    if field == "owner" and labels:
        return labels.get(value, value)
    if field == "sector":
        return str(vocabulary.SECTORS.get(value, value))
    if field == "investment_wan" and isinstance(value, int):
        return formatting.money(value)
    return str(value)


def history_sentence(event: ProjectEvent) -> str:
    """One line of a project's timeline, as a whole sentence so that each language reads right."""
    who = event.user.label if event.user else _("system")
    stages = vocabulary.STAGES
    if event.action == "moved" and event.from_stage == event.to_stage:
        return _("%(user)s reordered it within %(stage)s", user=who, stage=stages[event.to_stage])
    if event.action == "moved":
        return _("%(user)s moved it from %(old)s to %(new)s", user=who,
                 old=stages[event.from_stage], new=stages[event.to_stage])
    if event.action == "created":
        return _("%(user)s created it in %(stage)s", user=who, stage=stages[event.to_stage])
    if event.action == "assigned":
        return _("%(user)s changed the owner", user=who)
    if event.action == "deleted":
        return _("%(user)s took it off the board", user=who)
    return _("%(user)s edited it", user=who)


#: Units written after a number, in the singular or the plural as the number asks.
UNITS = {
    "projects": lambda n: ngettext(" project", " projects", n),
    "days": lambda n: ngettext(" day", " days", n),
}


@lru_cache(maxsize=64)
def _unit_markup(locale: str, kind: str, singular: bool) -> Markup:
    """Rendered once per language: a board of 1,000 cards asks for it 1,000 times."""
    one, other = UNITS[kind](1), UNITS[kind](2)
    return Markup('<span class="unit" data-one="{}" data-other="{}">{}</span>').format(
        one, other, one if singular else other)


def plural_unit(kind: str, count: int) -> Markup:
    """The unit after a number that the live script recounts: it carries both forms."""
    return _unit_markup(str(get_locale()), kind, count == 1)


def users_by_name(users: list[User]) -> dict[str, str]:
    return {user.username: user.label for user in users}


def card_warning(project: Project) -> Warning:
    """The project's early warning today, by the install's thresholds."""
    return warning_for(project, today(), current_app.config)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        STAGES=vocabulary.STAGES,
        SECTORS=vocabulary.SECTORS,
        ROLES=vocabulary.ROLES,
        FIELD_LABELS=vocabulary.FIELD_LABELS,
        THREE500=vocabulary.THREE500,
        ENTERPRISE_TYPES=vocabulary.ENTERPRISE_TYPES,
        SOURCE_CHANNELS=vocabulary.SOURCE_CHANNELS,
        BLOCKER_KINDS=vocabulary.BLOCKER_KINDS,
        WITHDRAW_REASONS=vocabulary.WITHDRAW_REASONS,
        card_warning=card_warning,
        money=formatting.money,
        total_format=formatting.total_format,
        total_number=formatting.total_number,
        local_time=formatting.local_time,
        days_since=formatting.days_since,
        history_value=history_value,
        history_sentence=history_sentence,
        users_by_name=users_by_name,
        plural_unit=plural_unit,
        now=utcnow,
    )

    @app.context_processor
    def _language() -> dict[str, Any]:
        locale = get_locale()
        return {"locale": locale.language if locale else "zh",
                "languages": current_app.config["LANGUAGES"]}
