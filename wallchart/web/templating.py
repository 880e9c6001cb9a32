"""What every template may use: vocabularies, formatting helpers and the current language."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wallchart.core import formatting, vocabulary
from wallchart.core.early_warnings import EarlyWarning, promise_light, warning_for
from wallchart.core.models import Project, ProjectEvent, User, utcnow
from wallchart.core.money import BILLION_WAN
from wallchart.core.stages import stages_between, stages_reached
from wallchart.core.timeutil import today

#: Record fields kept as a vocabulary key: the history shows the key's label.
VOCABULARY_FIELDS = {
    "sector": vocabulary.SECTORS,
    "three500": vocabulary.THREE500,
    "enterprise_type": vocabulary.ENTERPRISE_TYPES,
    "source_channel": vocabulary.SOURCE_CHANNELS,
    "agreement_kind": vocabulary.AGREEMENT_KINDS,
    "project_kind": vocabulary.PROJECT_KINDS,
    "withdrawn_reason": vocabulary.WITHDRAW_REASONS,
    "kind": vocabulary.BLOCKER_KINDS,
    "stage": vocabulary.STAGES,
    "status": {"active": _l("On the board"), "withdrawn": _l("Withdrawn")},
}
#: Fields naming a user by username.
USER_FIELDS = ("owner", "next_step_owner")


def land(mu: int) -> str:
    """Land in 亩 (mu), the unit Chinese land-use plans count in."""
    return _("%(amount)s mu", amount=f"{mu:,}")


def history_value(field: str, value: Any, labels: dict[str, str] | None = None) -> str:
    """A value from a project's history as a person reads it (``labels``: username to name)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field in USER_FIELDS:
        return (labels or {}).get(value, value)
    if field in VOCABULARY_FIELDS:
        return str(VOCABULARY_FIELDS[field].get(value, value))
    if isinstance(value, int):
        if field in ("investment_wan", "amount_wan", "increment_wan"):
            return formatting.money(value)
        if field == "foreign_usd_wan":
            return formatting.foreign_capital(value)
        if field in ("foreign_capital_usd_wan", "land_mu"):  # 0: none given
            shown = formatting.foreign_capital if field == "foreign_capital_usd_wan" else land
            return shown(value) if value else "—"
    return str(value)


def _about_dates(event: ProjectEvent) -> bool:
    """An edit that only changed stage dates: a correction, which the history names as such."""
    return bool(event.changes) and all(field.startswith("stage_dates.")
                                       for field in event.changes)


def history_sentence(event: ProjectEvent) -> str:
    """One line of a project's timeline, as a whole sentence so that each language reads right."""
    who = event.user.label if event.user else _("system")
    stages = vocabulary.STAGES
    changes = event.changes or {}
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
    if event.action == "noted":
        return _("%(user)s added a progress note", user=who)
    if event.action in ("blocker_raised", "blocker_resolved"):
        kind = history_value("kind", changes.get("kind"))
        department = changes.get("department") or "—"
        if event.action == "blocker_raised":
            return _("%(user)s raised a blocker: %(kind)s, for %(department)s", user=who,
                     kind=kind, department=department)
        return _("%(user)s resolved a blocker: %(kind)s, for %(department)s", user=who,
                 kind=kind, department=department)
    if event.action in ("funds_recorded", "funds_removed"):
        amount = history_value("amount_wan", changes.get("amount_wan"))
        if event.action == "funds_recorded":
            return _("%(user)s recorded funds in place: %(amount)s", user=who, amount=amount)
        return _("%(user)s removed a receipt of funds: %(amount)s", user=who, amount=amount)
    if event.action in ("document_added", "document_removed"):
        kind = str(vocabulary.DOCUMENT_KINDS.get(changes.get("kind"), changes.get("kind")))
        name = changes.get("filename") or "—"
        if event.action == "document_added":
            return _("%(user)s uploaded a document: %(kind)s, %(name)s", user=who, kind=kind,
                     name=name)
        return _("%(user)s removed a document: %(kind)s, %(name)s", user=who, kind=kind,
                 name=name)
    if event.action == "verified":
        return _("%(user)s verified the signing against its agreement", user=who)
    if event.action == "unverified":
        return _("%(user)s withdrew the verification of the signing", user=who)
    if event.action == "funds_corrected":
        return _("%(user)s corrected a receipt of funds", user=who)
    if event.action == "withdrawn":
        reason = changes.get("withdrawn_reason")
        if isinstance(reason, list) and reason[-1]:
            return _("%(user)s withdrew it: %(reason)s", user=who,
                     reason=history_value("withdrawn_reason", reason[-1]))
        return _("%(user)s withdrew it", user=who)
    if event.action == "converted":
        return _("%(user)s recorded that the framework agreement became a contract", user=who)
    if event.action == "reopened":
        return _("%(user)s reopened it", user=who)
    if event.action == "updated" and _about_dates(event):
        return _("%(user)s corrected the stage dates", user=who)
    return _("%(user)s edited it", user=who)


