"""Funds in place (资金到位): the receipts of money on a signed project, and of it the foreign
capital actually used (实际利用外资).

Members of the project's team record receipts; its leads (and administrators) correct or remove
one, giving a reason. Each change is an entry of the project's history (what, from, to, who,
when, why) and is announced like every change, so that an open panel refreshes. A removed
receipt stays in its table (``removed_at``) and out of every figure.

Rules, said once here: a receipt is dated from the signing to today; its amount is a whole
number of 万元 from 1 to the largest investment the record takes; its foreign part, only on a
foreign-invested project, a whole number of 万美元 from 1 to the amount's own number (no
exchange rate is configured, and a dollar has never been worth less than a yuan: a foreign part
larger than the amount in 万元 is always a slip). The receipts may add up to more than the agreed
investment: capital beyond the agreement does arrive, and the rate then shows over 100%.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wallchart.core.errors import Invalid, NotFound
from wallchart.core.models import FundReceipt, Project, User, utcnow
from wallchart.core.stages import stage_index
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.services import teams
from wallchart.services.changes import board_change
from wallchart.services.project_steps import (
    authorize,
    check_version,
    load_project,
    record_event,
    require_active,
)
from wallchart.services.record import (
    EARLIEST,
    FOREIGN_CAPITAL_MAX_USD_WAN,
    INVESTMENT_MAX_WAN,
    parse_date,
)
from wallchart.services.validation import (
    clean_text,
    refuse_if,
    refuse_unknown,
    required_reason,
)

#: What a receipt holds, by API name (``date`` is the column ``received_on``).
FIELDS = ("date", "amount_wan", "foreign_usd_wan", "document", "note")
DOCUMENT_MAX = 64
NOTE_MAX = 2000


def may_record(user: User, project: Project) -> bool:
    """Whether ``user`` sees the form to record a receipt on ``project``."""
    return (user.is_authenticated and user.can("record_funds") and project.on_board
            and stage_index(project.stage) >= stage_index("signed")
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def may_correct(user: User, project: Project) -> bool:
    """Whether ``user`` sees the forms to correct and remove ``project``'s receipts."""
    return (user.is_authenticated and user.can("correct_funds") and project.on_board
            and (user.role == "admin" or project.team_id in teams.team_ids(user)))


def _whole(value: Any, field: str, errors: dict[str, str], largest: int, unit: str) -> int | None:
    """A whole number from 1 to ``largest``; ``None`` when refused (the fault in ``errors``)."""
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = _("Enter a whole number of %(unit)s.", unit=unit)
        return None
    if not 1 <= value <= largest:
        errors[field] = _("Enter an amount between 1 and %(max)s (in %(unit)s).",
                          max=f"{largest:,}", unit=unit)
        return None
    return value


def _clean(data: dict[str, Any], present: tuple[str, ...]) -> dict[str, Any]:
    """The ``present`` fields of ``data``, checked and converted, every fault gathered."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for field in present:
        value = data.get(field)
        if field == "date":
            if value is None or value == "":
                errors[field] = _("Enter the date the funds arrived.")
                continue
            clean[field] = parse_date(value, field, errors, today(), _(
                "Enter a date between %(start)s and today.", start=EARLIEST.isoformat()))
        elif field == "amount_wan":
            clean[field] = _whole(value, field, errors, INVESTMENT_MAX_WAN, _("10,000 yuan"))
        elif field == "foreign_usd_wan":
            clean[field] = None if value is None or value == "" else _whole(
                value, field, errors, FOREIGN_CAPITAL_MAX_USD_WAN, _("10,000 US dollars"))
        elif field == "document":
            clean[field] = clean_text(value, field, errors, limit=DOCUMENT_MAX)
        else:
            clean[field] = clean_text(value, field, errors, limit=NOTE_MAX, lines=True)
    refuse_if(errors)
    return clean


def _check_against(project: Project, receipt: dict[str, Any]) -> None:
    """The rules that need the project: signed or later, dated from its signing, a foreign
    part only where the project is foreign-invested and never above the amount."""
    if stage_index(project.stage) < stage_index("signed") or project.signed_on is None:
        raise Invalid(_("Funds in place are recorded once the project is signed."))
    errors: dict[str, str] = {}
    if receipt["date"] < project.signed_on:
        errors["date"] = _("The funds cannot have arrived before the signing (%(date)s).",
                           date=project.signed_on.isoformat())
    foreign = receipt["foreign_usd_wan"]
    if foreign is not None and not project.foreign_invested:
        errors["foreign_usd_wan"] = _("Foreign capital applies only to a foreign-invested "
                                      "project.")
    elif foreign is not None and foreign > receipt["amount_wan"]:
        errors["foreign_usd_wan"] = _("The foreign part (in 10,000 US dollars) cannot be more "
                                      "than the amount (in 10,000 yuan).")
    refuse_if(errors)


def _stored(receipt: FundReceipt) -> dict[str, Any]:
    """A receipt's values by API name, as the history writes them."""
    return {"date": receipt.received_on.isoformat(), "amount_wan": receipt.amount_wan,
            "foreign_usd_wan": receipt.foreign_usd_wan, "document": receipt.document,
            "note": receipt.note}


def _values(receipt: FundReceipt) -> dict[str, Any]:
    """A receipt's values by API name, as the checks read them."""
    return {**_stored(receipt), "date": receipt.received_on}


