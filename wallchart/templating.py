"""What every template may use: vocabularies, formatting helpers and the current language."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale

from . import formatting, vocabulary
from .models import utcnow


def history_value(field: str, value: Any) -> str:
    """A value from a project's history as a person reads it."""
    if value is None or value == "":
        return "—"
    if field == "sector":
        return str(vocabulary.SECTORS.get(value, value))
    if field == "investment_wan" and isinstance(value, int):
        return formatting.money(value)
    return str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        STAGES=vocabulary.STAGES,
        SECTORS=vocabulary.SECTORS,
        ROLES=vocabulary.ROLES,
        ACTIONS=vocabulary.ACTIONS,
        FIELD_LABELS=vocabulary.FIELD_LABELS,
        money=formatting.money,
        total_format=formatting.total_format,
        total_number=formatting.total_number,
        local_time=formatting.local_time,
        days_since=formatting.days_since,
        history_value=history_value,
        now=utcnow,
    )

    @app.context_processor
    def _language() -> dict[str, Any]:
        locale = get_locale()
        return {"locale": locale.language if locale else "zh",
                "languages": current_app.config["LANGUAGES"]}