#: How the history names a blocker's details; its kind and department are in the sentence.
BLOCKER_DETAILS: dict[str, object] = {
    "description": _l("What is stuck"),
    "raised": _l("Raised on"),
    "due": _l("Due by"),
    "resolution": _l("How it was solved"),
}


#: How the history names a receipt of funds' fields (its amount is in the sentence, but for a
#: correction, which lists each field it changed).
FUNDS_DETAILS: dict[str, object] = {
    "date": _l("Date received"),
    "amount_wan": _l("Amount"),
    "foreign_usd_wan": _l("Of which foreign capital"),
    "document": _l("Document No."),
    "note": _l("Note"),
}


def _funds_changes(event: ProjectEvent, labels: dict[str, str] | None) -> list[str]:
    changes = event.changes or {}
    if event.action == "funds_corrected":
        return [_("%(field)s: %(old)s → %(new)s", field=label,
                  old=history_value(key, changes[key][0], labels),
                  new=history_value(key, changes[key][1], labels))
                for key, label in FUNDS_DETAILS.items() if key in changes]
    return [_("%(field)s: %(value)s", field=label, value=history_value(key, changes[key]))
            for key, label in FUNDS_DETAILS.items()
            if key != "amount_wan" and changes.get(key)]


def history_changes(event: ProjectEvent, labels: dict[str, str] | None = None) -> list[str]:
    """The lines a timeline entry lists under its sentence: "field: old → new" per change.

    A creation's values are the record itself, a note shows as its own text and a withdrawal
    or reopening says all in its sentence: none of these is listed. A blocker's entry, and a
    receipt of funds recorded or removed, lists its details, each as "label: value". A
    document's entry says all in its sentence (and the removal's reason under it).
    """
    changes = event.changes or {}
    if event.action in ("created", "noted", "withdrawn", "reopened", "document_added",
                        "document_removed"):
        return []
    if event.action.startswith("funds_"):
        return _funds_changes(event, labels)
    if event.action.startswith("blocker_"):
        return [_("%(field)s: %(value)s", field=label, value=changes[key])
                for key, label in BLOCKER_DETAILS.items() if changes.get(key)]
    lines = []
    for field, pair in changes.items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        lines.append(_("%(field)s: %(old)s → %(new)s",
                       field=vocabulary.FIELD_LABELS.get(field, field),
                       old=history_value(field, old, labels),
                       new=history_value(field, new, labels)))
    return lines


def is_past(day: date | None) -> bool:
    """Whether a due date has gone by (Asia/Shanghai): an overdue next step shows in red."""
    return day is not None and day < today()


#: Units written after a number, in the singular or the plural as the number asks.
UNITS = {
    "projects": lambda n: ngettext(" project", " projects", n),
    "days": lambda n: ngettext(" day", " days", n),
}


@lru_cache(maxsize=64)
def _unit_markup(locale: str, kind: str, singular: bool | None) -> Markup:
    """Rendered once per language: a board of 1,000 cards asks for it 1,000 times. Empty
    (``None``) after a word that stands for the number, until the script counts."""
    one, other = UNITS[kind](1), UNITS[kind](2)
    shown = "" if singular is None else one if singular else other
    return Markup('<span class="unit" data-one="{}" data-other="{}">{}</span>').format(
        one, other, shown)


