"""The project record: what each field may hold, its stage dates and the stage gates.

API names are the column names. ``clean`` checks types, ranges, units and lengths of the fields a
request sends and gathers every fault in one ``Invalid``. The checks that need the project as it
will be after the request — foreign capital only on a foreign-invested project, stage dates in
order and never past the current stage, the gates of a stage — read the project once the
request's values are applied (inside the write transaction, before anything is flushed).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from wallchart.core.errors import Invalid, MissingFields
from wallchart.core.formatting import name_list
from wallchart.core.inputs import iso_date
from wallchart.core.models import County, Project, User
from wallchart.core.stages import STAGE_ORDER, stage_index, stages_reached
from wallchart.core.timeutil import today
from wallchart.core.transactions import remembered
from wallchart.core.vocabulary import (
    AGREEMENT_KINDS,
    ENTERPRISE_TYPES,
    FIELD_LABELS,
    PROJECT_KINDS,
    SECTORS,
    SOURCE_CHANNELS,
    STAGES,
    THREE500,
)
from wallchart.extensions import db
from wallchart.services.validation import clean_text

#: The fields a card shows.
CARD_FIELDS = ("name", "investor", "investment_wan", "county", "sector")
#: The rest of the record (issue 4).
DETAIL_FIELDS = (
    "origin", "foreign_invested", "three500", "enterprise_type", "industry_chain",
    "source_channel", "source_detail", "foreign_capital_usd_wan", "new_trade_entity",
    "contact_person", "contact_phone", "land_mu", "description", "confidential",
    "planned_on", "next_step", "next_step_due", "next_step_owner", "promised_start_on",
    "agreement_kind", "project_kind", "increment_wan", "contracted_on",
)
#: The bureau's own identifier of the project (项目编码), by which ledgers are matched.
CODE_FIELDS = ("code",)
FIELDS = CARD_FIELDS + CODE_FIELDS + DETAIL_FIELDS

#: 1万亿元: far above any single project, low enough to catch a slip of the keyboard.
INVESTMENT_MAX_WAN = 100_000_000
FOREIGN_CAPITAL_MAX_USD_WAN = 10_000_000
LAND_MAX_MU = 1_000_000
#: The longest text each text field takes, in characters.
TEXT_MAX = {"name": 200, "investor": 200, "origin": 64, "industry_chain": 64,
            "source_detail": 100, "contact_person": 64, "contact_phone": 32,
            "description": 2000, "next_step": 200}
MULTILINE = frozenset({"description"})
PHONE = re.compile(r"[0-9 +\-()]*")
CODE_MAX = 40
#: A project code: letters (any script), digits, and - _ / between them.
CODE = re.compile(r"[\w\-/]+")
FLAGS = frozenset({"foreign_invested", "new_trade_entity", "confidential"})
CHOICES: dict[str, dict[str, object]] = {
    "sector": SECTORS, "three500": THREE500, "enterprise_type": ENTERPRISE_TYPES,
    "source_channel": SOURCE_CHANNELS, "agreement_kind": AGREEMENT_KINDS,
    "project_kind": PROJECT_KINDS,
}
#: Choices every project holds one of (the counting rules read them): none is refused.
REQUIRED_CHOICES = frozenset({"agreement_kind", "project_kind"})
#: Whole numbers: (largest, refusal of a non-number, refusal out of range). Units in the text.
WHOLE: dict[str, tuple[int, object, object]] = {
    "investment_wan": (
        INVESTMENT_MAX_WAN, _l("Enter the investment as a whole number of 10,000 yuan."),
        _l("Enter an amount between 0 and %(max)s (in 10,000 yuan).",
           max=f"{INVESTMENT_MAX_WAN:,}")),
    "foreign_capital_usd_wan": (
        FOREIGN_CAPITAL_MAX_USD_WAN,
        _l("Enter the foreign capital as a whole number of 10,000 US dollars."),
        _l("Enter an amount between 0 and %(max)s (in 10,000 US dollars).",
           max=f"{FOREIGN_CAPITAL_MAX_USD_WAN:,}")),
    "land_mu": (
        LAND_MAX_MU, _l("Enter the land as a whole number of mu."),
        _l("Enter an area between 0 and %(max)s mu.", max=f"{LAND_MAX_MU:,}")),
    "increment_wan": (
        INVESTMENT_MAX_WAN, _l("Enter the investment as a whole number of 10,000 yuan."),
        _l("Enter an amount between 0 and %(max)s (in 10,000 yuan).",
           max=f"{INVESTMENT_MAX_WAN:,}")),
}
#: Planned, due and promised dates: from ``EARLIEST`` to ten years ahead. Stage dates: from it
#: to today.
PLANNED_DATES = ("planned_on", "next_step_due", "promised_start_on")
EARLIEST = date(2000, 1, 1)
PLANNING_YEARS = 10

#: What a project needs to be in a stage, by API name; cumulative, as the figures of each later
#: stage count the signing too.
GATES: dict[str, tuple[str, ...]] = {
    "signed": ("investment_wan", "stage_dates.signed"),
    "started": ("investment_wan", "stage_dates.signed"),
    "producing": ("investment_wan", "stage_dates.signed", "stage_dates.started"),
}


def date_key(stage: str) -> str:
    """The name a stage's date goes by in errors, ``missing`` and the history."""
    return f"stage_dates.{stage}"


