"""The JSON shapes of the API contract."""

from __future__ import annotations

from typing import Any

from .models import Project, ProjectEvent
from .timeutil import iso_utc


def project_json(project: Project, position: int) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
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