def _touch(project: Project) -> None:
    project.updated_at = utcnow()


def record_receipt(actor: User | None, project_id: int, data: dict[str, Any]) -> FundReceipt:
    """Record money that arrived on a signed project of the actor's team."""
    actor_id = authorize(actor, "record_funds")
    refuse_unknown(data, set(FIELDS))
    clean = _clean(data, FIELDS)
    with board_change() as change:
        project = load_project(actor, project_id)
        require_active(project)
        _check_against(project, clean)
        receipt = FundReceipt(project=project, received_on=clean["date"],
                              amount_wan=clean["amount_wan"],
                              foreign_usd_wan=clean["foreign_usd_wan"],
                              document=clean["document"], note=clean["note"],
                              recorded_by_id=actor_id)
        db.session.add(receipt)
        db.session.flush()
        _touch(project)
        record_event(project, actor_id, "funds_recorded", change.revision,
                     changes={"receipt": receipt.id, **_stored(receipt)})
        change.announce(project, "funds_recorded")
    return receipt


def correct_receipt(actor: User | None, receipt_id: Any, version: Any, data: dict[str, Any],
                    reason: Any) -> FundReceipt:
    """Correct the fields ``data`` names of a receipt (a lead's or an administrator's), saying
    why; the history keeps each old value beside the new."""
    actor_id = authorize(actor, "correct_funds")
    refuse_unknown(data, set(FIELDS))
    clean = _clean(data, tuple(field for field in FIELDS if field in data))
    reason = required_reason(reason)
    with board_change() as change:
        receipt, project = _load_for_change(actor, receipt_id, version)
        before = _stored(receipt)
        after = {**_values(receipt), **clean}
        _check_against(project, after)
        receipt.received_on = after["date"]
        receipt.amount_wan = after["amount_wan"]
        receipt.foreign_usd_wan = after["foreign_usd_wan"]
        receipt.document = after["document"]
        receipt.note = after["note"]
        now = _stored(receipt)
        changed = {field: [before[field], now[field]] for field in FIELDS
                   if before[field] != now[field]}
        if not changed:
            raise Invalid(_("Nothing was changed."))
        _touch(project)
        record_event(project, actor_id, "funds_corrected", change.revision,
                     changes={"receipt": receipt.id, **changed}, reason=reason)
        change.announce(project, "funds_corrected")
    return receipt


def remove_receipt(actor: User | None, receipt_id: Any, version: Any,
                   reason: Any) -> FundReceipt:
    """Take a receipt out of the figures (a lead's or an administrator's), saying why; it stays
    in its table and in the history."""
    actor_id = authorize(actor, "correct_funds")
    reason = required_reason(reason)
    with board_change() as change:
        receipt, project = _load_for_change(actor, receipt_id, version)
        receipt.removed_at = utcnow()
        receipt.removed_by_id = actor_id
        receipt.removed_reason = reason
        _touch(project)
        record_event(project, actor_id, "funds_removed", change.revision,
                     changes={"receipt": receipt.id, **_stored(receipt)}, reason=reason)
        change.announce(project, "funds_removed")
    return receipt


def _load_for_change(actor: User, receipt_id: Any, version: Any) -> tuple[FundReceipt, Project]:
    """The receipt to change, of a project of the actor's team that may change, as the request
    saw it, and not removed."""
    receipt = find_receipt(receipt_id)
    if receipt is None:
        raise NotFound(_("No such receipt."))
    project = receipt.project
    teams.check_access(actor, project)
    require_active(project)
    check_version(receipt, version, _("Someone else changed this receipt meanwhile. "
                                      "The list now shows its current state."))
    if receipt.removed_at is not None:
        raise Invalid(_("This receipt was removed already."))
    return receipt, project


def find_receipt(receipt_id: Any) -> FundReceipt | None:
    """The receipt as stored (removed or not), unless its project was deleted."""
    receipt = None
    if isinstance(receipt_id, int) and not isinstance(receipt_id, bool):
        receipt = db.session.get(FundReceipt, receipt_id)
    return receipt if receipt and receipt.project.deleted_at is None else None


def receipts_of(project_id: int) -> list[FundReceipt]:
    """A project's receipts not removed, the latest first, who recorded each joined in."""
    return list(db.session.execute(
        select(FundReceipt).options(joinedload(FundReceipt.recorded_by))
        .where(FundReceipt.project_id == project_id, FundReceipt.removed_at.is_(None))
        .order_by(FundReceipt.received_on.desc(), FundReceipt.id.desc())).scalars())


@dataclass(frozen=True)
class InPlace:
    """A project's funds in place against what it agreed: the panel's summary."""

    total_wan: int
    foreign_usd_wan: int
    #: Percent of the agreed investment (contracted foreign capital); ``None`` without one.
    rate_pct: float | None
    foreign_rate_pct: float | None


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def in_place(project: Project, receipts: list[FundReceipt]) -> InPlace:
    """The totals of ``receipts`` (the project's, not removed) against the project's agreed
    investment and contracted foreign capital (到位率, 实际利用外资 against 合同外资)."""
    total = sum(receipt.amount_wan for receipt in receipts)
    foreign = sum(receipt.foreign_usd_wan or 0 for receipt in receipts)
    return InPlace(total, foreign, _pct(total, project.investment_wan),
                   _pct(foreign, project.foreign_capital_usd_wan))