# --- the fields -------------------------------------------------------------------------------

def clean(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The record fields present in ``data``, validated and converted (a ``County`` for
    ``county``, a ``User`` for ``next_step_owner``); a new project always needs its name."""
    errors: dict[str, str] = {}
    result: dict[str, Any] = {}
    for field in FIELDS:
        if field in data or (creating and field == "name"):
            value = _clean_one(field, data.get(field), errors)
            if field not in errors:
                result[field] = value
    if errors:
        raise Invalid(_("Please correct the marked fields."), errors)
    return result


def _clean_one(field: str, value: Any, errors: dict[str, str]) -> Any:
    if field == "code":
        return _code(value, errors)
    if field in TEXT_MAX:
        return _text(field, value, errors)
    if field in WHOLE:
        return _whole(field, value, errors)
    if field in FLAGS:
        if not isinstance(value, bool):
            errors[field] = _("Answer yes (true) or no (false).")
        return value
    if field in CHOICES:
        if (value is None or value == "") and field not in REQUIRED_CHOICES:
            return None
        if not isinstance(value, str) or value not in CHOICES[field]:
            errors[field] = _("Choose one from the list.") if field != "sector" else \
                _("Choose a sector from the list.")
        return value
    if field in PLANNED_DATES:
        latest = _years_later(today(), PLANNING_YEARS)
        return parse_date(value, field, errors, latest, _(
            "Enter a date between %(start)s and %(end)s.", start=EARLIEST.isoformat(),
            end=latest.isoformat()))
    if field == "contracted_on":
        return parse_date(value, field, errors, today(), _(
            "A stage date lies between %(start)s and today.", start=EARLIEST.isoformat()))
    if field == "county":
        return _county(value, errors)
    return _person(value, errors)  # next_step_owner


def _text(field: str, value: Any, errors: dict[str, str]) -> str:
    value = clean_text(value, field, errors, limit=TEXT_MAX[field], required=field == "name",
                       lines=field in MULTILINE)
    if field == "contact_phone" and field not in errors and not PHONE.fullmatch(value):
        errors[field] = _("Use digits, spaces and + - ( ) only.")
    return value


def _code(value: Any, errors: dict[str, str]) -> str | None:
    """A project code, trimmed; empty means none (``None``, so that codeless projects never
    collide in the unique index). Whether another project holds it is ``check_code``'s."""
    value = clean_text(value, "code", errors, limit=CODE_MAX)
    if "code" not in errors and value and not CODE.fullmatch(value):
        errors["code"] = _("Use letters, digits and - _ / only, without spaces.")
    return value or None


def check_code(project: Project) -> None:
    """No other project (on the board, withdrawn or deleted) holds the project's code. Asked
    of the connection, past the session (an import asks for each of its rows): nothing this
    change has yet to write holds a code another project could take (an import matches a row
    with a new project's code to that project)."""
    if not project.code:
        return
    taken = db.session.connection().execute(_CODE_TAKEN, {
        "code": project.code, "project_id": project.id or 0}).scalar()
    if taken is not None:
        message = _("This project code is already used by another project.")
        raise Invalid(message, {"code": message})


#: Another project holding a code: built once (an import asks for each of its rows).
_CODE_TAKEN = select(Project.id).where(Project.code == bindparam("code"),
                                       Project.id != bindparam("project_id")).limit(1)


def _whole(field: str, value: Any, errors: dict[str, str]) -> int:
    largest, not_a_number, out_of_range = WHOLE[field]
    if value is None or value == "":
        return 0
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = str(not_a_number)
    elif value < 0:
        errors[field] = _("It cannot be less than zero.")
    elif value > largest:
        errors[field] = str(out_of_range)
    return value


def _county(value: Any, errors: dict[str, str]) -> County | None:
    if value is None or value == "":
        return None
    county = None
    if isinstance(value, str):
        name = value.strip()
        county = remembered(("county", name), lambda: db.session.execute(
            select(County).where(County.name == name)).scalar())
    if county is None:
        errors["county"] = _("Choose a county or district from the list.")
    return county


def _person(value: Any, errors: dict[str, str]) -> User | None:
    """The active user named ``value`` (the next step's owner); his team is checked later."""
    if value is None or value == "":
        return None
    user = None
    if isinstance(value, str):
        user = db.session.execute(select(User).where(User.username == value.strip())).scalar()
    if user is None or not user.active:
        errors["next_step_owner"] = _("Choose someone from the project's team.")
    return user


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def parse_date(value: Any, field: str, errors: dict[str, str], latest: date,
               out_of_range: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` date (or a ``date``, as a ledger's cell gives it) from
    ``EARLIEST`` to ``latest``; ``None`` for none."""
    if value is None or value == "":
        return None
    day = iso_date(value) if isinstance(value, str) else \
        value if type(value) is date else None
    if day is None:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
    elif not EARLIEST <= day <= latest:
        errors[field] = out_of_range
    return day


def check_foreign_capital(project: Project) -> None:
    """Foreign capital belongs to foreign-invested projects (DESIGN)."""
    if project.foreign_capital_usd_wan and not project.foreign_invested:
        message = _("Foreign capital applies only to a foreign-invested project.")
        raise Invalid(message, {"foreign_capital_usd_wan": message})


def check_promised_start(project: Project) -> None:
    """A promised start belongs to an agreement: the project is signed (or later) and the
    promise is not before the signing. Checked when a request sets it; a promise already held
    stays through a move back (the lights and reports read it on signed projects only)."""
    promised = project.promised_start_on
    if promised is None:
        return
    if stage_index(project.stage) < stage_index("signed"):
        message = _("A promised start date belongs to a signed project: record the signing "
                    "first.")
        raise Invalid(message, {"promised_start_on": message})
    if project.signed_on is not None and promised < project.signed_on:
        message = _("The promised start (%(date)s) cannot be before the signing (%(signed)s).",
                    date=promised.isoformat(), signed=project.signed_on.isoformat())
        raise Invalid(message, {"promised_start_on": message})


def check_counting(project: Project, clean: dict[str, Any]) -> None:
    """What the counting rules read holds together: an increment only on a capital increase
    and not above the investment; a conversion date (when a request sets one) only on a signed
    contract, not before its signing."""
    increment, investment = project.increment_wan or 0, project.investment_wan or 0
    if increment and (project.project_kind or "new") != "capital_increase":
        message = _("An increment applies only to a capital increase.")
        raise Invalid(message, {"increment_wan": message})
    if increment > investment:
        message = _("The capital increase (%(increment)s) cannot exceed the investment "
                    "(%(investment)s).", increment=f"{increment:,}",
                    investment=f"{investment:,}")
        raise Invalid(message, {"increment_wan": message})
    contracted = project.contracted_on
    if "contracted_on" not in clean or contracted is None:
        return
    if project.signed_on is None or project.agreement_kind != "contract":
        message = _("Only a signed contract has the date it became a contract.")
        raise Invalid(message, {"contracted_on": message})
    if contracted < project.signed_on:
        message = _("It became a contract (%(date)s) before it was signed (%(signed)s).",
                    date=contracted.isoformat(), signed=project.signed_on.isoformat())
        raise Invalid(message, {"contracted_on": message})


# --- stage dates ------------------------------------------------------------------------------

def clean_stage_dates(value: Any) -> dict[str, date | None]:
    """``{"signed": "YYYY-MM-DD"…}`` as dates (``None`` clears one); never in the future."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(_("Send the stage dates as an object of stage and date."),
                      {"stage_dates": _("Invalid.")})
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    now = today()
    for stage, raw in value.items():
        if stage not in STAGES:
            errors[date_key(stage)] = _("Unknown stage.")
            continue
        dates[stage] = parse_date(raw, date_key(stage), errors, now, _(
            "A stage date lies between %(start)s and today.", start=EARLIEST.isoformat()))
    if errors:
        raise Invalid(_("Please correct the stage dates."), errors)
    return dates


def stage_dates(project: Project) -> dict[str, date | None]:
    """Every stage's date on the project, in stage order (``None``: not recorded)."""
    return {stage: project.stage_date(stage) for stage in STAGE_ORDER}


def kept_on_move(dates: dict[str, date | None], stage: str) -> dict[str, date | None]:
    """The dates a move to ``stage`` keeps: the stages up to it, its own included (a move back
    lands on the date the stage was entered); the later stages' dates are cleared."""
    reached = stage_index(stage)
    return {s: day if stage_index(s) <= reached else None for s, day in dates.items()}


def open_since() -> date:
    """The first day of the month still open: earlier months' figures have been reported, and
    only a correction (leads, administrators) changes a date in them."""
    return today().replace(day=1)


def check_stage_dates(dates: dict[str, date | None], stage: str) -> None:
    """The dates of a project in ``stage``: its own date set, none for a stage not reached yet,
    and the dates that are set in stage order (equal dates are fine)."""
    errors: dict[str, str] = {}
    reached = stages_reached(stage)
    for later in STAGE_ORDER[len(reached):]:
        if dates.get(later) is not None:
            errors[date_key(later)] = _("The project has not reached %(stage)s.",
                                        stage=STAGES[later])
    if dates.get(stage) is None:
        errors[date_key(stage)] = _("The current stage needs its date.")
    latest: tuple[str, date] | None = None
    for earlier_or_same in reached:
        day = dates.get(earlier_or_same)
        if day is None:
            continue
        if latest is not None and day < latest[1]:
            errors[date_key(earlier_or_same)] = _(
                "%(stage)s (%(date)s) cannot be before %(earlier)s (%(earlier_date)s).",
                stage=STAGES[earlier_or_same], date=day.isoformat(), earlier=STAGES[latest[0]],
                earlier_date=latest[1].isoformat())
        else:
            latest = (earlier_or_same, day)
    if errors:
        raise Invalid(" ".join(errors.values()) if len(errors) == 1 else
                      _("Please correct the stage dates: %(details)s",
                        details=" ".join(errors.values())), errors)


def set_stage_dates(project: Project, dates: dict[str, date | None]) -> None:
    """Write the dates; the date the project entered its current stage follows its own."""
    for stage, day in dates.items():
        setattr(project, f"{stage}_on", day)
    project.stage_entered_at = project.stage_date(project.stage)


# --- stage gates ------------------------------------------------------------------------------

def _supplied(project: Project, name: str) -> bool:
    if name.startswith("stage_dates."):
        return project.stage_date(name.removeprefix("stage_dates.")) is not None
    return bool(getattr(project, name))


def missing_for(project: Project, stage: str) -> list[str]:
    """What ``project`` lacks to be in ``stage``, by API name."""
    return [name for name in GATES.get(stage, ()) if not _supplied(project, name)]


def check_gate(project: Project, stage: str, already_missing: list[str] | tuple = ()) -> None:
    """Refuse a project in ``stage`` that lacks what the stage needs, unless it lacked it
    before the request (``already_missing``: an edit must not be held hostage by an old gap,
    but must not open a new one)."""
    missing = [name for name in missing_for(project, stage) if name not in already_missing]
    if missing:
        raise MissingFields(
            _("%(stage)s needs: %(fields)s.", stage=STAGES[stage],
              fields=name_list([str(FIELD_LABELS[name]) for name in missing],
                                limit=len(missing))),
            missing, {name: _("Required for %(stage)s.", stage=STAGES[stage])
                      for name in missing})