def plural_unit(kind: str, count: int) -> Markup:
    """The unit after a number that the live script recounts: it carries both forms."""
    return _unit_markup(str(get_locale()), kind, count == 1)


def days_in_stage(since: date) -> Markup:
    """How long a card has been in its stage: "today" on the day it entered, then days, which
    the live script counts on at midnight (``data-since``)."""
    return _days_in_stage(str(get_locale()), since, today())


@lru_cache(maxsize=4096)
def _days_in_stage(locale: str, since: date, day: date) -> Markup:
    """Made once per language, date and day: the cards of a board share a few hundred dates."""
    days = (day - since).days
    return Markup('<span data-since="{}">{}</span>{}').format(
        since.isoformat(), days if days > 0 else _("today"),
        _unit_markup(locale, "days", days == 1 if days > 0 else None))


def card_words() -> dict[str, Any]:
    """The words every card shows, in the current language (``partials/card.html``)."""
    return _card_words(str(get_locale()))


@lru_cache(maxsize=16)
def _card_words(locale: str) -> dict[str, Any]:
    """Translated once per language, not once per card: a cold board of 5,000 cards spent a
    third of its time looking up the same dozen translations. Markup, as ``_()`` in a template
    gives them (a translation is not escaped)."""
    words = {
        "move": _("Move to…"), "confidential": _("Confidential"), "big": _("≥1bn"),
        "big_title": _("≥1 billion yuan"), "top500": _("Top 500"), "foreign": _("Foreign"),
        "foreign_title": _("Foreign-invested"), "red": _("Red light"),
        "yellow": _("Yellow light"), "start_overdue": _("Start overdue"),
        "start_due": _("Start due"), "blockers": _("Blockers"),
        "step_overdue": _("Next step overdue"), "no_owner": _("No owner"),
        "days_title": _("Days in this stage"),
    }
    return {**{key: Markup(text) for key, text in words.items()},
            "sectors": {key: str(label) for key, label in vocabulary.SECTORS.items()},
            "three500": {key: str(label) for key, label in vocabulary.THREE500.items()}}


def users_by_name(users: list[User]) -> dict[str, str]:
    return {user.username: user.label for user in users}


def card_warning(project: Project) -> EarlyWarning:
    """The project's early warning today, by the install's thresholds."""
    return warning_for(project, today(), current_app.config)


def card_promise(project: Project) -> EarlyWarning:
    """The light of the project's promised start today."""
    return promise_light(project, today())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        STAGES=vocabulary.STAGES,
        BILLION_WAN=BILLION_WAN,
        stages_reached=stages_reached,
        stages_between=stages_between,
        SECTORS=vocabulary.SECTORS,
        ROLES=vocabulary.ROLES,
        FIELD_LABELS=vocabulary.FIELD_LABELS,
        THREE500=vocabulary.THREE500,
        AGREEMENT_KINDS=vocabulary.AGREEMENT_KINDS,
        PROJECT_KINDS=vocabulary.PROJECT_KINDS,
        ENTERPRISE_TYPES=vocabulary.ENTERPRISE_TYPES,
        SOURCE_CHANNELS=vocabulary.SOURCE_CHANNELS,
        BLOCKER_KINDS=vocabulary.BLOCKER_KINDS,
        DECISION_STATES=vocabulary.DECISION_STATES,
        WITHDRAW_REASONS=vocabulary.WITHDRAW_REASONS,
        card_warning=card_warning,
        card_promise=card_promise,
        money=formatting.money,
        total_format=formatting.total_format,
        total_number=formatting.total_number,
        total=formatting.total,
        local_time=formatting.local_time,
        history_value=history_value,
        history_sentence=history_sentence,
        history_changes=history_changes,
        foreign_capital=formatting.foreign_capital,
        land=land,
        is_past=is_past,
        today=today,
        users_by_name=users_by_name,
        plural_unit=plural_unit,
        days_in_stage=days_in_stage,
        card_words=card_words,
        now=utcnow,
    )

    @app.context_processor
    def _language() -> dict[str, Any]:
        locale = get_locale()
        return {"locale": locale.language if locale else "zh",
                "languages": current_app.config["LANGUAGES"]}
