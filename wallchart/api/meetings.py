"""The JSON API of scheduling meetings (调度会): the list, one meeting (agenda, decisions and
their states), preparing one, setting its agenda, adding a decision. Authenticated like
``api``; everyone signed in reads, the service decides who writes."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from wallchart.api.errors import api_blueprint
from wallchart.api.serialize import decision_json, meeting_json, meeting_summary_json
from wallchart.core.inputs import json_object
from wallchart.core.timeutil import today
from wallchart.identity import readers_only
from wallchart.reads import meetings as meeting_reads
from wallchart.services import meetings
from wallchart.services.validation import refuse_unknown

bp = api_blueprint("meetings_api", __name__)


bp.before_request(readers_only)


def _answer(meeting_id: int):
    meeting = meeting_reads.find_meeting(meeting_id)
    if meeting is None:
        abort(404)
    return jsonify(meeting_json(meeting, meeting_reads.open_decisions(meeting), today()))


@bp.get("/meetings")
def list_meetings():
    """Every meeting, the latest first, with how many of its decisions are in each state."""
    counts = meeting_reads.decision_counts(today())
    return jsonify(meetings=[
        {**meeting_summary_json(meeting), "decisions": {
            state: counts.get(meeting.id, {}).get(state, 0)
            for state in ("open", "done", "overdue")}}
        for meeting in meeting_reads.meetings()])


@bp.post("/meetings")
def create_meeting():
    meeting = meetings.create_meeting(current_user, json_object())
    response = _answer(meeting.id)
    return response, 201


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    return _answer(meeting_id)


@bp.post("/meetings/<int:meeting_id>/agenda")
def set_agenda(meeting_id: int):
    """``{"agenda": [project ids, in order]}``: the whole agenda, added to, cut or reordered."""
    data = json_object()
    refuse_unknown(data, {"agenda"})
    meetings.set_agenda(current_user, meeting_id, data.get("agenda"))
    return _answer(meeting_id)


@bp.post("/meetings/<int:meeting_id>/decisions")
def add_decision(meeting_id: int):
    decision = meetings.add_decision(current_user, meeting_id, json_object())
    return jsonify(decision_json(decision, today())), 201
