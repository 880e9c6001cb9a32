"""The JSON API of funds in place (资金到位): a project's receipts, recording one, and a lead's
correction or removal of one. Authenticated like ``api``; everyone signed in reads, the service
decides who writes."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from wallchart.api.errors import api_blueprint
from wallchart.api.serialize import receipt_json
from wallchart.core.inputs import json_object
from wallchart.identity import readers_only
from wallchart.reads import queries
from wallchart.services import funds
from wallchart.services.validation import refuse_unknown

bp = api_blueprint("funds_api", __name__)


bp.before_request(readers_only)


@bp.get("/projects/<int:project_id>/funds")
def list_receipts(project_id: int):
    """The receipts not removed, the latest first, and their totals against the agreement."""
    project = queries.project_or_404(project_id)
    found = funds.receipts_of(project.id)
    summary = funds.in_place(project, found)
    return jsonify(receipts=[receipt_json(r) for r in found], total_wan=summary.total_wan,
                   foreign_usd_wan=summary.foreign_usd_wan, rate_pct=summary.rate_pct,
                   foreign_rate_pct=summary.foreign_rate_pct)


@bp.post("/projects/<int:project_id>/funds")
def record_receipt(project_id: int):
    receipt = funds.record_receipt(current_user, project_id, json_object())
    return jsonify(receipt_json(receipt)), 201


@bp.post("/funds/<int:receipt_id>/correct")
def correct_receipt(receipt_id: int):
    """``{"version", "reason", …the fields to change}``."""
    data = json_object()
    refuse_unknown(data, {"version", "reason", *funds.FIELDS})
    fields = {name: data[name] for name in funds.FIELDS if name in data}
    receipt = funds.correct_receipt(current_user, receipt_id, data.get("version"), fields,
                                    data.get("reason"))
    return jsonify(receipt_json(receipt))


@bp.post("/funds/<int:receipt_id>/remove")
def remove_receipt(receipt_id: int):
    data = json_object()
    refuse_unknown(data, {"version", "reason"})
    receipt = funds.remove_receipt(current_user, receipt_id, data.get("version"),
                                   data.get("reason"))
    return jsonify(receipt_json(receipt))
