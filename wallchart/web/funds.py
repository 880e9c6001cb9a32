"""Funds in place (资金到位) in the browser: the project panel's section (its receipts, their
total against the agreed investment and, on a foreign-invested project, the foreign capital
actually used against the contracted), the form to record one, and a lead's correction and
removal. Each form swaps the section alone (htmx); the panel's script refreshes it live."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wallchart.core.errors import NotFound, ServiceError
from wallchart.core.inputs import number_or_text, typed_number
from wallchart.core.models import Project
from wallchart.services import funds
from wallchart.web.panel_sections import PanelSection

bp = Blueprint("funds", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every fragment here needs a signed-in user; the service checks what each role may do."""


@bp.app_template_global()
def may_record_funds(project: Project) -> bool:
    return funds.may_record(current_user, project)


@bp.app_template_global()
def may_correct_funds(project: Project) -> bool:
    return funds.may_correct(current_user, project)


def funds_of(project: Project) -> dict[str, Any]:
    """What the section shows: handed to its template, which queries nothing."""
    receipts = funds.receipts_of(project.id)
    return {"receipts": receipts, "in_place": funds.in_place(project, receipts)}


def _form_fields(names: tuple[str, ...]) -> dict[str, Any]:
    """The form's own fields (anything else a page sends is dropped, as on the board); amounts
    typed as people type numbers become numbers, anything else goes to the service as typed, to
    be named."""
    data: dict[str, Any] = {}
    for name in names:
        value = request.form.get(name, "")
        if name in ("amount_wan", "foreign_usd_wan"):
            value = typed_number(value) if value.strip() else None
        data[name] = value
    return data


SECTION = PanelSection("partials/project_funds.html", funds_of)


@bp.get("/board/projects/<int:project_id>/funds")
def section(project_id: int):
    return SECTION.answer(project_id)


@bp.post("/board/projects/<int:project_id>/funds")
def record_receipt(project_id: int):
    try:
        funds.record_receipt(current_user, project_id, _form_fields(funds.FIELDS))
    except ServiceError as error:
        return SECTION.refused(project_id, error, acting="record")
    return SECTION.answer(project_id)


def _receipt_project(receipt_id: int) -> int:
    receipt = funds.find_receipt(receipt_id)
    if receipt is None:
        raise NotFound(_("No such receipt."))
    return receipt.project_id


def _version() -> int | str:
    return number_or_text(request.form.get("version", ""))


@bp.post("/board/funds/<int:receipt_id>/correct")
def correct_receipt(receipt_id: int):
    project_id = _receipt_project(receipt_id)
    try:
        funds.correct_receipt(current_user, receipt_id, _version(), _form_fields(funds.FIELDS),
                              request.form.get("reason", ""))
    except ServiceError as error:
        return SECTION.refused(project_id, error, acting=f"correct:{receipt_id}")
    return SECTION.answer(project_id)


@bp.post("/board/funds/<int:receipt_id>/remove")
def remove_receipt(receipt_id: int):
    project_id = _receipt_project(receipt_id)
    try:
        funds.remove_receipt(current_user, receipt_id, _version(), request.form.get("reason", ""))
    except ServiceError as error:
        return SECTION.refused(project_id, error, acting=f"remove:{receipt_id}")
    return SECTION.answer(project_id)
