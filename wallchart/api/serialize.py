"""The JSON shapes of the API contract."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

from wallchart.core.early_warnings import blocker_age_days, blocker_overdue, warning_for
from wallchart.core.models import Blocker, FundReceipt, Meeting, Project, ProjectEvent, User
from wallchart.core.stages import stages_reached
from wallchart.core.timeutil import iso_utc, today
from wallchart.reads import queries
from wallchart.reads.meetings import decision_state
from wallchart.services.record import DETAIL_FIELDS


def _plain(value: Any) -> Any:
    """A record field as JSON has it: dates in ISO form, people by username."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return value.username
    return value


def stage_dates_json(project: Project) -> dict[str, str]:
    """The dates of the stages the project has entered (up to its current one) that are known."""
    return {stage: project.stage_date(stage).isoformat() for stage in stages_reached(project.stage)
            if project.stage_date(stage) is not None}


def project_json(project: Project, position: int | None) -> dict[str, Any]:
    """P: the card and its whole record. ``position`` is ``None`` off the board (withdrawn)."""
    body = {
        "id": project.id,
        "name": project.name,
        "code": project.code,
        "investor": project.investor,
        "investment_wan": project.investment_wan,
        "county": project.county.name if project.county else None,
        "team": project.team.name if project.team else None,
        "sector": project.sector,
        "stage": project.stage,
        "position": position,
        "version": project.version,
        "owner": project.owner.username if project.owner else None,
        "stage_entered_at": project.stage_entered_at.isoformat(),
    }
    body.update((field, _plain(getattr(project, field))) for field in DETAIL_FIELDS)
    active = project.on_board
    warning = warning_for(project, today(), current_app.config) if active else None
    body.update({
        "stage_dates": stage_dates_json(project),
        "status": project.status,
        "withdrawn_reason": project.withdrawn_reason,
        "withdrawn_comment": project.withdrawn_comment,
        "withdrawn_at": iso_utc(project.withdrawn_at) if project.withdrawn_at else None,
        "open_blockers": project.open_blockers,
        "warning": {"colour": warning.colour if warning else None,
                    "reasons": warning.reasons if warning else []},
    })
    return body


def event_json(event: ProjectEvent) -> dict[str, Any]:
    return {
        "at": iso_utc(event.at),
        "by": event.user.username if event.user else None,
        "action": event.action,
        "from_stage": event.from_stage,
        "to_stage": event.to_stage,
        "changes": event.changes or {},
        "reason": event.reason,
    }


def placed_json(project: Project) -> dict[str, Any]:
    """P, with its place in its column; a withdrawn project has none."""
    return project_json(project, queries.index_of(project) if project.on_board else None)


def note_json(note: ProjectEvent) -> dict[str, Any]:
    return {"id": note.id, "at": iso_utc(note.at),
            "by": note.user.username if note.user else None, "text": note.changes["note"]}


def blocker_json(blocker: Blocker) -> dict[str, Any]:
    day = today()
    return {
        "id": blocker.id,
        "project": {"id": blocker.project.id, "name": blocker.project.name},
        "kind": blocker.kind,
        "department": blocker.department,
        "description": blocker.description,
        "raised_on": blocker.raised_on.isoformat(),
        "due_on": blocker.due_on.isoformat() if blocker.due_on else None,
        "status": blocker.status,
        "resolution": blocker.resolution,
        "resolved_on": blocker.resolved_on.isoformat() if blocker.resolved_on else None,
        "raised_by": blocker.raised_by.username if blocker.raised_by else None,
        "resolved_by": blocker.resolved_by.username if blocker.resolved_by else None,
        "version": blocker.version,
        "overdue": blocker_overdue(blocker, day),
        "age_days": blocker_age_days(blocker, day),
        "meeting": {"id": blocker.meeting.id, "title": blocker.meeting.title}
        if blocker.meeting else None,
        "follow_up": blocker.follow_up,
    }


def receipt_json(receipt: FundReceipt) -> dict[str, Any]:
    """A receipt of funds (资金到位): amounts in 万元 and 万美元, as the record's."""
    return {
        "id": receipt.id,
        "project": {"id": receipt.project.id, "name": receipt.project.name},
        "date": receipt.received_on.isoformat(),
        "amount_wan": receipt.amount_wan,
        "foreign_usd_wan": receipt.foreign_usd_wan,
        "document": receipt.document,
        "note": receipt.note,
        "recorded_by": receipt.recorded_by.username if receipt.recorded_by else None,
        "recorded_at": iso_utc(receipt.recorded_at),
        "removed": receipt.removed_at is not None,
        "version": receipt.version,
    }


def decision_json(decision: Blocker, day: date) -> dict[str, Any]:
    """A meeting's decision: its blocker's id and version (resolving it is doing it), and its
    state for the follow-up (``reads.meetings.decision_state``) on ``day``."""
    return {"id": decision.id, "meeting_id": decision.meeting_id,
            "project": {"id": decision.project.id, "name": decision.project.name},
            "text": decision.description, "department": decision.department,
            "due": decision.due_on.isoformat() if decision.due_on else None,
            "follow_up": decision.follow_up, "kind": decision.kind,
            "state": decision_state(decision, day), "version": decision.version}


def meeting_summary_json(meeting: Meeting) -> dict[str, Any]:
    return {"id": meeting.id, "title": meeting.title, "date": meeting.held_on.isoformat()}


def meeting_json(meeting: Meeting, earlier: list[Blocker], day: date) -> dict[str, Any]:
    """A meeting whole: who attends, the agenda in order, its decisions and, first on any
    agenda, the decisions of ``earlier`` meetings still open."""
    return {**meeting_summary_json(meeting),
            "guests": meeting.guests,
            "attendees": [user.username for user in meeting.attendees],
            "created_by": meeting.created_by.username if meeting.created_by else None,
            "agenda": [{"position": item.position, "project": {
                "id": item.project.id, "name": item.project.name, "stage": item.project.stage,
                "on_board": item.project.on_board}} for item in meeting.items],
            "decisions": [decision_json(decision, day) for decision in meeting.decisions],
            "earlier_open": [decision_json(decision, day) for decision in earlier]}
