"""Read-side queries shared by pages and the API: a constant number of SQL statements each."""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import BoardState, County, Project, ProjectEvent, User
from .vocabulary import STAGES


def board_revision() -> int:
    return db.session.execute(select(BoardState.revision).where(BoardState.id == 1)).scalar() or 0


def board_columns() -> dict[str, list[Project]]:
    """Every card on the board by stage, in column order; owners and counties joined in."""
    columns: dict[str, list[Project]] = {stage: [] for stage in STAGES}
    projects = db.session.execute(
        select(Project).where(Project.deleted_at.is_(None)).order_by(Project.rank, Project.id)
    ).scalars()
    for project in projects:
        columns.setdefault(project.stage, []).append(project)
    return columns


def live_project(project_id: int) -> Project | None:
    project = db.session.get(Project, project_id)
    return project if project and project.deleted_at is None else None


def history(project_id: int) -> list[ProjectEvent]:
    return list(db.session.execute(
        select(ProjectEvent).where(ProjectEvent.project_id == project_id)
        .order_by(ProjectEvent.at.desc(), ProjectEvent.id.desc())
    ).scalars())


def counties() -> list[County]:
    return list(db.session.execute(select(County).order_by(County.sort_order, County.id)).scalars())


def assignable_users() -> list[User]:
    return list(db.session.execute(
        select(User).where(User.active.is_(True)).order_by(User.username)).scalars())
